import { describe, expect, test } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InputError } from '../../../src/errors.js';
import { parseInputs } from '../../../src/inputs/parse.js';
import { readRawInputs } from '../../../src/inputs/read.js';
import { Input } from '../../../src/names.js';

// Push-only mode (`source`) and the tag template (`tags`), as parseInputs takes them.

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-source-'));
fs.mkdirSync(path.join(workspace, 'layout'));
fs.writeFileSync(path.join(workspace, 'result'), 'tar');
fs.mkdirSync(path.join(workspace, 'app'));
fs.writeFileSync(path.join(workspace, 'app/Dockerfile'), 'FROM scratch\n');

const SHA = '0a1b2c3d4e5f'.padEnd(40, '9');
const pushOnly: Record<string, string> = {
  image_name: 'team/app',
  version: 'v1.2.3',
  registry: 'registry.example',
  username: 'zot-ci',
  api_key: `zak_${'0123456789abcdef'.repeat(2)}`,
  sha: SHA,
  source: 'docker-archive:result',
};

function parse(values: Record<string, string>) {
  return parseInputs(
    readRawInputs((name: Input) => values[name] ?? ''),
    workspace,
  );
}

function problemsOf(values: Record<string, string>): string[] {
  try {
    parse(values);
  } catch (error) {
    if (error instanceof InputError) return error.problems;
    throw error;
  }
  return [];
}

describe('source: an image built elsewhere', () => {
  test.each([
    ['docker-archive:result', 'docker-archive', 'result'],
    ['oci-archive:result', 'oci-archive', 'result'],
    ['oci:layout', 'oci', 'layout'],
  ])('%s is taken with no context, its path resolved in the workspace', (source, transport, file) => {
    const inputs = parse({ ...pushOnly, source });
    expect(inputs.source).toEqual({ transport, path: path.join(workspace, file) });
    expect(inputs.build.context).toBe('');
  });

  test('without source, an empty context is still refused', () => {
    expect(problemsOf({ ...pushOnly, source: '' })).toEqual([
      '`context` is required (the build context path).',
    ]);
  });

  test.each([
    [
      'docker:result',
      '`source` must be `oci:<directory>`, `oci-archive:<file>` or `docker-archive:<file>`, not "docker:result".',
    ],
    [
      'result',
      '`source` must be `oci:<directory>`, `oci-archive:<file>` or `docker-archive:<file>`, not "result".',
    ],
    [
      'oci:result',
      `\`source\` names no directory: "result" (resolved to ${path.join(workspace, 'result')}).`,
    ],
    [
      'docker-archive:layout',
      `\`source\` names no file: "layout" (resolved to ${path.join(workspace, 'layout')}).`,
    ],
    [
      'oci-archive:missing.tar',
      `\`source\` names no file: "missing.tar" (resolved to ${path.join(workspace, 'missing.tar')}).`,
    ],
  ])('%s is refused with one problem naming `source`', (source, problem) => {
    expect(problemsOf({ ...pushOnly, source })).toEqual([problem]);
  });

  test('push: false has nothing to do with a source', () => {
    expect(problemsOf({ ...pushOnly, push: 'false' })).toEqual([
      '`source` needs `push: true`: the image is built already, so without a push there is nothing to do.',
    ]);
  });

  test.each([
    [Input.Context, 'app'],
    [Input.Dockerfile, 'Dockerfile.prod'],
    [Input.BuildArgs, 'A=1'],
    [Input.Labels, 'a=b'],
    [Input.Platforms, 'linux/amd64'],
    [Input.NoCache, 'true'],
    [Input.Provenance, 'true'],
    [Input.BuildPlatforms, 'linux/amd64'],
  ])('a build input given with it (%s) is refused, naming it, not ignored', (input, value) => {
    const problems = problemsOf({ ...pushOnly, [input]: value });
    expect(problems).toContain(
      `\`${input}\` has no use with \`source\`: the image is built already ("docker-archive:result"). Remove \`${input}\`, or remove \`source\` to build.`,
    );
  });

  test('a build input at its default is no problem', () => {
    expect(problemsOf({ ...pushOnly, dockerfile: 'Dockerfile', no_cache: 'false' })).toEqual([]);
  });
});

describe('tags: the version tag as a template', () => {
  const build = { ...pushOnly, source: '', context: 'app' };

  test.each([
    ['{{version}}', 'v1.2.3'],
    ['', 'v1.2.3'],
    ['{{version}}-{{sha7}}', 'v1.2.3-0a1b2c3'],
    ['{{ version }}-{{sha12}}', 'v1.2.3-0a1b2c3d4e5f'],
    ['{{version}}-{{sha}}', `v1.2.3-${SHA}`],
    ['release-{{version}}', 'release-v1.2.3'],
  ])('%s makes the version tag %s, the commit tag staying the full sha', (tags, tag) => {
    const inputs = parse({ ...build, tags });
    expect(inputs.version).toBe(tag);
    expect(inputs.sha).toBe(SHA);
  });

  test.each([
    ['{{sha7}}', '`tags` must hold `{{version}}`: "{{sha7}}" would publish every version under one tag.'],
    [
      '{{version}}-{{sha8}}',
      '`tags` names "{{sha8}}": the placeholders are `{{version}}`, `{{sha}}`, `{{sha7}}`, `{{sha12}}`.',
    ],
    [
      '{{version}}/{{sha7}}',
      '`tags` is not a valid tag: "v1.2.3/0a1b2c3" (letters, digits, _ . -, not starting with . or -).',
    ],
    ['{{version}}-{{sha}}-{{sha}}-{{sha}}', '`tags` is longer than 128 characters (128+).'],
  ])('%s is refused with one problem naming `tags`', (tags, problem) => {
    const problems = problemsOf({ ...build, tags });
    expect(problems).toHaveLength(1);
    if (problem.includes('128+'))
      expect(problems[0]).toMatch(/^`tags` is longer than 128 characters \(\d+\)\.$/);
    else expect(problems[0]).toBe(problem);
  });
});

describe('commit_tag: one tag or two', () => {
  const build = { ...pushOnly, source: '', context: 'app' };

  test.each([
    ['', true],
    ['true', true],
    ['false', false],
  ])('%j: a commit tag %s', (value, commitTag) => {
    expect(parse({ ...build, commit_tag: value }).commitTag).toBe(commitTag);
  });

  test('with build_platforms: refused, naming commit_tag', () => {
    expect(
      problemsOf({
        ...build,
        commit_tag: 'false',
        platforms: 'linux/amd64,linux/arm64',
        build_platforms: 'linux/amd64',
      }),
    ).toEqual([
      '`commit_tag` is `false`, which cannot go with `build_platforms`: the parts and the index are found by the commit tag. Remove one of them.',
    ]);
  });

  test('not a boolean: refused, naming commit_tag', () => {
    expect(problemsOf({ ...build, commit_tag: 'no' })).toEqual([expect.stringMatching(/^`commit_tag` /)]);
  });
});
