import { describe, expect, test } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InputError } from '../../src/errors.js';
import { parseInputs } from '../../src/inputs/parse.js';
import { Input } from '../../src/names.js';

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-inputs-'));
fs.mkdirSync(path.join(workspace, 'app/docker'), { recursive: true });
fs.writeFileSync(path.join(workspace, 'app/Dockerfile'), 'FROM scratch\n');
fs.writeFileSync(path.join(workspace, 'app/docker/Dockerfile.prod'), 'FROM scratch\n');

const SHA = 'a'.repeat(40);
const KEY = `zak_${'0123456789abcdef'.repeat(2)}`;
const valid: Record<string, string> = {
  context: 'app',
  dockerfile: 'Dockerfile',
  image_name: 'blumeops/devpi',
  version: 'v1.0.0',
  registry: 'registry.ops.eblu.me',
  username: 'ci',
  api_key: KEY,
  sha: SHA,
  build_args: '',
  labels: '',
  target: '',
  network: '',
  push: 'true',
  insecure_registry: 'false',
};

function parse(overrides: Record<string, string> = {}) {
  const values = { ...valid, ...overrides };
  return parseInputs((name: Input) => values[name] ?? '', workspace);
}

function problemsOf(overrides: Record<string, string>): string[] {
  try {
    parse(overrides);
  } catch (error) {
    if (error instanceof InputError) return error.problems;
    throw error;
  }
  return [];
}

describe('parseInputs', () => {
  test("accepts the old action's five inputs plus credentials, resolving the Dockerfile against the context", () => {
    const inputs = parse();
    expect(inputs.build.dockerfile).toBe(path.join(workspace, 'app/Dockerfile'));
    expect(inputs.build.context).toBe(path.join(workspace, 'app'));
    expect(inputs.credentials).toEqual({ username: 'ci', apiKey: KEY });
    expect(inputs.push).toBe(true);
    expect(inputs.insecureRegistry).toBe(false);
  });

  test('a Dockerfile in a sub-folder of the context, as the old action allowed', () => {
    expect(parse({ dockerfile: 'docker/Dockerfile.prod' }).build.dockerfile).toBe(
      path.join(workspace, 'app/docker/Dockerfile.prod'),
    );
  });

  test('a registry with a port, and IPv4 or IPv6 hosts', () => {
    expect(parse({ registry: '127.0.0.1:5000' }).registry).toBe('127.0.0.1:5000');
    expect(parse({ registry: '[::1]:5000' }).registry).toBe('[::1]:5000');
    expect(parse({ registry: 'localhost' }).registry).toBe('localhost');
  });

  test('an upper-case commit SHA is normalised', () => {
    expect(parse({ sha: 'ABCDEF0123456789ABCDEF0123456789ABCDEF01' }).sha).toBe(
      'abcdef0123456789abcdef0123456789abcdef01',
    );
  });

  test('build args and labels, one KEY=VALUE a line, values may hold = and spaces', () => {
    const inputs = parse({ build_args: 'A=1\n\n  B=x=y z \r\nC=', labels: 'team=ops' });
    expect(inputs.build.buildArgs).toEqual(['A=1', 'B=x=y z', 'C=']);
    expect(inputs.build.labels).toEqual(['team=ops']);
  });

  test('push: false with a username but no key reads anonymously (a pull request gets no secret)', () => {
    expect(parse({ push: 'false', api_key: '' }).credentials).toBeUndefined();
  });

  test('push: false needs no credentials', () => {
    const inputs = parse({ push: 'false', username: '', api_key: '' });
    expect(inputs.push).toBe(false);
    expect(inputs.credentials).toBeUndefined();
  });

  test.each([
    [Input.Version, { version: '' }],
    [Input.Version, { version: 'v1\nv2' }],
    [Input.Version, { version: '-v1' }],
    [Input.Version, { version: '.hidden' }],
    [Input.Version, { version: 'v'.repeat(129) }],
    [Input.Version, { version: 'v1.0.0+build' }],
    [Input.Version, { version: 'b'.repeat(40) }],
    [Input.Version, { version: 'B'.repeat(64) }],
    [Input.Version, { version: 'latest' }],
    [Input.Sha, { sha: 'abc123' }],
    [Input.Sha, { sha: `-${'a'.repeat(39)}` }],
    [Input.Sha, { sha: `${'a'.repeat(40)}\n` }],
    [Input.Sha, { sha: '' }],
    [Input.ImageName, { image_name: 'Blumeops/devpi' }],
    [Input.ImageName, { image_name: 'blumeops/../devpi' }],
    [Input.ImageName, { image_name: 'blumeops//devpi' }],
    [Input.ImageName, { image_name: '' }],
    [Input.ImageName, { image_name: 'registry.ops.eblu.me/blumeops/devpi' }],
    [Input.Registry, { registry: 'https://registry.ops.eblu.me' }],
    [Input.Registry, { registry: 'registry.ops.eblu.me/v2' }],
    [Input.Registry, { registry: 'user:pw@registry.ops.eblu.me' }],
    [Input.Registry, { registry: 'registry.ops.eblu.me:99999' }],
    [Input.Registry, { registry: 'bad host' }],
    [Input.Registry, { registry: '' }],
    [Input.Registry, { registry: '[:::]' }],
    [Input.Registry, { registry: '[::1' }],
    [Input.Registry, { registry: '[1.2.3.4]:5000' }],
    [Input.ApiKey, { api_key: 'hunter2' }],
    [Input.ApiKey, { api_key: '' }],
    [Input.Username, { username: '' }],
    [Input.Username, { username: 'ci:admin' }],
    [Input.Username, { username: '', push: 'false' }],
    [Input.Context, { context: 'missing' }],
    [Input.Context, { context: '' }],
    [Input.Dockerfile, { dockerfile: 'Containerfile' }],
    [Input.BuildArgs, { build_args: 'A=1\nNOEQUALS' }],
    [Input.BuildArgs, { build_args: '=value' }],
    [Input.Labels, { labels: 'just-a-word' }],
    [Input.Push, { push: 'maybe' }],
    [Input.Push, { push: 'yes' }],
    [Input.InsecureRegistry, { insecure_registry: '1' }],
    [Input.Network, { network: 'bridge0' }],
    [Input.Target, { target: 'stage one' }],
  ])('a bad `%s` is named in the one problem reported: %j', (input, overrides) => {
    const problems = problemsOf(overrides);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`\`${input}\``);
  });

  test('several bad inputs are reported together, in one error', () => {
    expect(() => parse({ version: '', registry: 'http://x' })).toThrow(
      /Invalid inputs:\n- `registry`.*\n- `version`/s,
    );
  });

  test('a rejected key is never echoed in the message', () => {
    const secret = 'not-a-zak-but-secret';
    const problems = problemsOf({ api_key: secret });
    expect(problems.join('\n')).not.toContain(secret);
  });

  test.each([
    [Input.Labels, { labels: `note=${KEY}` }],
    [Input.BuildArgs, { build_args: `TOKEN=${KEY}` }],
    [Input.Target, { target: KEY }],
    [Input.Version, { version: KEY }],
    [Input.ImageName, { image_name: `team/${KEY}` }],
    [Input.Network, { network: KEY }],
  ])('the key in `%s` is refused, named, and not echoed', (input, overrides) => {
    const problems = problemsOf(overrides).filter((problem) => problem.includes('contains the API key'));
    expect(problems).toEqual([expect.stringContaining(`\`${input}\``)]);
    expect(problemsOf(overrides).join('\n')).not.toContain(KEY);
  });

  test('a commit-like tag that is not 40 or 64 hex digits is a fine version', () => {
    expect(parse({ version: 'a'.repeat(39) }).version).toBe('a'.repeat(39));
    expect(parse({ version: 'latest-1' }).version).toBe('latest-1');
  });

  test('credentials in a registry input are not echoed either', () => {
    const problems = problemsOf({ registry: 'https://user:pw@registry.example' });
    expect(problems.join('\n')).not.toContain('pw');
  });
});
