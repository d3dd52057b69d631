// The key never appears: not in the log, not in any process's argv or in the environment
// docker and skopeo get, not in the runner's files, not in a file left behind.
import { describe, expect, jest, test } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { errors, makeContext, randomSha, runAction, testbed, uniqueName, type ActionRun } from './harness.js';

jest.setTimeout(240_000);
const bed = testbed();
const basic = Buffer.from(`${bed.username}:${bed.apiKey}`).toString('base64');

/** Reads every process's argv (and the environment of docker and skopeo) until stopped. */
function sampleProcesses(): { stop: () => { samples: number; commands: Set<string>; leaks: string[] } } {
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
        if (argv.includes(bed.apiKey) || argv.includes(basic)) leaks.push(`argv of ${pid}: ${command}`);
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
});
