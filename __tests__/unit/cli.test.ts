// The command line's run in this process, as far as no engine is needed: --help, a bad input
// (exit 2), and a registry that refuses the key (exit 1): the outputs on stdout as JSON, the
// log on stderr, the key in neither, the run's folder gone.
import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ExitCode, run } from '../../src/cli.js';
import { helpText } from '../../src/command-line/help.js';
import { actionsSurface, useSurface } from '../../src/report/surface.js';

const KEY = `zak_${'c'.repeat(32)}`;
const SHA = 'c'.repeat(40);
const saved = { ...process.env };
let stdout: string[];
let stderr: string[];

beforeEach(() => {
  stdout = [];
  stderr = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(String(chunk));
    return true;
  });
  jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  });
});

afterEach(() => {
  jest.restoreAllMocks();
  useSurface(actionsSurface);
  process.env = { ...saved };
});

test('--help prints the help on stdout and nothing else', async () => {
  expect(await run(['--help'])).toBe(ExitCode.Done);
  expect(stdout.join('')).toBe(helpText());
  expect(stderr).toEqual([]);
});

test('a bad input: exit 2, one error naming the flags on stderr, an empty JSON object on stdout', async () => {
  process.env.BUILD_PUSH_IMAGE_API_KEY = KEY;
  delete process.env.GITHUB_SHA;
  expect(await run(['--json', '--image-name', 'Team/App', '--api-key', KEY])).toBe(ExitCode.BadInput);
  expect(stdout.join('')).toBe('{}\n');
  const log = stderr.join('');
  expect(log).toMatch(/^error: Invalid input: `--api-key` is not taken on the command line/);
  expect(log).not.toContain(KEY);
});

describe('against a registry that refuses the key', () => {
  let server: http.Server;
  let registry: string;
  let runnerTemp: string;

  beforeEach(async () => {
    server = http.createServer((_, answer) => {
      answer.writeHead(401, { 'www-authenticate': 'Basic realm="zot"' }).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    registry = `localhost:${(server.address() as AddressInfo).port}`;
    runnerTemp = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-cli-temp-'));
  });

  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
    fs.rmSync(runnerTemp, { recursive: true, force: true });
  });

  test('exit 1; the outputs known so far on stdout, the log on stderr, no key, no folder left', async () => {
    const context = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-cli-context-'));
    fs.writeFileSync(path.join(context, 'Dockerfile'), 'FROM scratch\n');
    Object.assign(process.env, {
      RUNNER_TEMP: runnerTemp,
      GITHUB_SHA: SHA,
      BUILD_PUSH_IMAGE_API_KEY: KEY,
      BUILD_PUSH_IMAGE_USERNAME: 'ci',
    });
    const code = await run([
      '--json',
      '--context',
      context,
      '--image-name',
      'team/app',
      '--version',
      'v1.0.0',
      '--registry',
      registry,
      '--insecure-registry',
    ]);
    expect(code).toBe(ExitCode.Failed);
    expect(JSON.parse(stdout.join(''))).toEqual({
      image: `${registry}/team/app`,
      version_ref: `${registry}/team/app:v1.0.0`,
      sha_ref: `${registry}/team/app:${SHA}`,
    });
    const log = stderr.join('');
    expect(log).toContain('== Check the key');
    expect(log).toMatch(/\nerror: .*rejected the API key/);
    expect(log).toContain(`Removed ${fs.realpathSync(runnerTemp)}/build-push-image-`);
    expect(log + stdout.join('')).not.toContain(KEY);
    expect(fs.readdirSync(runnerTemp)).toEqual([]);
    // The inputs' variables left the environment once read: no child inherits the key.
    expect(process.env.BUILD_PUSH_IMAGE_API_KEY).toBeUndefined();
    expect(process.listenerCount('SIGINT')).toBe(0);
    fs.rmSync(context, { recursive: true });
  });
});
