import * as core from '@actions/core';
import { publishImage } from './core/publish-image.js';
import { messageOf } from './errors.js';
import { parseInputs } from './inputs/parse.js';
import { describeInputs, readRawInputs } from './inputs/read.js';
import { readSecrets } from './inputs/secrets.js';
import { endChildren } from './process/children.js';
import { markMainStep } from './process/saved-state.js';
import { neutralise } from './report/log.js';

/** The main step. The state it saves first tells the post step (see index.ts) apart. */
export async function run(): Promise<void> {
  markMainStep();
  // Every input is read once, here; the secrets among them are masked before anything else.
  const raw = readRawInputs((name) => core.getInput(name));
  const secrets = readSecrets(raw);
  core.debug(describeInputs(raw));
  endChildrenWhenCancelled();
  try {
    await publishImage(parseInputs(raw), secrets);
  } catch (error) {
    // The last line of defence: no message leaves with the key in it, or as a workflow command.
    core.setFailed(neutralise(secrets.scrub(messageOf(error))));
  }
}

/** A cancelled step ends what it started (a build, a push holding credentials), then dies of the same signal. */
function endChildrenWhenCancelled(): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.once(signal, () => {
      void endChildren().finally(() => process.kill(process.pid, signal));
    });
}
