import * as core from '@actions/core';
import { buildSpec, type BuildSpec } from './buildx.js';
import { endChildren, recordChildrenIn } from './children.js';
import { converge } from './converge.js';
import { UserError, messageOf } from './errors.js';
import { buildOnly } from './hand-over.js';
import { parseInputs, type Inputs } from './inputs/parse.js';
import { warnOfKeyExpiry } from './key-expiry.js';
import { info, neutralise } from './log.js';
import { Input, Result, State } from './names.js';
import { decide, type Plan } from './policy.js';
import { publish, type PublishContext } from './publish.js';
import { RegistryClient } from './registry/client.js';
import { readPublication } from './registry/state.js';
import { report, setReferenceOutputs, setResultOutputs } from './report.js';
import { defaultRetryPolicy } from './retry.js';
import { childrenDirectory, createRunDirectory } from './run-directory.js';
import { readSecrets, type Secrets } from './secrets.js';
import { authFileIn, login, type SkopeoConfig } from './skopeo.js';
import { tagsOf } from './tags.js';
import { Timeline } from './timeline.js';

/** The main step. The state it saves first tells the post step (see index.ts) apart. */
export async function run(): Promise<void> {
  core.saveState(State.IsPost, 'true');
  const secrets = readSecrets((name) => core.getInput(name));
  endChildrenWhenCancelled();
  try {
    await main(secrets);
  } catch (error) {
    // The last line of defence: no message leaves with the key in it.
    // …and none that a runner could read as a workflow command (it may quote a registry).
    core.setFailed(neutralise(secrets.scrub(messageOf(error))));
  }
}

/**
 * Check the inputs; prove the key; read what the registry holds for both tags and decide; then
 * build and push only what is missing (or only build, without `push`); report.
 */
async function main(secrets: Secrets): Promise<void> {
  const inputs = readInputs();
  const tags = tagsOf(inputs.registry, inputs.imageName, inputs.version, inputs.sha);
  setReferenceOutputs(tags);
  const runDirectory = await createRunDirectory();
  recordChildrenIn(childrenDirectory(runDirectory));
  const client = new RegistryClient({
    host: inputs.registry,
    insecure: inputs.insecureRegistry,
    credentials: inputs.credentials,
    timeoutMs: registryTimeoutMs(process.env),
    log: info,
  });
  const timeline = new Timeline();
  try {
    await timeline.phase('Check the key', () => checkKey(inputs, client));
    const decideNow = async (phase: string): Promise<Plan> =>
      decide(await timeline.phase(phase, () => readPublication(client, tags)), tags);
    const plan = await decideNow('Check the registry');
    info(plan.reason);
    const spec = buildSpec(inputs.build, tags, process.env, new Date());
    const context: PublishContext = {
      tags,
      client,
      spec,
      runDirectory,
      timeline,
      sleep: defaultRetryPolicy.sleep,
      skopeoDownload: inputs.skopeoDownload,
      logIn: once(() => logIn(inputs, secrets, runDirectory)),
    };
    const { result, digest, reason } = inputs.push
      ? await converge(plan, {
          publish: (next) => publish(next, context),
          decideAgain: () => decideNow('Check the registry again'),
          log: info,
        })
      : await buildWithoutPush(plan, spec, runDirectory, timeline);
    setResultOutputs(result, digest);
    await report({ tags, result, digest, detail: reason, phases: timeline.phases });
  } catch (error) {
    await report({ tags, detail: messageOf(error), phases: timeline.phases });
    throw error;
  } finally {
    await client.close();
  }
}

/** How long one registry request may wait for an answer: BUILD_PUSH_IMAGE_TIMEOUT_SECONDS, 30 by default. */
export function registryTimeoutMs(env: NodeJS.ProcessEnv): number {
  const seconds = Number(env.BUILD_PUSH_IMAGE_TIMEOUT_SECONDS);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 30_000;
}

/** A cancelled step ends what it started (a build, a push holding credentials), then dies of the same signal. */
function endChildrenWhenCancelled(): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.once(signal, () => {
      void endChildren().finally(() => process.kill(process.pid, signal));
    });
}

function readInputs(): Inputs {
  const shown = Object.values(Input).filter((name) => name !== Input.ApiKey && name !== Input.Secrets);
  core.debug(`inputs: ${shown.map((name) => `${name}=${JSON.stringify(core.getInput(name))}`).join(' ')}`);
  return parseInputs((name) => core.getInput(name));
}

/** One authenticated request proves the key before anything is built or pushed. */
async function checkKey(inputs: Inputs, client: RegistryClient): Promise<void> {
  await client.checkCredentials();
  if (!inputs.credentials) {
    info(`Reading ${inputs.registry} anonymously (not pushing).`);
    return;
  }
  info(`${inputs.registry} accepted the API key of ${inputs.credentials.username}.`);
  await warnOfKeyExpiry(client, inputs.keyExpiryWarningDays, new Date());
}

async function logIn(inputs: Inputs, secrets: Secrets, runDirectory: string): Promise<SkopeoConfig> {
  const credentials = inputs.credentials;
  if (!credentials) throw new UserError('Pushing needs `username` and `api_key`.');
  const config = {
    registry: inputs.registry,
    insecure: inputs.insecureRegistry,
    authFile: authFileIn(runDirectory),
    secrets: secrets.list,
  };
  await login(config, credentials);
  return config;
}

async function buildWithoutPush(
  plan: Plan,
  spec: BuildSpec,
  runDirectory: string,
  timeline: Timeline,
): Promise<{ result: Result; digest?: string; reason: string }> {
  await buildOnly(spec, runDirectory, timeline);
  return { result: Result.Built, reason: plan.reason };
}

function once<T>(start: () => Promise<T>): () => Promise<T> {
  let started: Promise<T> | undefined;
  return () => (started ??= start());
}
