import * as core from '@actions/core';
import { buildAndHandOver, discard } from './hand-over.js';
import { info } from './log.js';
import { RegistryError, TagTaken, UserError } from './errors.js';
import type { Inputs } from './inputs.js';
import { Output, Result } from './names.js';
import type { Plan, Tags } from './publication.js';
import type { RegistryClient, TagState } from './registry.js';
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
  /** Waits; passed in so that tests need not. */
  sleep: (ms: number) => Promise<void>;
}

/** How many times a run decides what to write, when other runs keep taking its tags first. */
const MAX_DECISIONS = 4;

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
      await timeline.phase('Push the commit tag', async () => {
        const session = await loggedIn;
        await tagInRegistry(session, `${tags.image}@${plan.digest}`, shaRef(tags));
        // A repair means runs interleaved: the other may still be writing.
        if (plan.repair)
          await proveTags(plan.digest, session, context, { wroteVersion: false, interleaved: true });
      });
      return { result: Result.Completed, digest: plan.digest };
    case 'tag-version':
      return { result: Result.Completed, digest: await pushVersionTag(plan.digest, await loggedIn, context) };
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
      return { result: Result.Pushed, digest: await pushVersionTag(digest, session, context) };
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
 * The version tag is written last, as a copy inside the registry of the image the commit tag
 * holds, after a last look that it is still free; then both tags are proved to name one image.
 * Returns the digest published.
 */
async function pushVersionTag(
  digest: string,
  session: SkopeoSession,
  context: PublishContext,
): Promise<string> {
  const { inputs, tags, registry, timeline } = context;
  return timeline.phase('Push the version tag', async () => {
    const [version, commit] = await Promise.all([
      registry.tag(inputs.imageName, inputs.version),
      registry.tag(inputs.imageName, inputs.sha),
    ]);
    if (version.exists) {
      // A registry whose HEAD and GET disagree must not send the run after a tag that is not there.
      if (!(await readTag(registry, inputs.imageName, inputs.version)).exists)
        throw new RegistryError(
          `The registry contradicts itself: a HEAD of ${versionRef(tags)} answers 200 (${version.digest}) but a GET finds no such manifest. ` +
            `Nothing more was written; this commit's image is at ${shaRef(tags)}. Check the registry, then run the job again.`,
        );
      throw new TagTaken(
        `${versionRef(tags)} was pushed by another run while this one was working (${version.digest}); it was left as it is. ` +
          `This commit's image is at ${shaRef(tags)}. Serialise the workflow with a \`concurrency:\` group.`,
      );
    }
    const chosen = await imageToPublish(digest, commit, context);
    await tagInRegistry(session, `${tags.image}@${chosen}`, versionRef(tags));
    return proveTags(chosen, session, context, { wroteVersion: true, interleaved: chosen !== digest });
  });
}

/**
 * The commit tag decides which image of this commit is published. Where the registry lets
 * tags be overwritten, another run of this commit may have pushed its own image there after
 * this one did: publishing that one lets both runs publish the same image.
 */
async function imageToPublish(digest: string, commit: TagState, context: PublishContext): Promise<string> {
  if (!commit.exists || commit.digest === digest) return digest;
  await requireThisCommit(commit.digest, digest, context);
  info(
    `${shaRef(context.tags)} holds another image of this commit (${commit.digest}), pushed by another run at the same time ` +
      '(this registry lets tags be overwritten): the commit tag decides, publishing that one.',
  );
  return commit.digest;
}

/** How long a run that saw another run of its commit interleave waits before its last look. */
const SETTLE_MS = 2000;

/**
 * After a write: the version tag must hold `digest` (else another run wrote it meanwhile and
 * the registry is read again), and so must the commit tag. Where another run of this commit
 * pushed the commit tag after this run chose its image, that image is the one published: the
 * version tag this run has just written gives way to it (a version tag this run did not write
 * never does). An image of another commit is never used. Once runs have interleaved, the other
 * may still be writing what it decided before: the run waits a moment and looks again.
 * Returns the digest both tags name.
 */
async function proveTags(
  digest: string,
  session: SkopeoSession,
  context: PublishContext,
  { wroteVersion, interleaved }: { wroteVersion: boolean; interleaved: boolean },
): Promise<string> {
  const { inputs, tags, registry } = context;
  const bothName = async (published: string): Promise<TagState> => {
    const [version, commit] = await Promise.all([
      registry.tag(inputs.imageName, inputs.version),
      registry.tag(inputs.imageName, inputs.sha),
    ]);
    if (!version.exists || version.digest !== published)
      throw new TagTaken(
        `${versionRef(tags)} points at ${version.exists ? version.digest : 'nothing'} after the push, not at ${published}: another run wrote it at the same time (this registry lets tags be overwritten).`,
      );
    return commit;
  };
  let commit = await bothName(digest);
  if (commit.exists && commit.digest !== digest) {
    if (!wroteVersion)
      throw new TagTaken(`${shaRef(tags)} moved to ${commit.digest} while this run pointed it at ${digest}.`);
    await requireThisCommit(commit.digest, digest, context);
    info(
      `${shaRef(tags)} now holds another image of this commit (${commit.digest}), pushed last by another run at the same time (this registry lets tags be overwritten): ` +
        `the commit tag decides, so ${versionRef(tags)} gives way to it.`,
    );
    digest = commit.digest;
    await tagInRegistry(session, `${tags.image}@${digest}`, versionRef(tags));
    interleaved = true;
  } else if (!commit.exists) {
    info(`${shaRef(tags)} is gone (deleted meanwhile?): pushing it again.`);
    await tagInRegistry(session, `${tags.image}@${digest}`, shaRef(tags));
  }
  if (interleaved) {
    await context.sleep(SETTLE_MS);
    commit = await bothName(digest);
    if (!commit.exists || commit.digest !== digest)
      throw new TagTaken(
        `${shaRef(tags)} moved again while the runs settled (${commit.exists ? commit.digest : 'gone'}).`,
      );
  }
  info(`${versionRef(tags)} and ${shaRef(tags)} -> ${digest}`);
  return digest;
}

/** The commit tag's image must be of this commit; one of another commit is left as it is. */
async function requireThisCommit(
  found: string,
  ours: string,
  { inputs, tags, registry }: PublishContext,
): Promise<void> {
  const { revision } = await readTag(registry, inputs.imageName, inputs.sha);
  if (revision !== inputs.sha)
    throw new UserError(
      `${shaRef(tags)} was replaced by an image of ${revision ? `commit ${revision}` : 'no known commit'} (${found}) while this run published ${ours}; it was left as it is. Find out what pushed it.`,
    );
}
