// The command line's inputs read once into RawInputs: action.yaml's defaults where nothing was
// given, the runner's expressions from their variables, the key from stdin, the signing key
// from its file; and what the environment keeps afterwards.
import { describe, expect, test } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseCommandLine } from '../../../src/command-line/options.js';
import {
  commandLineInputs,
  forgetInputsIn,
  readStdin,
  runnerFolders,
  runnerVariableOf,
} from '../../../src/command-line/read.js';
import { InputError } from '../../../src/errors.js';
import { Input } from '../../../src/names.js';
import { Readable } from 'node:stream';

const SHA = 'a'.repeat(40);
const KEY = `zak_${'s'.repeat(32)}`;
const noStdin = async (): Promise<string> => {
  throw new Error('stdin read');
};

async function read(argv: string[], env: NodeJS.ProcessEnv = {}, stdin = noStdin) {
  return commandLineInputs(parseCommandLine(argv, env), env, stdin);
}

async function problemsOf(promise: Promise<unknown>): Promise<string[]> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(InputError);
  return (error as InputError).problems;
}

describe('defaults', () => {
  test("action.yaml's where nothing is given; the code's fallback where a value is given empty", async () => {
    const raw = await read(['--sha', SHA, '--dockerfile=']);
    expect(raw[Input.Registry]).toBe('registry.ops.eblu.me');
    expect(raw[Input.Dockerfile]).toBe('Dockerfile');
    expect(raw[Input.Push]).toBe('true');
    expect(raw[Input.KeyExpiryWarningDays]).toBe('14');
    expect(raw[Input.Context]).toBe('');
    expect(raw[Input.ApiKey]).toBe('');
  });

  test('sha: the flag, else the environment, else GITHUB_SHA', async () => {
    const other = 'b'.repeat(40);
    expect((await read([], { GITHUB_SHA: SHA }))[Input.Sha]).toBe(SHA);
    expect((await read([], { GITHUB_SHA: SHA, BUILD_PUSH_IMAGE_SHA: other }))[Input.Sha]).toBe(other);
    expect((await read(['--sha', other], { GITHUB_SHA: SHA }))[Input.Sha]).toBe(other);
  });

  test('sha without GITHUB_SHA is refused, naming the flag, its variable and GITHUB_SHA', async () => {
    expect(await problemsOf(read(['--image-name', 'a/b']))).toEqual([
      '`--sha` is required here: its default, `${{ github.sha }}`, is read from GITHUB_SHA, which is not set. ' +
        'Give `--sha` or BUILD_PUSH_IMAGE_SHA.',
    ]);
  });

  test.each([
    ['${{ github.sha }}', 'GITHUB_SHA'],
    ['${{github.ref_name}}', 'GITHUB_REF_NAME'],
    ['registry.ops.eblu.me', undefined],
    ['${{ secrets.KEY }}', undefined],
  ])('%j is read from %s', (text, variable) => {
    expect(runnerVariableOf(text)).toBe(variable);
  });
});

describe('secrets', () => {
  test('the key from stdin, its line end trimmed, over the environment', async () => {
    const raw = await read(
      ['--api-key-stdin', '--sha', SHA],
      { BUILD_PUSH_IMAGE_API_KEY: 'zak_env' },
      async () => `${KEY}\n`,
    );
    expect(raw[Input.ApiKey]).toBe(KEY);
  });

  test('an empty stdin is refused', async () => {
    expect(await problemsOf(read(['--api-key-stdin', '--sha', SHA], {}, async () => '\n'))).toEqual([
      '`--api-key-stdin` read nothing from stdin.',
    ]);
  });

  test('stdin is not read when argv is wrong (a terminal would wait)', async () => {
    expect(await problemsOf(read(['--api-key-stdin', '--nope']))).toEqual([
      '`--nope` is not an option of build-push-image (see --help).',
    ]);
  });

  test('the signing key from its file; a file that cannot be read is named', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-cli-key-'));
    const file = path.join(folder, 'cosign.key');
    fs.writeFileSync(file, '-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nabc\n');
    expect((await read(['--signing-key-file', file, '--sha', SHA]))[Input.SigningKey]).toBe(
      '-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nabc\n',
    );
    const missing = await problemsOf(read(['--signing-key-file', path.join(folder, 'none'), '--sha', SHA]));
    expect(missing).toEqual([
      expect.stringMatching(/^`--signing-key-file` could not be read: (Error: )?ENOENT/),
    ]);
    fs.rmSync(folder, { recursive: true });
  });

  test('readStdin reads every chunk', async () => {
    expect(await readStdin(Readable.from([Buffer.from('zak_'), 'abc\n']))).toBe('zak_abc\n');
  });
});

describe('the environment afterwards', () => {
  test("the inputs' variables leave it, the others stay", () => {
    const env: NodeJS.ProcessEnv = {
      BUILD_PUSH_IMAGE_API_KEY: KEY,
      BUILD_PUSH_IMAGE_SECRETS: 'a=b',
      BUILD_PUSH_IMAGE_IMAGE_NAME: 'a/b',
      BUILD_PUSH_IMAGE_TIMEOUT_SECONDS: '5',
      PATH: '/bin',
    };
    forgetInputsIn(env);
    expect(env).toEqual({ BUILD_PUSH_IMAGE_TIMEOUT_SECONDS: '5', PATH: '/bin' });
  });

  test("the tool cache's folders, where no runner set them", () => {
    const env: NodeJS.ProcessEnv = { XDG_CACHE_HOME: '/cache' };
    runnerFolders(env);
    expect(env).toEqual({
      XDG_CACHE_HOME: '/cache',
      RUNNER_TEMP: os.tmpdir(),
      RUNNER_TOOL_CACHE: '/cache/build-push-image/tool-cache',
    });
    const runner: NodeJS.ProcessEnv = { RUNNER_TEMP: '/t', RUNNER_TOOL_CACHE: '/c' };
    runnerFolders(runner);
    expect(runner).toEqual({ RUNNER_TEMP: '/t', RUNNER_TOOL_CACHE: '/c' });
  });
});
