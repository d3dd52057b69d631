import type { PublicationContext, Written } from '../context.js';
import { heldAt, type PlannedImage, type Write } from '../plan.js';
import { lastLook } from '../readings.js';
import { pushBuild } from './push-build.js';
import { digestOf } from '../../image/digest.js';
import { shaRef } from '../../image/tags.js';
import { indexOfParts } from './part.js';
import { signBeforeTag, signs } from './signature.js';
import { OCI_INDEX } from '../../image/media-types.js';
import { identitiesOf } from '../../signing/signatures.js';

/** The digests an assembled index names. */
function entriesOf(index: Buffer): string[] {
  const json = JSON.parse(index.toString()) as { manifests: { digest: string }[] };
  return json.manifests.map((entry) => entry.digest);
}

/**
 * The image (or index) under the commit tag. Built and pushed when no image of this commit is
 * in the registry (unless another run of this commit pushed the tag while this one built: a
 * commit tag is never overwritten); with platform parts, the index assembled from them; else a
 * copy inside the registry of the image published.
 */
export async function writeCommitTag(
  context: PublicationContext,
  image: PlannedImage,
  write: Write,
  settle: (written: Written) => Promise<string>,
): Promise<PlannedImage> {
  const { tags, writer, phase } = context;
  if (image.kind === 'assemble') return heldAt(await writeIndexOfParts(context, settle));
  // skopeo is made ready, and logs in while the image builds; a refusal or a re-run with
  // nothing to write never gets this far.
  await writer.prepare();
  if (image.kind === 'held')
    return phase('Push the commit tag', async () => {
      await writer.copy(image.digest, shaRef(tags));
      // A repair means runs interleaved: the other may still be writing.
      return heldAt(await settle({ digest: image.digest, interleaved: write.repair === true }));
    });
  // The phase keeps its name, which the log and the summary's timings show.
  const digest = await pushBuild(context, tags.sha, 'Push the commit tag');
  return heldAt(await settle({ digest, interleaved: false }));
}

/**
 * The index of the parts under the commit tag, written by the action's own client (skopeo
 * cannot push an index whose images are not in its source). Another job that assembled it at
 * the same time wrote the same bytes: its index is this one, and the run goes on.
 */
async function writeIndexOfParts(
  context: PublicationContext,
  settle: (written: Written) => Promise<string>,
): Promise<string> {
  const { tags, writer, phase, parts, log } = context;
  if (!parts) throw new Error('An index of parts without parts.');
  return phase('Assemble the index', async () => {
    const index = await indexOfParts(context, parts);
    const assembled = digestOf(index);
    // Another job that assembled the index at the same time wrote the same bytes: not a taking.
    const meanwhile = await lastLook(
      context,
      tags.sha,
      (theirs) =>
        `${shaRef(tags)} was pushed by another run while this one assembled ${assembled} (${theirs}); it was left as it is.`,
      assembled,
    );
    if (meanwhile.exists)
      log(`${shaRef(tags)} holds this index already (${assembled}): another job assembled it.`);
    // With a key, the index and its platform images are signed before the commit tag names it.
    if (signs(context) && !meanwhile.exists)
      await signBeforeTag(
        context,
        { mediaType: OCI_INDEX, digest: assembled, size: index.length },
        entriesOf(index),
        identitiesOf(tags),
      );
    const digest = meanwhile.exists ? assembled : await writer.putIndex(index);
    context.pushed(digest);
    log(`${shaRef(tags)} -> ${digest} (an index of ${parts.all.join(', ')})`);
    return settle({ digest, interleaved: false });
  });
}
