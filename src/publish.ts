import * as core from '@actions/core';
import type { BuildSpec } from './buildx.js';
import { RegistryError, TagTaken } from './errors.js';
import { buildAndHandOver, discard } from './hand-over.js';
import { Output, Result } from './names.js';
import type { Outcome } from './converge.js';
import type { Plan } from './policy.js';
import { imageToPublish, lookUpBoth, proveTags, type ProofContext } from './prove.js';
import { readTag } from './registry/state.js';
import { ensureSkopeo, type SkopeoDownload } from './skopeo-install.js';
import { pushImage, tagInRegistry, type SkopeoConfig } from './skopeo.js';
import { pinnedRef, shaRef, versionRef } from './tags.js';
import type { Timeline } from './timeline.js';

/** What carrying out a plan needs besides the plan. */
export interface PublishContext extends ProofContext {
  spec: BuildSpec;
  runDirectory: string;
  timeline: Timeline;
  skopeoDownload?: SkopeoDownload;
  /** skopeo logged in to the registry: started when first asked for, once per run. */
  logIn: () => Promise<SkopeoConfig>;
}

/**
 * Carries out a plan: only what the registry lacks is written, the commit tag always before
 * the version tag, and nothing is built when an image for this commit is already there.
 */
export async function publish(plan: Plan, context: PublishContext): Promise<Outcome> {
  const { tags, timeline } = context;
  if (plan.kind === 'nothing') return { result: Result.AlreadyPublished, digest: plan.digest };
  // skopeo comes first (from PATH, the tool cache or a download), then logs in while the image
  // builds; the first push waits for it. A refusal or a re-run with nothing to write never
  // gets this far.
  await ensureSkopeo(context.skopeoDownload);
  const loggedIn = context.logIn();
  loggedIn.catch(() => undefined);
  switch (plan.kind) {
    case 'tag-commit':
      await timeline.phase('Push the commit tag', async () => {
        const skopeo = await loggedIn;
        await tagInRegistry(skopeo, pinnedRef(tags, plan.digest), shaRef(tags));
        // A repair means runs interleaved: the other may still be writing.
        if (plan.repair)
          await proveTags(plan.digest, skopeo, context, { wroteVersion: false, interleaved: true });
      });
      return { result: Result.Completed, digest: plan.digest };
    case 'tag-version':
      return { result: Result.Completed, digest: await pushVersionTag(plan.digest, await loggedIn, context) };
    case 'build-and-push': {
      const digest = await buildAndPushCommitTag(loggedIn, context);
      // Reported now, so that a failure of the version push still says what was written.
      core.setOutput(Output.Digest, digest);
      return { result: Result.Pushed, digest: await pushVersionTag(digest, await loggedIn, context) };
    }
  }
}

/** Builds, then pushes the image to the commit tag unless another run of this commit did meanwhile. */
async function buildAndPushCommitTag(
  loggedIn: Promise<SkopeoConfig>,
  context: PublishContext,
): Promise<string> {
  const { tags, client, runDirectory, timeline } = context;
  const handOver = await buildAndHandOver(context.spec, runDirectory, timeline);
  return timeline
    .phase('Push the commit tag', async () => {
      // A commit tag is never overwritten: another run of this commit may have pushed it while
      // this one built. Then the registry is read again and its image is used.
      const meanwhile = await readTag(client, tags.repository, tags.sha);
      if (meanwhile.exists)
        throw new TagTaken(
          `${shaRef(tags)} was pushed by another run while this one was building (${meanwhile.digest}); it was left as it is.`,
          { reference: shaRef(tags), digest: meanwhile.digest },
        );
      return pushImage(await loggedIn, handOver, shaRef(tags), runDirectory);
    })
    .finally(() => discard(handOver));
}

/**
 * The version tag is written last, as a copy inside the registry of the image the commit tag
 * holds, after a last look that it is still free; then both tags are proved to name one image.
 * Returns the digest published.
 */
async function pushVersionTag(
  digest: string,
  skopeo: SkopeoConfig,
  context: PublishContext,
): Promise<string> {
  const { tags, client, timeline } = context;
  return timeline.phase('Push the version tag', async () => {
    const { version, commit } = await lookUpBoth(context);
    if (version.exists) {
      // A registry whose HEAD and GET disagree must not send the run after a tag that is not
      // there; the digest named is the one read from the manifest's bytes, not the HEAD's header.
      const read = await readTag(client, tags.repository, tags.version);
      if (!read.exists)
        throw new RegistryError(
          `The registry contradicts itself: a HEAD of ${versionRef(tags)} answers 200 (${version.digest}) but a GET finds no such manifest. ` +
            `Nothing more was written; this commit's image is at ${shaRef(tags)}. Check the registry, then run the job again.`,
        );
      throw new TagTaken(
        `${versionRef(tags)} was pushed by another run while this one was working (${read.digest}); it was left as it is. ` +
          `This commit's image is at ${shaRef(tags)}. Serialise the workflow with a \`concurrency:\` group.`,
        { reference: versionRef(tags), digest: read.digest },
      );
    }
    const chosen = await imageToPublish(digest, commit, context);
    await tagInRegistry(skopeo, pinnedRef(tags, chosen), versionRef(tags));
    return proveTags(chosen, skopeo, context, { wroteVersion: true, interleaved: chosen !== digest });
  });
}
