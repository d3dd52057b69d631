// The demo's three runs of the committed action, through the local runner (see demo.sh).
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { root, runAction } from './local-runner.mjs';
import { readTestbed } from './testbed/testbed.mjs';

const bed = readTestbed();
const image = `demo/hello-${randomBytes(3).toString('hex')}`;
// A copy outside this repository: the demo's commits are made up, and a context inside a checkout
// of another commit would get the action's warning that the files built are not the commit's.
const context = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-demo-'));
fs.cpSync(path.join(root, 'examples/hello'), context, { recursive: true });
const inputs = {
  context,
  image_name: image,
  version: 'v1.0.0',
  registry: bed.registry,
  username: bed.username,
  api_key: bed.apiKey,
  insecure_registry: 'true',
};
// What the terminal shows, kept to check at the end that it holds no secret and no raw
// workflow command: the log is shown as a runner shows it (see RunnerLog in local-runner.mjs).
let shown = '';
for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream);
  stream.write = (/** @type {any} */ chunk, /** @type {any[]} */ ...rest) => {
    shown += String(chunk);
    return write(chunk, ...rest);
  };
}
const commitA = randomBytes(20).toString('hex');
const commitB = randomBytes(20).toString('hex');

/**
 * @param {string} title
 * @param {string} sha
 * @param {number} expectedExit
 */
async function step(title, sha, expectedExit) {
  console.log(`\n=== ${title}\n`);
  const run = await runAction({ inputs, sha, echo: 'log' });
  console.log(`\n--- exit code ${run.exitCode}; outputs: ${JSON.stringify(run.outputs, null, 2)}`);
  if (run.exitCode !== expectedExit) {
    console.error(`demo: expected exit code ${expectedExit}, got ${run.exitCode}`);
    process.exitCode = 1;
  }
  return run;
}

await step(`1. Push ${image}:v1.0.0 built from commit ${commitA.slice(0, 12)}`, commitA, 0);
await step(
  `2. Push v1.0.0 again from another commit ${commitB.slice(0, 12)}: refused before any build`,
  commitB,
  1,
);
await step(
  `3. Re-run commit ${commitA.slice(0, 12)} (as from the Forgejo UI): no build, no write`,
  commitA,
  0,
);
const secrets = [bed.apiKey, Buffer.from(`${bed.username}:${bed.apiKey}`).toString('base64')];
const leaks = shown
  .split('\n')
  .filter((line) => secrets.some((secret) => line.includes(secret)) || /^::|##\[/.test(line));
if (leaks.length > 0) {
  // Say where, never what: the lines may hold the key.
  console.error(
    `demo: ${leaks.length} line(s) of the output hold the API key, its Basic encoding or a raw workflow command`,
  );
  process.exitCode = 1;
}
console.log(
  process.exitCode
    ? '\nThe demo did not go as expected.'
    : `\nDemo done: ${bed.registry}/${image} holds v1.0.0 and ${commitA}.`,
);
fs.rmSync(context, { recursive: true, force: true });
