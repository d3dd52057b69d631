import { RegistryError } from '../../errors.js';
import type { PublicationContext, Written } from '../context.js';
import { heldAt, type PlannedImage } from '../plan.js';
import { lastLook, lookUpBoth, requireThisCommit } from '../readings.js';
import { pushBuild } from './push-build.js';
import { shaRef, versionRef, type TagState } from '../../image/tags.js';
import { identitiesOf } from '../../signing/signatures.js';
import { writeBundleOf } from './signature.js';

/**
 * The version tag, always the last write: a copy inside the registry of the image the commit
 * tag holds, after a last look that it is still free; with one tag, the image built, pushed.
 */
export async function writeVersionTag(
  context: PublicationContext,
  image: PlannedImage,
  _write: unknown,
  settle: (written: Written) => Promise<string>,
): Promise<PlannedImage> {
  const { tags, writer, phase } = context;
  // skopeo is made ready, and logs in while the image builds; a refusal or a re-run with
  // nothing to write never gets this far.
  await writer.prepare();
  // With one tag (`commit_tag: false`) no commit tag came first: this step pushes the build.
  if (image.kind === 'build' && tags.oneTag)
    return heldAt(
      await settle({
        digest: await pushBuild(context, tags.version, 'Push the version tag'),
        interleaved: false,
      }),
    );
  // The commit tag's step ran first: the image is in the registry.
  const published = digestOf(image);
  return phase('Push the version tag', async () => {
    const { version, commit } = await lookUpBoth(context);
    if (version.exists) {
      // A registry whose HEAD and GET disagree must not send the run after a tag that is not
      // there; the digest named is the one read from the manifest's bytes, not the HEAD's header.
      await lastLook(
        context,
        tags.version,
        (theirs) =>
          `${versionRef(tags)} was pushed by another run while this one was working (${theirs}); it was left as it is. ` +
          `This commit's image is at ${shaRef(tags)}. Serialise the workflow with a \`concurrency:\` group.`,
      );
      throw new RegistryError(
        `The registry contradicts itself: a HEAD of ${versionRef(tags)} answers 200 (${version.digest}) but a GET finds no such manifest. ` +
          `Nothing more was written; this commit's image is at ${shaRef(tags)}. Check the registry, then run the job again.`,
      );
    }
    const chosen = await imageToPublish(published, commit, context);
    await stillSigned(context, chosen);
    await writer.copy(chosen, versionRef(tags));
    return heldAt(await settle({ digest: chosen, interleaved: chosen !== published }));
  });
}

function digestOf(image: PlannedImage): string {
  if (image.kind !== 'held') throw new Error('The version tag before the image is in the registry.');
  return image.digest;
}

/**
 * The commit tag decides which image of this commit is published. Where the registry lets
 * tags be overwritten, another run of this commit may have pushed its own image there after
 * this one did: publishing that one lets both runs publish the same image.
 */
async function imageToPublish(
  digest: string,
  commit: TagState,
  context: PublicationContext,
): Promise<string> {
  if (!commit.exists || commit.digest === digest) return digest;
  const theirs = await requireThisCommit(commit.digest, digest, context);
  context.log(
    `${shaRef(context.tags)} holds another image of this commit (${theirs}), pushed by another run at the same time ` +
      '(this registry lets tags be overwritten): the commit tag decides, publishing that one.',
  );
  return theirs;
}

/**
 * With a key, the image's signatures read once more just before its version tag is written: on
 * a registry that lets tags be overwritten, another run signing the same image for another
 * version can have written the `.sig` (or, without the referrers API, the referrers tag) from
 * what it read before this run's signature was there, dropping it. What is missing is signed
 * again (a read and nothing more when all is there).
 */
async function stillSigned(context: PublicationContext, image: string): Promise<void> {
  const { signatures, registry, tags } = context;
  const sig = async () => {
    if (!signatures) return;
    const identities = identitiesOf(tags);
    const platforms = await registry.imagesOf(image);
    await Promise.all([...platforms, image].map((digest) => signatures.write(digest, identities)));
  };
  await Promise.all([sig(), writeBundleOf(context, image)]);
}
