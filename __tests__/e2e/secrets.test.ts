// The key never appears: not in the log, not in any process's argv or in the environment
// docker and skopeo get, not in the runner's files, not in a file left behind. A build secret
// reaches only the build: not argv, not the log, not the pushed image.
import { describe, expect, jest, test } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import {
  errors,
  makeContext,
  pushInputs,
  randomSha,
  runAction,
  testbed,
  uniqueName,
  type ActionRun,
} from './harness.js';
import { fileInImage, imageBlobs } from './image-contents.js';

jest.setTimeout(240_000);
const bed = testbed();
const basic = Buffer.from(`${bed.username}:${bed.apiKey}`).toString('base64');

/**
 * Reads every process's argv (and the environment of docker and skopeo) until stopped, looking
 * for the key in both, and for `alsoInArgv` in argv.
 */
function sampleProcesses(alsoInArgv: string[] = []): {
  stop: () => { samples: number; commands: Set<string>; leaks: string[] };
} {
  const inArgv = [bed.apiKey, basic, ...alsoInArgv];
  const commands = new Set<string>();
  const leaks: string[] = [];
  let samples = 0;
  const timer = setInterval(() => {
    samples++;
    for (const pid of fs.readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
      try {
        const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
        const command = path.basename(argv.split(' ')[0] ?? '');
        commands.add(command);
        if (inArgv.some((secret) => argv.includes(secret))) leaks.push(`argv of ${pid}: ${command}`);
        if (command === 'skopeo' || command === 'docker' || argv.includes('docker-buildx')) {
          const environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8');
          if (environ.includes(bed.apiKey)) leaks.push(`environment of ${pid}: ${command}`);
        }
      } catch {
        // the process ended between the listing and the read
      }
    }
  }, 5);
  return {
    stop: () => {
      clearInterval(timer);
      return { samples, commands, leaks };
    },
  };
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

function expectNoKeyAnywhere(run: ActionRun, home: string): void {
  // The log: the runner's own mask commands are the only place the key and its encoding stand.
  const log = [run.stdout, run.stderr, run.post.stdout, run.post.stderr]
    .join('\n')
    .replace(`::add-mask::${bed.apiKey}`, '')
    .replace(`::add-mask::${basic}`, '');
  expect(log).not.toContain(bed.apiKey);
  expect(log).not.toContain(basic);
  // The runner's files.
  for (const file of ['output', 'state', 'env', 'summary', 'post-state'])
    expect(fs.readFileSync(path.join(run.work, file), 'utf8')).not.toContain(bed.apiKey);
  // What docker and skopeo were started with.
  expect(run.childEnvironment).not.toContain(bed.apiKey);
  expect(run.childEnvironment).not.toMatch(/^INPUT_/m);
  expect(run.childEnvironment).toMatch(/^PATH=/m);
  // Files left behind: the run's folder is gone, and nothing under RUNNER_TEMP or HOME holds the key.
  expect(fs.readdirSync(run.runnerTemp)).toEqual([]);
  for (const file of [...filesUnder(run.runnerTemp), ...filesUnder(home)])
    expect(`${file}: ${fs.readFileSync(file, 'utf8').includes(bed.apiKey)}`).toBe(`${file}: false`);
}

describe('secret hygiene', () => {
  test('a whole push and its post step', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-home-'));
    const sampler = sampleProcesses();
    const run = await runAction({
      inputs: {
        context: makeContext(),
        image_name: uniqueName('secret'),
        version: 'v1.0.0',
        registry: bed.registry,
        username: bed.username,
        api_key: bed.apiKey,
        insecure_registry: 'true',
      },
      sha: randomSha(),
      env: { HOME: home },
    });
    const { samples, commands, leaks } = sampler.stop();
    expect(errors(run)).toEqual([]);
    expect(run.outputs.result).toBe('pushed');
    expect(leaks).toEqual([]);
    // The sampler did see the children it watches for.
    expect(samples).toBeGreaterThan(10);
    expect(commands).toContain('skopeo');
    expectNoKeyAnywhere(run, home);
  });

  test('a run that fails after login still leaves no credentials behind', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-home-'));
    const run = await runAction({
      inputs: {
        context: makeContext(),
        image_name: uniqueName('secret'),
        version: 'denied-v1',
        registry: bed.createOnlyRegistry,
        username: bed.username,
        api_key: bed.apiKey,
        insecure_registry: 'true',
      },
      sha: randomSha(),
      env: { HOME: home },
    });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('skopeo logged in to');
    expect(run.post.exitCode).toBe(0);
    expectNoKeyAnywhere(run, home);
  });

  test('a build secret is used by RUN --mount=type=secret, and is in no argv, no log line and no blob of the image', async () => {
    const secret = `s3cret-${randomBytes(12).toString('hex')}`;
    const name = uniqueName('secret');
    const sha = randomSha();
    const context = makeContext(
      'FROM build-push-image-test/busybox:local\n' +
        'RUN --mount=type=secret,id=token,required=true busybox sha256sum /run/secrets/token > /token.sha\n',
    );
    const sampler = sampleProcesses([secret]);
    const run = await runAction({
      inputs: pushInputs(bed, name, { context, network: 'none', secrets: `token=${secret}` }),
      sha,
    });
    const { samples, commands, leaks } = sampler.stop();
    expect(errors(run)).toEqual([]);
    expect(run.outputs.result).toBe('pushed');
    // Used: the image holds the secret's hash, written by the RUN step that mounted it.
    const hash = createHash('sha256').update(secret).digest('hex');
    expect(await fileInImage(`${bed.registry}/${name}:v1.0.0`, 'token.sha')).toBe(
      `${hash}  /run/secrets/token\n`,
    );
    // Not in any process's argv (docker and buildx included), nor in docker's recorded argv.
    expect(leaks).toEqual([]);
    expect(samples).toBeGreaterThan(10);
    expect(commands).toContain('docker');
    expect(run.dockerCalls.join('\n')).toContain('--secret id=token,env=BUILD_PUSH_IMAGE_SECRET_0');
    expect(run.dockerCalls.join('\n')).not.toContain(secret);
    // Not in the log: masked for the runner, the mask command aside.
    expect(run.stdout).toContain(`::add-mask::${secret}`);
    const log = [run.stdout, run.stderr, run.post.stdout, run.post.stderr]
      .join('\n')
      .replace(`::add-mask::${secret}`, '');
    expect(log).not.toContain(secret);
    // Not in any layer, the configuration (its history included) or the manifest.
    const blobs = await imageBlobs(`${bed.registry}/${name}:v1.0.0`);
    expect(blobs.length).toBeGreaterThanOrEqual(3);
    expect(blobs.filter((blob) => blob.includes(secret))).toEqual([]);
    expect(blobs.some((blob) => blob.includes(hash))).toBe(true);
    // Not in the runner's files.
    for (const file of ['output', 'state', 'env', 'summary', 'post-state'])
      expect(fs.readFileSync(path.join(run.work, file), 'utf8')).not.toContain(secret);
  });
});
