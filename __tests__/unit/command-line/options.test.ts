// The command line's flags and environment variables, derived from the Input enum: what each
// argv and environment gives, and what is refused (a secret on argv above all).
import { describe, expect, test } from '@jest/globals';
import {
  envOf,
  flagOf,
  inCommandLineTerms,
  isSwitch,
  parseCommandLine,
  Switch,
} from '../../../src/command-line/options.js';
import { SECRET_INPUTS } from '../../../src/inputs/read.js';
import { Input } from '../../../src/names.js';

const KEY = `zak_${'s'.repeat(32)}`;

describe('names', () => {
  test('every input has a flag and an environment variable of its own name', () => {
    for (const input of Object.values(Input)) {
      expect(flagOf(input)).toBe(`--${input.split('_').join('-')}`);
      expect(envOf(input)).toBe(`BUILD_PUSH_IMAGE_${input.toUpperCase()}`);
    }
    expect(flagOf(Input.ImageName)).toBe('--image-name');
    expect(envOf(Input.ImageName)).toBe('BUILD_PUSH_IMAGE_IMAGE_NAME');
  });

  test("no input's flag is one of the command line's own options", () => {
    const flags = Object.values(Input).map(flagOf);
    for (const own of [...Object.values(Switch), '-h']) expect(flags).not.toContain(own);
  });

  test('the inputs whose default is true or false are switches', () => {
    expect(Object.values(Input).filter(isSwitch).sort()).toEqual(
      [
        Input.CommitTag,
        Input.InsecureRegistry,
        Input.NoCache,
        Input.Provenance,
        Input.Pull,
        Input.Push,
        Input.Sbom,
      ].sort(),
    );
  });
});

describe('parseCommandLine', () => {
  test.each<[string, string[], Record<string, string>, Partial<Record<Input, string>>]>([
    ['a flag and its value', ['--image-name', 'team/app'], {}, { image_name: 'team/app' }],
    ['a flag=value', ['--image-name=team/app'], {}, { image_name: 'team/app' }],
    ['a value holding =', ['--build-args', 'A=1=2'], {}, { build_args: 'A=1=2' }],
    ['an empty value after =', ['--target='], {}, { target: '' }],
    ['the environment', [], { BUILD_PUSH_IMAGE_IMAGE_NAME: 'team/env' }, { image_name: 'team/env' }],
    [
      'a flag over the environment',
      ['--image-name', 'team/flag'],
      { BUILD_PUSH_IMAGE_IMAGE_NAME: 'team/env' },
      { image_name: 'team/flag' },
    ],
    [
      'a flag given twice: two lines',
      ['--build-args', 'A=1', '--labels', 'x=y', '--build-args=B=2'],
      {},
      { build_args: 'A=1\nB=2', labels: 'x=y' },
    ],
    ['a switch alone: true', ['--no-cache', '--pull'], {}, { no_cache: 'true', pull: 'true' }],
    [
      'a switch with its value',
      ['--push', 'false', '--insecure-registry=true'],
      {},
      { push: 'false', insecure_registry: 'true' },
    ],
    [
      'a switch taking options',
      ['--provenance', 'mode=max', '--sbom'],
      {},
      { provenance: 'mode=max', sbom: 'true' },
    ],
    ['a value that starts with one dash', ['--target', '-x'], {}, { target: '-x' }],
    [
      'secrets from the environment',
      [],
      { BUILD_PUSH_IMAGE_API_KEY: KEY, BUILD_PUSH_IMAGE_SECRETS: 'a=b' },
      { api_key: KEY, secrets: 'a=b' },
    ],
    ['other variables are not inputs', [], { IMAGE_NAME: 'x', BUILD_PUSH_IMAGE_TIMEOUT_SECONDS: '5' }, {}],
  ])('%s', (_, argv, env, given) => {
    const line = parseCommandLine(argv, env);
    expect(line.problems).toEqual([]);
    expect(line.given).toEqual(given);
  });

  test("the command line's own options", () => {
    expect(parseCommandLine([], {})).toEqual({
      given: {},
      help: false,
      json: false,
      verbose: false,
      apiKeyStdin: false,
      problems: [],
    });
    const line = parseCommandLine(
      ['--json', '--verbose', '--api-key-stdin', '--signing-key-file', '/keys/cosign.key', '-h'],
      {},
    );
    expect(line).toMatchObject({
      help: true,
      json: true,
      verbose: true,
      apiKeyStdin: true,
      signingKeyFile: '/keys/cosign.key',
      problems: [],
    });
    expect(parseCommandLine(['--signing-key-file=/k'], {}).signingKeyFile).toBe('/k');
    expect(parseCommandLine(['--help'], {}).help).toBe(true);
  });

  test.each<[string, string[], string[]]>([
    ['a flag without its value', ['--context', '--json'], ['`--context` needs a value.']],
    ['a flag last without its value', ['--image-name'], ['`--image-name` needs a value.']],
    [
      'an unknown flag, its value not shown',
      ['--colour=zak_hidden'],
      ['`--colour` is not an option of build-push-image (see --help).'],
    ],
    [
      'an argument that is no option, not shown',
      ['--api-key-stdin', 'zak_hidden'],
      ['argument 2 is not an option (options start with `--`; it is not shown, in case it is a secret).'],
    ],
    ['an option that takes no value', ['--json=yes'], ['`--json` takes no value.']],
    [
      'a key file without its path',
      ['--signing-key-file'],
      ["`--signing-key-file` needs the path of the key's PEM file."],
    ],
  ])('refuses %s', (_, argv, problems) => {
    const line = parseCommandLine(argv, {});
    expect(line.problems).toEqual(problems);
    expect(JSON.stringify(line)).not.toContain('zak_hidden');
  });

  test.each(SECRET_INPUTS.flatMap((input) => [[input, 'apart'] as const, [input, 'joined'] as const]))(
    'refuses %s on argv (%s), naming where it may come from, never its value',
    (input, form) => {
      const argv = form === 'apart' ? [flagOf(input), KEY, '--json'] : [`${flagOf(input)}=${KEY}`, '--json'];
      const line = parseCommandLine(argv, { [envOf(input)]: 'from-env' });
      expect(line.problems).toHaveLength(1);
      expect(line.problems[0]).toContain(`\`${flagOf(input)}\` is not taken on the command line`);
      expect(line.problems[0]).toContain(envOf(input));
      expect(JSON.stringify(line)).not.toContain(KEY);
      // The refused value is not read as a stray argument; the environment still counts.
      expect(line.json).toBe(true);
      expect(line.given[input]).toBe('from-env');
    },
  );

  test('the key and the signing key name their other sources', () => {
    expect(parseCommandLine(['--api-key', KEY], {}).problems[0]).toMatch(
      /give it as BUILD_PUSH_IMAGE_API_KEY or --api-key-stdin\.$/,
    );
    expect(parseCommandLine(['--signing-key', 'pem'], {}).problems[0]).toMatch(
      /give it as BUILD_PUSH_IMAGE_SIGNING_KEY or --signing-key-file\.$/,
    );
  });

  test('every problem is gathered, in order', () => {
    expect(parseCommandLine(['--nope', '--context', '--api-key', KEY], {}).problems).toHaveLength(3);
  });
});

describe('inCommandLineTerms', () => {
  test.each([
    ['Invalid input: `image_name` is required.', 'Invalid input: `--image-name` is required.'],
    [
      '`api_key` is required when `push` is true',
      '`BUILD_PUSH_IMAGE_API_KEY` is required when `--push` is true',
    ],
    [
      '`build_platforms` names platforms of `platforms`',
      '`--build-platforms` names platforms of `--platforms`',
    ],
    ['`latest` and `docker buildx` stay', '`latest` and `docker buildx` stay'],
    ['image_name without backticks stays', 'image_name without backticks stays'],
  ])('%j', (message, shown) => {
    expect(inCommandLineTerms(message)).toBe(shown);
  });
});
