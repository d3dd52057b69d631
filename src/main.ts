import * as core from '@actions/core';
import { build, buildPlan, loadInto } from './buildx.js';
import { endChildren, recordChildrenIn } from './children.js';
import { info } from './log.js';
import { messageOf } from './errors.js';
import { parseInputs, type Inputs } from './inputs.js';
import { Input, Result, State } from './names.js';
import { decide, type Plan, type Tags } from './publication.js';
import { readPublication } from './registry-state.js';
import { publishConverging } from './publish.js';
import { RegistryClient } from './registry.js';
import { defaultRetryPolicy } from './retry.js';
import { report, setReferenceOutputs, setResultOutputs } from './report.js';
import { childrenDirectory, createRunDirectory } from './run-directory.js';
import { Timeline } from './timeline.js';
import { warnOfKeyExpiry } from './key-expiry.js';
import { scrub } from './tools.js';

/** The main step. The state it saves first tells the post step (see index.ts) apart. */
export async function run(): Promise<void> {
  core.saveState(State.IsPost, 'true');
  // A cancelled step ends what it started (a build, a push holding credentials), then dies of
  // the same signal, as it would have without this handler; the post step still runs.
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.once(signal, () => {
      void endChildren().finally(() => process.kill(process.pid, signal));
    });
  try {
    await main();
  } catch (error) {
    // The last line of defence: no message leaves with the key in it.
    core.setFailed(scrub(messageOf(error), [core.getInput(Input.ApiKey)]));
  }
}

async function main(): Promise<void> {
  const inputs = readInputs();
  const tags: Tags = {
    image: `${inputs.registry}/${inputs.imageName}`,
    version: inputs.version,
    sha: inputs.sha,
  };
  setReferenceOutputs(tags);
  const runDirectory = await createRunDirectory();
  recordChildrenIn(childrenDirectory(runDirectory));
  const registry = new RegistryClient({
    host: inputs.registry,
    insecure: inputs.insecureRegistry,
    credentials: inputs.credentials,
    timeoutMs: registryTimeoutMs(process.env),
    log: info,
  });
  const timeline = new Timeline();
  try {
    await timeline.phase('Check the key', () => checkKey(inputs, registry));
    const check = async (phase: string) =>
      decide(await timeline.phase(phase, () => readPublication(registry, inputs)), tags);
    const plan = await check('Check the registry');
    info(plan.reason);
    const { result, digest, reason } = inputs.push
      ? await publishConverging(plan, () => check('Check the registry again'), {
          inputs,
          tags,
          registry,
          runDirectory,
          timeline,
          sleep: defaultRetryPolicy.sleep,
        })
      : await buildOnly(plan, inputs, runDirectory, timeline);
    setResultOutputs(result, digest);
    await report({ tags, result, digest, detail: reason, phases: timeline.phases });
  } catch (error) {
    await report({ tags, detail: messageOf(error), phases: timeline.phases });
    throw error;
  } finally {
    await registry.close();
  }
}

/** How long one registry request may wait for an answer: BUILD_PUSH_IMAGE_TIMEOUT_SECONDS, 30 by default. */
export function registryTimeoutMs(env: NodeJS.ProcessEnv): number {
  const seconds = Number(env.BUILD_PUSH_IMAGE_TIMEOUT_SECONDS);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 30_000;
}

function readInputs(): Inputs {
  const apiKey = core.getInput(Input.ApiKey);
  const username = core.getInput(Input.Username);
  // Masked before anything could print them, the Basic header's encoding included.
  if (apiKey) {
    core.setSecret(apiKey);
    core.setSecret(Buffer.from(`${username}:${apiKey}`).toString('base64'));
  }
  const shown = Object.values(Input).filter((name) => name !== Input.ApiKey);
  core.debug(`inputs: ${shown.map((name) => `${name}=${JSON.stringify(core.getInput(name))}`).join(' ')}`);
  return parseInputs((name) => core.getInput(name));
}

/** One authenticated request proves the key before anything is built or pushed. */
async function checkKey(inputs: Inputs, registry: RegistryClient): Promise<void> {
  await registry.checkCredentials();
  if (!inputs.credentials) {
    info(`Reading ${inputs.registry} anonymously (not pushing).`);
    return;
  }
  info(`${inputs.registry} accepted the API key of ${inputs.credentials.username}.`);
  await warnOfKeyExpiry(registry, inputs.keyExpiryWarningDays, new Date());
}

async function buildOnly(
  plan: Plan,
  inputs: Inputs,
  runDirectory: string,
  timeline: Timeline,
): Promise<{ result: Result; digest?: string; reason: string }> {
  await timeline.phase('Build', () =>
    build(inputs, buildPlan(inputs, loadInto(runDirectory), process.env, new Date())),
  );
  return { result: Result.Built, reason: plan.reason };
}
