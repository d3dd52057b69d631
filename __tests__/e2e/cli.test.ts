// The command line, `node dist/cli.js` as a user runs it (no node_modules needed), against the
// test bed: it publishes both tags, converges on a re-run, refuses a taken version, prints the
// outputs alone on stdout, never shows the key, and leaves no folder behind, signalled or not.
import { describe, expect, jest, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { dockerArchive } from '../helpers/archives.js';
import {
  inspect,
  makeContext,
  randomSha,
  testbed,
  toolShims,
  uniqueName,
  type ActionRun,
} from './harness.js';

jest.setTimeout(240_000);
const bed = testbed();
const root = path.resolve(import.meta.dirname, '../..');

interface CliRun extends Pick<ActionRun, 'dockerCalls' | 'childEnvironment'> {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The RUNNER_TEMP the run made its folder in. */
  runnerTemp: string;
}

/**
 * `node dist/cli.js args` with a docker that records its argv, `env` added to the environment
 * (no GITHUB_SHA and no BUILD_PUSH_IMAGE_* of this process), `stdin` written to it.
 */
async function cli(
  args: string[],
  options: { env?: Record<string, string>; stdin?: string; onStart?: (pid: number) => void } = {},
): Promise<CliRun> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-cli-'));
  const runnerTemp = path.join(work, 'temp');
  fs.mkdirSync(runnerTemp);
  const shims = await toolShims(work);
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env))
    if (name.startsWith('BUILD_PUSH_IMAGE_') || name.startsWith('GITHUB_') || name.startsWith('INPUT_'))
      delete env[name];
  Object.assign(env, { PATH: shims.searchPath, RUNNER_TEMP: runnerTemp, ...options.env });
  const child = spawn(process.env.BPI_NODE || process.execPath, [path.join(root, 'dist/cli.js'), ...args], {
    env,
    cwd: work,
  });
  options.onStart?.(child.pid!);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  child.stdin.end(options.stdin ?? '');
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('close', (code, signal) => resolve([code, signal])),
  );
  return { exitCode, signal, stdout, stderr, runnerTemp, ...shims.calls() };
}

function publishArgs(name: string, context = makeContext()): string[] {
  return [
    '--context',
    context,
    '--image-name',
    name,
    '--version',
    'v1.0.0',
    '--registry',
    bed.registry,
    '--username',
    bed.username,
    '--insecure-registry',
  ];
}

const builds = (run: CliRun): string[] => run.dockerCalls.filter((call) => call.startsWith('buildx build'));

/** Neither the log, the outputs nor any child's environment holds the key. */
function expectNoKey(run: CliRun): void {
  expect(run.stdout).not.toContain(bed.apiKey);
  expect(run.stderr).not.toContain(bed.apiKey);
  expect(run.childEnvironment).not.toContain(bed.apiKey);
}

describe('the command line', () => {
  const name = uniqueName('cli');
  const sha = randomSha();
  const context = makeContext();

  test('publishes both tags, the key from stdin: the outputs as JSON alone on stdout, the log on stderr', async () => {
    const run = await cli(['--json', '--api-key-stdin', '--sha', sha, ...publishArgs(name, context)], {
      stdin: `${bed.apiKey}\n`,
    });
    expect(run.stderr).not.toMatch(/^error:/m);
    expect(run.exitCode).toBe(0);
    expect(builds(run)).toHaveLength(1);
    const version = await inspect(`${bed.registry}/${name}:v1.0.0`);
    expect((await inspect(`${bed.registry}/${name}:${sha}`))?.Digest).toBe(version?.Digest);
    expect(version?.Labels['org.opencontainers.image.revision']).toBe(sha);
    // stdout is one line, one JSON object: the outputs; everything else went to stderr.
    expect(run.stdout.split('\n')).toEqual([expect.stringMatching(/^\{.*\}$/), '']);
    expect(JSON.parse(run.stdout)).toEqual({
      image: `${bed.registry}/${name}`,
      version_ref: `${bed.registry}/${name}:v1.0.0`,
      sha_ref: `${bed.registry}/${name}:${sha}`,
      digest: version?.Digest,
      result: 'pushed',
    });
    expect(run.stderr).toContain('== Build');
    expect(run.stderr).toContain('[command]docker buildx build');
    expect(run.stderr).toContain(`build-push-image: ${bed.registry}/${name}:v1.0.0 pushed`);
    expect(run.stderr).toMatch(/\nRemoved \S+\/build-push-image-\S+ \(credentials of this run\)\.\n$/);
    expect(run.stderr).not.toMatch(/^::/m);
    expectNoKey(run);
    expect(fs.readdirSync(run.runnerTemp)).toEqual([]);
  });

  test('a re-run converges, the key and the commit from the environment: already published, no build', async () => {
    const run = await cli(publishArgs(name, context), {
      env: { BUILD_PUSH_IMAGE_API_KEY: bed.apiKey, GITHUB_SHA: sha },
    });
    expect(run.exitCode).toBe(0);
    expect(builds(run)).toEqual([]);
    // Without --json: name=value lines.
    expect(run.stdout).toContain('\nresult=already-published\n');
    expect(run.stdout).toContain(`sha_ref=${bed.registry}/${name}:${sha}\n`);
    expect(
      run.stdout
        .split('\n')
        .filter(Boolean)
        .every((line) => /^[a-z_]+=/.test(line)),
    ).toBe(true);
    expectNoKey(run);
    expect(fs.readdirSync(run.runnerTemp)).toEqual([]);
  });

  test('a taken version is refused before any build: another commit, exit 1, nothing written', async () => {
    const before = await inspect(`${bed.registry}/${name}:v1.0.0`);
    const other = randomSha();
    const run = await cli(['--json', '--sha', other, ...publishArgs(name)], {
      env: { BUILD_PUSH_IMAGE_API_KEY: bed.apiKey },
    });
    expect(run.exitCode).toBe(1);
    expect(builds(run)).toEqual([]);
    expect(run.stderr).toMatch(/\nerror: .*v1\.0\.0/);
    const outputs = JSON.parse(run.stdout) as Record<string, string>;
    expect(outputs.version_ref).toBe(`${bed.registry}/${name}:v1.0.0`);
    expect(outputs.result).toBeUndefined();
    expect((await inspect(`${bed.registry}/${name}:v1.0.0`))?.Digest).toBe(before?.Digest);
    expect(await inspect(`${bed.registry}/${name}:${other}`)).toBeUndefined();
    expectNoKey(run);
    expect(fs.readdirSync(run.runnerTemp)).toEqual([]);
  });

  test('the key on argv is refused before anything runs (exit 2), never echoed', async () => {
    const run = await cli(['--api-key', bed.apiKey, '--sha', randomSha(), ...publishArgs(uniqueName('cli'))]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('`--api-key` is not taken on the command line');
    expect(run.stderr).toContain('BUILD_PUSH_IMAGE_API_KEY or --api-key-stdin');
    expect(run.dockerCalls).toEqual([]);
    expect(run.stdout).toBe('');
    expectNoKey(run);
  });
});

describe('the command line in push-only mode (the nix pipeline)', () => {
  test('a docker-archive of this commit, the key from the environment (off argv): published as one tag scheme, no engine', async () => {
    const name = uniqueName('cli-nix');
    const sha = randomSha();
    const result = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-nix-')), 'result');
    dockerArchive(result, { 'org.opencontainers.image.revision': sha }, { hello: `nix ${sha}` });
    const args = [
      '--json',
      '--source',
      `docker-archive:${result}`,
      '--tags',
      '{{version}}-{{sha7}}',
      '--sha',
      sha,
      '--image-name',
      name,
      '--version',
      'v2.0.0',
      '--registry',
      bed.registry,
      '--username',
      bed.username,
      '--insecure-registry',
    ];
    const env = { BUILD_PUSH_IMAGE_API_KEY: bed.apiKey, DOCKER_HOST: 'tcp://127.0.0.1:9' };
    const run = await cli(args, { env });
    expect(run.stderr).not.toMatch(/^error:/m);
    expect(run.exitCode).toBe(0);
    expect(run.dockerCalls).toEqual([]);
    const outputs = JSON.parse(run.stdout) as Record<string, string>;
    expect(outputs.result).toBe('pushed');
    expect(outputs.version_ref).toBe(`${bed.registry}/${name}:v2.0.0-${sha.slice(0, 7)}`);
    expect((await inspect(outputs.version_ref))?.Digest).toBe(outputs.digest);
    expectNoKey(run);
    const again = await cli(args, { env });
    expect(JSON.parse(again.stdout)).toMatchObject({ result: 'already-published', digest: outputs.digest });
  });
});

describe('a signalled command line', () => {
  /** Processes whose command line names `marker`, with their argv. */
  function processesNaming(marker: string): string[] {
    const found: string[] = [];
    for (const pid of fs.readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)))
      try {
        const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
        if (argv.includes(marker)) found.push(`${pid}: ${argv}`);
      } catch {
        // ended between the listing and the read
      }
    return found;
  }

  test.each(['SIGTERM', 'SIGINT'] as const)(
    'by %s ends its build, removes its folder, and dies of the signal',
    async (signal) => {
      const context = makeContext('FROM build-push-image-test/busybox:local\nRUN sleep 60\n');
      let pid = 0;
      let signalled = false;
      const watcher = setInterval(() => {
        // The build itself, not the `sh -c` that records it and then becomes it.
        const building = processesNaming(context).some(
          (line) => line.includes('buildx build') && !line.includes('/bin/sh -c'),
        );
        if (pid && !signalled && building) {
          signalled = true;
          process.kill(pid, signal);
        }
      }, 50);
      const run = await cli(
        ['--sha', randomSha(), '--network', 'none', ...publishArgs(uniqueName('cli'), context)],
        {
          env: { BUILD_PUSH_IMAGE_API_KEY: bed.apiKey },
          onStart: (started) => (pid = started),
        },
      ).finally(() => clearInterval(watcher));
      expect(signalled).toBe(true);
      expect(run.signal).toBe(signal);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(processesNaming(context)).toEqual([]);
      expect(fs.readdirSync(run.runnerTemp)).toEqual([]);
      expectNoKey(run);
    },
  );
});
