import * as core from '@actions/core';
import { build, buildPlan, checkBuildx } from './buildx.js';
import { UserError, messageOf } from './errors.js';
import { parseInputs, type Inputs } from './inputs.js';
import { Input, Output, Result, REVISION_LABEL, State } from './names.js';
import { decide, type Plan, type Publication, type Tags } from './publication.js';
import { RegistryClient } from './registry.js';
import { createRunDirectory, removeRunDirectory } from './run-directory.js';
import { setReferenceOutputs, setResultOutputs, shaRef, versionRef, writeSummary } from './report.js';
import { authFileIn, login, pushFromEngine, tagInRegistry, type SkopeoSession } from './skopeo.js';
import { runToolAllowingFailure } from './tools.js';

/** The entry point of both steps: the post step is told apart by the state main saved. */
export async function run(): Promise<void> {
  if (core.getState(State.IsPost) === 'true') {
    await post();
    return;
  }
  core.saveState(State.IsPost, 'true');
  try {
    await main();
  } catch (error) {
    core.setFailed(messageOf(error));
  }
}

async function main(): Promise<void> {
  const inputs = readInputs();
  const tags: Tags = { image: `${inputs.registry}/${inputs.imageName}`, version: inputs.version, sha: inputs.sha };
  setReferenceOutputs(tags);
  const runDirectory = await createRunDirectory();
  const registry = new RegistryClient({
    host: inputs.registry,
    insecure: inputs.insecureRegistry,
    credentials: inputs.credentials,
    log: (message) => core.info(message),
  });
  try {
    await core.group('Check the tools', () => checkTools(inputs));
    const session = await core.group('Log in', () => logIn(inputs, registry, runDirectory));
    const publication = await core.group('Check the registry', () => readPublication(registry, inputs));
    const plan = decide(publication, tags);
    core.info(plan.reason);
    const { result, digest } = session
      ? await carryOut(plan, inputs, tags, registry, session, runDirectory)
      : await buildOnly(inputs, runDirectory);
    setResultOutputs(result, digest);
    await writeSummary({ tags, result, digest, detail: plan.reason });
  } catch (error) {
    await writeSummary({ tags, detail: messageOf(error) });
    throw error;
  } finally {
    await registry.close();
  }
}

async function post(): Promise<void> {
  try {
    await removeRunDirectory();
  } catch (error) {
    core.warning(`Clean-up failed: ${messageOf(error)}`);
  }
}

function readInputs(): Inputs {
  const apiKey = core.getInput(Input.ApiKey);
  const username = core.getInput(Input.Username);
  // Masked before anything could print them, the Basic header's encoding included.
  if (apiKey) {
    core.setSecret(apiKey);
    core.setSecret(Buffer.from(`${username}:${apiKey}`).toString('base64'));
  }
  core.debug(`inputs: ${Object.values(Input).filter((name) => name !== Input.ApiKey).map((name) => `${name}=${JSON.stringify(core.getInput(name))}`).join(' ')}`);
  return parseInputs((name) => core.getInput(name));
}

async function checkTools(inputs: Inputs): Promise<void> {
  const checks = [checkBuildx()];
  if (inputs.push)
    checks.push(
      runToolAllowingFailure('skopeo', ['--version'], { silent: true }).then((run) => {
        if (run.exitCode !== 0) throw new UserError(`\`skopeo --version\` failed: ${run.stderr.trim()}`);
      }),
    );
  await Promise.all(checks);
}

/** Proves the key with the registry before anything is built, then hands it to skopeo on stdin. */
async function logIn(
  inputs: Inputs,
  registry: RegistryClient,
  runDirectory: string,
): Promise<SkopeoSession | undefined> {
  await registry.checkCredentials();
  if (!inputs.push || !inputs.credentials) {
    core.info(inputs.credentials ? 'Credentials accepted (not pushing).' : 'Reading anonymously (not pushing).');
    return undefined;
  }
  const session: SkopeoSession = {
    registry: inputs.registry,
    insecure: inputs.insecureRegistry,
    authFile: authFileIn(runDirectory),
    secrets: [inputs.credentials.apiKey],
  };
  await login(session, inputs.credentials);
  core.info(`Logged in to ${inputs.registry} as ${inputs.credentials.username}.`);
  return session;
}

async function readPublication(registry: RegistryClient, inputs: Inputs): Promise<Publication> {
  const [version, commit] = await Promise.all([
    registry.tag(inputs.imageName, inputs.version),
    registry.tag(inputs.imageName, inputs.sha),
  ]);
  if (!version.exists) return { version, commit };
  const labels = await registry.labels(inputs.imageName, version.digest);
  return { version: { ...version, revision: labels[REVISION_LABEL] }, commit };
}

async function buildOnly(inputs: Inputs, runDirectory: string): Promise<{ result: Result; digest?: string }> {
  await core.group('Build', () => build(inputs, buildPlan(inputs, runDirectory, process.env, new Date())));
  return { result: Result.Built };
}

async function carryOut(
  plan: Plan,
  inputs: Inputs,
  tags: Tags,
  registry: RegistryClient,
  session: SkopeoSession,
  runDirectory: string,
): Promise<{ result: Result; digest: string }> {
  switch (plan.kind) {
    case 'nothing':
      return { result: Result.AlreadyPublished, digest: plan.digest };
    case 'tag-commit':
      await core.group('Push the commit tag', () =>
        tagInRegistry(session, `${tags.image}@${plan.digest}`, shaRef(tags)),
      );
      return { result: Result.Completed, digest: plan.digest };
    case 'tag-version':
      await pushVersionTag(plan.digest, inputs, tags, registry, session);
      return { result: Result.Completed, digest: plan.digest };
    case 'build-and-push': {
      const imageId = await core.group('Build', () =>
        build(inputs, buildPlan(inputs, runDirectory, process.env, new Date())),
      );
      const digest = await core.group('Push the commit tag', () =>
        pushFromEngine(session, imageId, shaRef(tags), runDirectory),
      );
      core.setOutput(Output.Digest, digest);
      await pushVersionTag(digest, inputs, tags, registry, session);
      return { result: Result.Pushed, digest };
    }
  }
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
): Promise<void> {
  await core.group('Push the version tag', async () => {
    const before = await registry.tag(inputs.imageName, inputs.version);
    if (before.exists)
      throw new UserError(
        `${versionRef(tags)} was pushed by another run while this one was building (${before.digest}); it was left as it is. ` +
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
