import * as core from '@actions/core';
import { build, buildPlan } from './buildx.js';
import { UserError } from './errors.js';
import type { Inputs } from './inputs.js';
import { Output, Result } from './names.js';
import type { Plan, Tags } from './publication.js';
import type { RegistryClient } from './registry.js';
import { ensureSkopeo } from './skopeo-install.js';
import type { Timeline } from './timeline.js';
import { shaRef, versionRef } from './report.js';
import { authFileIn, login, pushFromEngine, tagInRegistry, type SkopeoSession } from './skopeo.js';

/**
 * Carries out a plan: only what the registry lacks is written, the commit tag always before
 * the version tag, and nothing is built when an image for this commit is already there.
 */
export async function publish(
  plan: Plan,
  inputs: Inputs,
  tags: Tags,
  registry: RegistryClient,
  runDirectory: string,
  timeline: Timeline,
): Promise<{ result: Result; digest: string }> {
  if (plan.kind === 'nothing') return { result: Result.AlreadyPublished, digest: plan.digest };
  // skopeo comes first (from PATH, the tool cache or a download), then logs in while the
  // image builds; the first push waits for it. A refusal or a re-run never gets this far.
  await ensureSkopeo(inputs.skopeoDownload);
  const loggedIn = logIn(inputs, runDirectory);
  loggedIn.catch(() => undefined);
  switch (plan.kind) {
    case 'tag-commit':
      await timeline.phase('Push the commit tag', async () =>
        tagInRegistry(await loggedIn, `${tags.image}@${plan.digest}`, shaRef(tags)),
      );
      return { result: Result.Completed, digest: plan.digest };
    case 'tag-version':
      await pushVersionTag(plan.digest, inputs, tags, registry, await loggedIn, timeline);
      return { result: Result.Completed, digest: plan.digest };
    case 'build-and-push': {
      const imageId = await timeline.phase('Build', () =>
        build(inputs, buildPlan(inputs, runDirectory, process.env, new Date())),
      );
      const session = await loggedIn;
      const digest = await timeline.phase('Push the commit tag', () =>
        pushFromEngine(session, imageId, shaRef(tags), runDirectory),
      );
      // Reported now, so that a failure of the version push still says what was written.
      core.setOutput(Output.Digest, digest);
      await pushVersionTag(digest, inputs, tags, registry, session, timeline);
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
  core.info(`skopeo logged in to ${inputs.registry} as ${inputs.credentials.username}.`);
  return session;
}

/**
 * The version tag is written last, as a copy of the commit tag inside the registry, after a
 * last look that it is still free; then its digest is read back to prove it is ours.
 */
async function pushVersionTag(
  digest: string,
  inputs: Inputs,
  tags: Tags,
  registry: RegistryClient,
  session: SkopeoSession,
  timeline: Timeline,
): Promise<void> {
  await timeline.phase('Push the version tag', async () => {
    const before = await registry.tag(inputs.imageName, inputs.version);
    if (before.exists)
      throw new UserError(
        `${versionRef(tags)} was pushed by another run while this one was working (${before.digest}); it was left as it is. ` +
          `This commit's image is at ${shaRef(tags)}. Serialise the workflow with a \`concurrency:\` group.`,
      );
    await tagInRegistry(session, `${tags.image}@${digest}`, versionRef(tags));
    const after = await registry.tag(inputs.imageName, inputs.version);
    if (!after.exists || after.digest !== digest)
      throw new UserError(
        `${versionRef(tags)} points at ${after.exists ? after.digest : 'nothing'} after the push, not at ${digest}: another run wrote it at the same time. ` +
          'Check which image the tag holds before using it.',
      );
    core.info(`${versionRef(tags)} -> ${digest}`);
  });
}
