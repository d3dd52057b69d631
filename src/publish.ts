import * as core from '@actions/core';
import { buildAndHandOver, discard } from './hand-over.js';
import { info } from './log.js';
import { TagTaken, UserError } from './errors.js';
import type { Inputs } from './inputs.js';
import { Output, Result } from './names.js';
import type { Plan, Tags } from './publication.js';
import type { RegistryClient } from './registry.js';
import { readTag } from './registry-state.js';
import { ensureSkopeo } from './skopeo-install.js';
import type { Timeline } from './timeline.js';
import { shaRef, versionRef } from './report.js';
import { authFileIn, login, pushImage, tagInRegistry, type SkopeoSession } from './skopeo.js';

/** What carrying out a plan needs besides the plan. */
export interface PublishContext {
  inputs: Inputs;
  tags: Tags;
  registry: RegistryClient;
  runDirectory: string;
  timeline: Timeline;
}

/** How many times a run decides what to write, when other runs keep taking its tags first. */
const MAX_DECISIONS = 3;

/**
 * Carries out the plan; when another run takes a tag first, reads the registry again
 * (`decideAgain`) and carries out the new plan. The other run's image may be this commit's
 * (two re-runs of one commit), so the run converges instead of failing, and never rebuilds.
 */
export async function publishConverging(
  plan: Plan,
  decideAgain: () => Promise<Plan>,
  context: PublishContext,
): Promise<{ result: Result; digest: string; reason: string }> {
  // One skopeo login serves every plan this run carries out.
  let session: Promise<SkopeoSession> | undefined;
  const logInOnce = () => (session ??= logIn(context.inputs, context.runDirectory));
  for (let decision = 1; ; decision++) {
    try {
      return { ...(await publish(plan, context, logInOnce)), reason: plan.reason };
    } catch (error) {
      if (!(error instanceof TagTaken) || decision === MAX_DECISIONS) throw error;
      info(`${error.message.split('. ')[0]}. Reading the registry again.`);
      const next = await decideAgain();
      // A plan that would build, or the same plan again (the registry did not move: a policy
      // refused the write), is not followed: the refusal stands.
      const same = next.kind === plan.kind && JSON.stringify(next) === JSON.stringify(plan);
      if (next.kind === 'build-and-push' || same) throw error;
      plan = next;
      info(plan.reason);
    }
  }
}

/**
 * Carries out a plan: only what the registry lacks is written, the commit tag always before
 * the version tag, and nothing is built when an image for this commit is already there.
 */
async function publish(
  plan: Plan,
  context: PublishContext,
  logInOnce: () => Promise<SkopeoSession>,
): Promise<{ result: Result; digest: string }> {
  const { inputs, tags, runDirectory, timeline } = context;
  if (plan.kind === 'nothing') return { result: Result.AlreadyPublished, digest: plan.digest };
  // skopeo comes first (from PATH, the tool cache or a download), then logs in while the
  // image builds; the first push waits for it. A refusal or a re-run never gets this far.
  await ensureSkopeo(inputs.skopeoDownload);
  const loggedIn = logInOnce();
  loggedIn.catch(() => undefined);
  switch (plan.kind) {
    case 'tag-commit':
      await timeline.phase('Push the commit tag', async () =>
        tagInRegistry(await loggedIn, `${tags.image}@${plan.digest}`, shaRef(tags)),
      );
      return { result: Result.Completed, digest: plan.digest };
    case 'tag-version':
      await pushVersionTag(plan.digest, await loggedIn, context);
      return { result: Result.Completed, digest: plan.digest };
    case 'build-and-push': {
      const handOver = await buildAndHandOver(inputs, runDirectory, timeline);
      const digest = await timeline
        .phase('Push the commit tag', async () => {
          // A commit tag is never overwritten: another run of this commit may have pushed it
          // while this one built. Then the registry is read again and its image is used.
          const meanwhile = await readTag(context.registry, inputs.imageName, inputs.sha);
          if (meanwhile.exists)
            throw new TagTaken(
              `${shaRef(tags)} was pushed by another run while this one was building (${meanwhile.digest}); it was left as it is.`,
            );
          return pushImage(await loggedIn, handOver, shaRef(tags), runDirectory);
        })
        .finally(() => discard(handOver));
      const session = await loggedIn;
      // Reported now, so that a failure of the version push still says what was written.
      core.setOutput(Output.Digest, digest);
      await pushVersionTag(digest, session, context);
      return { result: Result.Pushed, digest };
    }
  }
}

/** Hands the key to skopeo on stdin; skopeo keeps it in this run's own 0600 auth file. */
async function logIn(inputs: Inputs, runDirectory: string): Promise<SkopeoSession> {
  if (!inputs.credentials) throw new UserError('Pushing needs `username` and `api_key`.');
  const session: SkopeoSession = {
    registry: inputs.registry,
    insecure: inputs.insecureRegistry,
    authFile: authFileIn(runDirectory),
    secrets: [inputs.credentials.apiKey],
  };
  await login(session, inputs.credentials);
  info(`skopeo logged in to ${inputs.registry} as ${inputs.credentials.username}.`);
  return session;
}

/**
 * The version tag is written last, as a copy of the commit tag inside the registry, after a
 * last look that it is still free; then its digest is read back to prove it is ours.
 */
async function pushVersionTag(
  digest: string,
  session: SkopeoSession,
  { inputs, tags, registry, timeline }: PublishContext,
): Promise<void> {
  await timeline.phase('Push the version tag', async () => {
    const before = await registry.tag(inputs.imageName, inputs.version);
    if (before.exists)
      throw new TagTaken(
        `${versionRef(tags)} was pushed by another run while this one was working (${before.digest}); it was left as it is. ` +
          `This commit's image is at ${shaRef(tags)}. Serialise the workflow with a \`concurrency:\` group.`,
      );
    await tagInRegistry(session, `${tags.image}@${digest}`, versionRef(tags));
    const after = await registry.tag(inputs.imageName, inputs.version);
    // A registry that lets tags be overwritten let another run write the version tag at the
    // same time: the registry is read again (its image may be of this commit too).
    if (!after.exists || after.digest !== digest)
      throw new TagTaken(
        `${versionRef(tags)} points at ${after.exists ? after.digest : 'nothing'} after the push, not at ${digest}: another run wrote it at the same time (this registry lets tags be overwritten).`,
      );
    info(`${versionRef(tags)} -> ${digest}`);
    await proveCommitTag(digest, session, { inputs, tags, registry });
  });
}

/**
 * The commit tag must name the version tag's image. Where the registry lets tags be
 * overwritten, another run of this commit can have pushed its own image there in between;
 * then the commit tag is pointed at the version's image, plainly said. An image of another
 * commit is never replaced.
 */
async function proveCommitTag(
  digest: string,
  session: SkopeoSession,
  { inputs, tags, registry }: Pick<PublishContext, 'inputs' | 'tags' | 'registry'>,
): Promise<void> {
  const commit = await registry.tag(inputs.imageName, inputs.sha);
  if (commit.exists && commit.digest === digest) return;
  if (commit.exists) {
    const { revision } = await readTag(registry, inputs.imageName, inputs.sha);
    if (revision !== inputs.sha)
      throw new UserError(
        `${shaRef(tags)} was replaced by an image of ${revision ? `commit ${revision}` : 'no known commit'} (${commit.digest}) while this run published ${digest}; it was left as it is. Find out what pushed it.`,
      );
  }
  info(
    `${shaRef(tags)} held ${commit.exists ? `another image of this commit (${commit.digest}), pushed by another run at the same time: this registry lets tags be overwritten, so the runs interleaved` : 'nothing'}. Pointing it at ${versionRef(tags)}'s image ${digest}.`,
  );
  await tagInRegistry(session, `${tags.image}@${digest}`, shaRef(tags));
}
