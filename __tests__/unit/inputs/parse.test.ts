import { describe, expect, test } from '@jest/globals';
import { describeInputs, readRawInputs } from '../../../src/inputs/read.js';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InputError } from '../../../src/errors.js';
import { parseInputs, registryTimeoutMs } from '../../../src/inputs/parse.js';
import { runParent } from '../../../src/process/run-folder.js';
import { readSecrets } from '../../../src/inputs/secrets.js';
import { encryptedPem, p256 } from '../../helpers/signing-keys.js';
import { Input } from '../../../src/names.js';

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
  return parseInputs(
    readRawInputs((name: Input) => values[name] ?? ''),
    workspace,
  );
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
    expect(parse({ registry: 'zot:5000' }).registry).toBe('zot:5000');
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

  test.each<[Record<string, string>, string]>([
    [{ version: '' }, `\`version\` is required (the version tag, such as \`v1.0.0\`).`],
    [
      { version: 'v1\nv2' },
      `\`version\` is not a valid tag: "v1\\nv2" (letters, digits, _ . -, not starting with . or -).`,
    ],
    [
      { version: '-v1' },
      `\`version\` is not a valid tag: "-v1" (letters, digits, _ . -, not starting with . or -).`,
    ],
    [
      { version: '.hidden' },
      `\`version\` is not a valid tag: ".hidden" (letters, digits, _ . -, not starting with . or -).`,
    ],
    [{ version: 'v'.repeat(129) }, `\`version\` is longer than 128 characters (129).`],
    [
      { version: 'v1.0.0+build' },
      `\`version\` is not a valid tag: "v1.0.0+build" (letters, digits, _ . -, not starting with . or -).`,
    ],
    [
      { version: 'b'.repeat(40) },
      `\`version\` must not be a commit SHA (40 or 64 hex digits): those tags are the commit tags.`,
    ],
    [
      { version: 'B'.repeat(64) },
      `\`version\` must not be a commit SHA (40 or 64 hex digits): those tags are the commit tags.`,
    ],
    [
      { version: 'latest' },
      `\`version\` must not be \`latest\`: a version tag is never overwritten, so \`latest\` would keep its first image for good.`,
    ],
    [{ sha: 'abc123' }, `\`sha\` is not a full commit SHA (40 or 64 hex digits): "abc123".`],
    [
      { sha: `-${'a'.repeat(39)}` },
      `\`sha\` is not a full commit SHA (40 or 64 hex digits): "${'-' + 'a'.repeat(39)}".`,
    ],
    [
      { sha: `${'a'.repeat(40)}\n` },
      `\`sha\` is not a full commit SHA (40 or 64 hex digits): "${'a'.repeat(40)}\\n".`,
    ],
    [{ sha: '' }, '`sha` is required: the commit SHA (defaults to `${{ github.sha }}`).'],
    [
      { image_name: 'Blumeops/devpi' },
      `\`image_name\` is not a valid repository name: "Blumeops/devpi" (lower-case letters, digits and . _ - separators, components joined by /).`,
    ],
    [
      { image_name: 'blumeops/../devpi' },
      `\`image_name\` is not a valid repository name: "blumeops/../devpi" (lower-case letters, digits and . _ - separators, components joined by /).`,
    ],
    [
      { image_name: 'blumeops//devpi' },
      `\`image_name\` is not a valid repository name: "blumeops//devpi" (lower-case letters, digits and . _ - separators, components joined by /).`,
    ],
    [{ image_name: '' }, `\`image_name\` is required (a repository such as \`blumeops/devpi\`).`],
    [
      { image_name: 'registry.ops.eblu.me/blumeops/devpi' },
      `\`image_name\` must not include the registry: give "blumeops/devpi" and set \`registry\`.`,
    ],
    [
      { registry: 'https://registry.ops.eblu.me' },
      `\`registry\` must be \`host[:port]\` without a scheme: "https://registry.ops.eblu.me".`,
    ],
    [
      { registry: 'registry.ops.eblu.me/v2' },
      `\`registry\` must be \`host[:port]\` without a path: "registry.ops.eblu.me/v2".`,
    ],
    [
      { registry: 'user:pw@registry.ops.eblu.me' },
      `\`registry\` must not hold credentials (\`user:password@\`): use \`username\` and \`api_key\`.`,
    ],
    [{ registry: 'registry.ops.eblu.me:99999' }, `\`registry\` has a port out of range: 99999.`],
    [{ registry: 'bad host' }, `\`registry\` is not a host name with an optional port: "bad host".`],
    [{ registry: '' }, `\`registry\` is required (\`host[:port]\`).`],
    [{ registry: '[:::]' }, `\`registry\` has an invalid IPv6 address: "[:::]".`],
    [{ registry: '[::1' }, `\`registry\` is not a host name with an optional port: "[::1".`],
    [{ registry: '[1.2.3.4]:5000' }, `\`registry\` has an invalid IPv6 address: "[1.2.3.4]:5000".`],
    [
      { registry: '[::1]:5765' },
      '`registry` is an IPv6 address ("[::1]:5765"), which skopeo cannot push to (it answers `invalid reference format`): give a host name that resolves to it instead, such as `localhost:5765`.',
    ],
    [
      { registry: '[::1]' },
      '`registry` is an IPv6 address ("[::1]"), which skopeo cannot push to (it answers `invalid reference format`): give a host name that resolves to it instead, such as `localhost`.',
    ],
    [
      { registry: '[2001:db8::1]:443' },
      '`registry` is an IPv6 address ("[2001:db8::1]:443"), which skopeo cannot push to (it answers `invalid reference format`): give a host name that resolves to it instead.',
    ],
    [
      { registry: 'zot' },
      '`registry` is a host name without a dot or a port ("zot"): skopeo would read `zot/…` as a repository on Docker Hub and push there. Write the registry\'s full host name (such as `zot.example.org`), or add its port (`zot:443`).',
    ],
    [
      { api_key: 'hunter2' },
      `\`api_key\` is not a zot API key: it must start with \`zak_\` (a password is not accepted).`,
    ],
    [{ api_key: '' }, `\`api_key\` is required when \`push\` is true (a zot API key, \`zak_…\`).`],
    [
      { username: '' },
      `\`username\` is required when \`push\` is true (the zot identity that owns the key).`,
    ],
    [{ username: 'ci:admin' }, `\`username\` must not contain white space or \`:\`.`],
    [
      { username: '', push: 'false' },
      `\`username\` is needed with \`api_key\`: the zot identity that owns the key.`,
    ],
    [{ context: 'missing' }, `\`context\` is not a directory: "missing" (resolved to ${workspace}/missing).`],
    [{ context: '' }, `\`context\` is required (the build context path).`],
    [
      { dockerfile: 'Containerfile' },
      `\`dockerfile\` does not name a file: "Containerfile" (relative to the context, resolved to ${workspace}/app/Containerfile).`,
    ],
    [{ build_args: 'A=1\nNOEQUALS' }, `\`build_args\` line 2 is not \`KEY=VALUE\`: "NOEQUALS".`],
    [{ build_args: '=value' }, `\`build_args\` line 1 is not \`KEY=VALUE\`: "=value".`],
    [{ labels: 'just-a-word' }, `\`labels\` line 1 is not \`KEY=VALUE\`: "just-a-word".`],
    [{ push: 'maybe' }, `\`push\` must be \`true\` or \`false\`, not "maybe".`],
    [{ push: 'yes' }, `\`push\` must be \`true\` or \`false\`, not "yes".`],
    [{ insecure_registry: '1' }, `\`insecure_registry\` must be \`true\` or \`false\`, not "1".`],
    [{ network: 'bridge0' }, `\`network\` must be \`default\`, \`none\` or \`host\`, not "bridge0".`],
    [{ target: 'stage one' }, `\`target\` is not a build stage name: "stage one".`],
    // Grammars at their edges: anchors, lengths, ranges.
    [
      { api_key: 'xzak_abc' },
      '`api_key` is not a zot API key: it must start with `zak_` (a password is not accepted).',
    ],
    [
      { api_key: 'zak_abc!' },
      '`api_key` is not a zot API key: it must start with `zak_` (a password is not accepted).',
    ],
    [{ username: 'c i' }, '`username` must not contain white space or `:`.'],
    [{ network: 'nonex' }, '`network` must be `default`, `none` or `host`, not "nonex".'],
    [{ network: 'xnone' }, '`network` must be `default`, `none` or `host`, not "xnone".'],
    [{ target: '-prod' }, '`target` is not a build stage name: "-prod".'],
    [{ target: 'prod!' }, '`target` is not a build stage name: "prod!".'],
    [{ build_args: '1NPM_TOKEN=secret' }, '`build_args` line 1 is not `KEY=VALUE`: "1NPM_TOKEN=…".'],
    [{ build_args: 'A B=secret' }, '`build_args` line 1 is not `KEY=VALUE`: "A B=…".'],
    [{ build_args: 'A=1\n\nB-=2\nC!=3' }, '`build_args` line 4 is not `KEY=VALUE`: "C!=…".'],
    [{ registry: 'registry.example:0' }, '`registry` has a port out of range: 0.'],
    [{ registry: 'registry.example:65536' }, '`registry` has a port out of range: 65536.'],
    [
      { registry: 'ftp://registry.example' },
      '`registry` must be `host[:port]` without a scheme: "ftp://registry.example".',
    ],
    [
      { registry: 'https://user:pw@r.example' },
      '`registry` must be `host[:port]` without a scheme: "https://…@r.example".',
    ],
    [
      { registry: 'r.example/v2://x' },
      '`registry` must be `host[:port]` without a path: "r.example/v2://x".',
    ],
    [{ registry: '-bad.example' }, '`registry` is not a host name with an optional port: "-bad.example".'],
    [
      { registry: 'r.example:5000x' },
      '`registry` is not a host name with an optional port: "r.example:5000x".',
    ],
    [
      { registry: 'r.example', image_name: 'a'.repeat(246) },
      '`image_name` makes a reference longer than 255 characters with the registry.',
    ],
    [{ sha: 'g'.repeat(40) }, `\`sha\` is not a full commit SHA (40 or 64 hex digits): "${'g'.repeat(40)}".`],
    [{ sha: 'a'.repeat(41) }, `\`sha\` is not a full commit SHA (40 or 64 hex digits): "${'a'.repeat(41)}".`],
    [
      { sha: 'x' + 'a'.repeat(40) },
      `\`sha\` is not a full commit SHA (40 or 64 hex digits): "x${'a'.repeat(40)}".`,
    ],
    [
      { skopeo_download_url: 'https://x/skopeo' },
      '`skopeo_sha256` must be the SHA-256 of the download, 64 hex digits.',
    ],
    [{ skopeo_sha256: 'a'.repeat(64) }, '`skopeo_download_url` is needed with `skopeo_sha256`.'],
    [
      { skopeo_download_url: 'https://x/skopeo', skopeo_sha256: 'a'.repeat(63) },
      '`skopeo_sha256` must be the SHA-256 of the download, 64 hex digits.',
    ],
    [
      { skopeo_download_url: 'https://x/skopeo', skopeo_sha256: 'g'.repeat(64) },
      '`skopeo_sha256` must be the SHA-256 of the download, 64 hex digits.',
    ],
    [
      { skopeo_download_url: 'ftp://x/skopeo', skopeo_sha256: 'a'.repeat(64) },
      '`skopeo_download_url` is not an http(s) URL: "ftp://x/skopeo".',
    ],
    [
      { skopeo_download_url: 'xhttps://x/skopeo', skopeo_sha256: 'a'.repeat(64) },
      '`skopeo_download_url` is not an http(s) URL: "xhttps://x/skopeo".',
    ],
    [
      { skopeo_download_url: 'https://x/sko peo', skopeo_sha256: 'a'.repeat(64) },
      '`skopeo_download_url` is not an http(s) URL: "https://x/sko peo".',
    ],
    [
      { platforms: 'linux/amd64, linux' },
      '`platforms` has "linux", which is not a platform such as `linux/amd64` or `linux/arm/v7`.',
    ],
    [
      { platforms: 'Linux/AMD64' },
      '`platforms` has "Linux/AMD64", which is not a platform such as `linux/amd64` or `linux/arm/v7`.',
    ],
    [{ platforms: 'linux/arm64\nlinux/amd64,linux/arm64' }, '`platforms` lists "linux/arm64" twice.'],
    [
      { platforms: 'x:linux/amd64' },
      '`platforms` has "x:linux/amd64", which is not a platform such as `linux/amd64` or `linux/arm/v7`.',
    ],
    [
      { platforms: 'linux/arm/v7/x' },
      '`platforms` has "linux/arm/v7/x", which is not a platform such as `linux/amd64` or `linux/arm/v7`.',
    ],
    [
      { secrets: `a b${'c'.repeat(50)}=x` },
      `\`secrets\` line 1 is not \`id=value\` with an id of letters, digits, \`_ . -\`: "a b${'c'.repeat(37)}=…".`,
    ],
    [
      { provenance: 'untrue' },
      '`provenance` must be `true`, `false` or buildx\'s options such as `mode=max`, not "untrue".',
    ],
    [
      { sbom: 'falsey' },
      '`sbom` must be `true`, `false` or buildx\'s options such as `mode=max`, not "falsey".',
    ],
    [
      { provenance: 'Mode=max' },
      '`provenance` must be `true`, `false` or buildx\'s options such as `mode=max`, not "Mode=max".',
    ],
    [
      { secrets: 'token=a\nnot-a-pair' },
      '`secrets` line 2 is not `id=value` (the line is not shown: it may be the secret).',
    ],
    [
      { secrets: 'my token=abc' },
      '`secrets` line 1 is not `id=value` with an id of letters, digits, `_ . -`: "my token=…".',
    ],
    [{ secrets: '=abc' }, '`secrets` line 1 is not `id=value` with an id of letters, digits, `_ . -`: "=…".'],
    [{ secrets: 'token=' }, '`secrets` line 1 gives the secret "token" no value.'],
    [{ secrets: 'token=a\n\ntoken=b' }, '`secrets` line 3 gives the secret "token" a second time.'],
    [{ no_cache: 'yes' }, '`no_cache` must be `true` or `false`, not "yes".'],
    [{ pull: '1' }, '`pull` must be `true` or `false`, not "1".'],
    [
      { provenance: 'max' },
      '`provenance` must be `true`, `false` or buildx\'s options such as `mode=max`, not "max".',
    ],
    [
      { sbom: 'generator=a b' },
      '`sbom` must be `true`, `false` or buildx\'s options such as `mode=max`, not "generator=a b".',
    ],
    [{ annotations: 'org.example.team' }, '`annotations` line 1 is not `KEY=VALUE`: "org.example.team".'],
  ])('%j is refused with one problem naming the input', (overrides, problem) => {
    expect(problemsOf(overrides)).toEqual([problem]);
  });

  test.each<[Record<string, string>]>([
    [{ version: 'v'.repeat(128) }],
    [{ version: 'x' + 'a'.repeat(40) }],
    [{ version: '_v1' }],
    [{ sha: 'A'.repeat(64) }],
    [{ registry: 'Registry.Example:65535' }],
    [{ registry: 'localhost:1' }],
    [{ registry: 'zot:443' }],
    [{ registry: 'r.example', image_name: 'a'.repeat(245) }],
    [{ network: 'none' }],
    [{ network: 'host' }],
    [{ network: 'default' }],
    [{ target: 'prod' }],
    [{ target: 'b' }],
    [{ target: '0build.stage_2-x' }],
    [{ api_key: 'zak_0' }],
    [{ build_args: 'a.b-c_D=1\r\n\r\n_E=' }],
    [{ skopeo_download_url: 'http://x/skopeo', skopeo_sha256: 'A'.repeat(64) }],
    [{ platforms: 'linux/arm/v7,linux/386' }],
    [{ secrets: 'a.b-c_D=x=y z' }],
    [{ provenance: 'mode=max', sbom: 'generator=registry.local/scanner:1,x-y=zz' }],
    [{ provenance: 'TRUE', sbom: 'False' }],
    [{ cache_from: 'type=local,src=/tmp/a b', cache_to: 'user/app:cache' }],
  ])('%j is accepted', (overrides) => {
    expect(problemsOf(overrides)).toEqual([]);
  });

  test('the parsed values: defaults for empty inputs, lists without blank lines, the download in lower case', () => {
    const inputs = parse({
      dockerfile: '',
      push: '',
      insecure_registry: 'TRUE',
      build_args: 'A=1\r\n\r\n B=2 ',
      skopeo_download_url: 'http://x/skopeo',
      skopeo_sha256: 'A'.repeat(64),
      key_expiry_warning_days: '',
      target: 'prod',
      network: 'none',
    });
    expect(inputs).toEqual({
      registry: 'registry.ops.eblu.me',
      registryTimeoutMs: 30_000,
      insecureRegistry: true,
      commitTag: true,
      credentials: { username: 'ci', apiKey: KEY },
      imageName: 'blumeops/devpi',
      version: 'v1.0.0',
      sha: SHA,
      push: true,
      build: {
        context: path.join(workspace, 'app'),
        dockerfile: path.join(workspace, 'app/Dockerfile'),
        buildArgs: ['A=1', 'B=2'],
        labels: [],
        target: 'prod',
        network: 'none',
        platforms: [],
        secrets: [],
        cacheFrom: [],
        cacheTo: [],
        noCache: false,
        pull: false,
        annotations: [],
        provenance: 'false',
        sbom: 'false',
      },
      keyExpiryWarningDays: 14,
      skopeoDownload: { url: 'http://x/skopeo', sha256: 'a'.repeat(64) },
    });
    expect(parse({ push: 'FALSE', no_cache: 'False' }).build.noCache).toBe(false);
    expect(parse({ push: 'False', insecure_registry: 'false' })).toMatchObject({
      push: false,
      insecureRegistry: false,
    });
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
    [Input.CacheTo, { cache_to: `type=registry,ref=x,password=${KEY}` }],
    [Input.Annotations, { annotations: `note=${KEY}` }],
  ])('the key in `%s` is refused, named, and not echoed', (input, overrides) => {
    const problems = problemsOf(overrides).filter((problem) => problem.includes('contains the API key'));
    expect(problems).toEqual([expect.stringContaining(`\`${input}\``)]);
    expect(problemsOf(overrides).join('\n')).not.toContain(KEY);
  });

  const base64 = (text: string) => Buffer.from(text).toString('base64');
  test.each([
    ['base64 of user:key in a label', { labels: `auth=${base64(`ci:${KEY}`)}` }, Input.Labels],
    ['base64 of the key in a build arg', { build_args: `TOKEN=${base64(KEY)}` }, Input.BuildArgs],
    [
      'base64 of a text holding the key, one byte in',
      { build_args: `T=${base64(`x${KEY}`)}` },
      Input.BuildArgs,
    ],
    ['base64 of a text holding the key, two bytes in', { labels: `a=${base64(`xy${KEY}\n`)}` }, Input.Labels],
    [
      'base64url of the key',
      { annotations: `a=${Buffer.from(`:${KEY}`).toString('base64url')}` },
      Input.Annotations,
    ],
    ['the key URL-encoded in a URL', { cache_from: `type=registry,ref=x?auth=ci%3A${KEY}` }, Input.CacheFrom],
    [
      'the Basic encoding URL-encoded',
      { cache_to: `type=registry,ref=x,auth=${encodeURIComponent(base64(`ci:${KEY}`))}` },
      Input.CacheTo,
    ],
    ['the key JSON-escaped', { labels: `j={"key":"${JSON.stringify(KEY).slice(1, -1)}"}` }, Input.Labels],
  ])('%s is refused, named, and not echoed', (_, overrides, input) => {
    const problems = problemsOf(overrides);
    expect(problems).toEqual([expect.stringMatching(new RegExp(`^\`${input}\` contains the API key`))]);
    for (const form of [KEY, base64(`ci:${KEY}`), base64(KEY)])
      expect(problems.join('\n')).not.toContain(form);
  });

  test('a build secret that is the API key is refused, named for what it would expose, and not echoed', () => {
    const problems = problemsOf({ secrets: `token=${KEY}` });
    expect(problems).toEqual([
      '`secrets` holds the API key: every RUN step that mounts it could read the key that pushes. Give the build its own credentials.',
    ]);
  });

  test("the build's features: platforms by commas or lines, secrets by id, cache lines as given, attestations", () => {
    const build = parse({
      platforms: ' linux/amd64 ,\nlinux/arm64/v8\n',
      secrets: 'token=s3cr=t\n\n npmrc = x ',
      cache_from: 'type=local,src=/c\n\n',
      cache_to: ' type=local,dest=/c,mode=max ',
      no_cache: 'true',
      pull: 'True',
      annotations: 'org.opencontainers.image.description=An app',
      provenance: 'true',
      sbom: 'generator=local/scanner',
    }).build;
    expect(build).toMatchObject({
      platforms: ['linux/amd64', 'linux/arm64/v8'],
      secrets: [
        { id: 'token', value: 's3cr=t' },
        { id: 'npmrc', value: ' x' },
      ],
      cacheFrom: ['type=local,src=/c'],
      cacheTo: ['type=local,dest=/c,mode=max'],
      noCache: true,
      pull: true,
      annotations: ['org.opencontainers.image.description=An app'],
      provenance: 'true',
      sbom: 'generator=local/scanner',
    });
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

describe("the build context never holds the run's folder", () => {
  const real = fs.realpathSync(workspace);
  const parseWith = (context: string, runnerTemp: string) =>
    parseInputs(
      readRawInputs((name: Input) => (({ ...valid, context }) as Record<string, string>)[name] ?? ''),
      workspace,
      runParent({ RUNNER_TEMP: runnerTemp }, workspace),
    );
  const problemOf = (context: string, runnerTemp: string): string[] => {
    try {
      parseWith(context, runnerTemp);
    } catch (error) {
      if (error instanceof InputError) return error.problems;
      throw error;
    }
    return [];
  };
  const refusal = (context: string, runParentPath: string) =>
    `\`context\` "${context}" contains RUNNER_TEMP (${runParentPath}), where this action keeps the run's registry credentials: the build could copy them into the image. ` +
    'Build from a folder that does not contain RUNNER_TEMP (such as the repository), or give the job a RUNNER_TEMP outside the context.';

  fs.mkdirSync(path.join(workspace, '_temp'), { recursive: true });
  fs.writeFileSync(path.join(workspace, 'Dockerfile'), 'FROM scratch\n');
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-outside-'));
  fs.symlinkSync(path.join(workspace, 'app'), path.join(outside, 'temp-link'));

  test.each([
    [
      'RUNNER_TEMP inside the workspace, context .',
      '.',
      path.join(workspace, '_temp'),
      path.join(real, '_temp'),
    ],
    ['a relative RUNNER_TEMP', '.', '_temp', path.join(real, '_temp')],
    ['the context is RUNNER_TEMP itself', '_temp', path.join(workspace, '_temp'), path.join(real, '_temp')],
    ['a context above RUNNER_TEMP', '/', path.join(workspace, '_temp'), path.join(real, '_temp')],
    [
      'a RUNNER_TEMP that is a link into the context',
      'app',
      path.join(outside, 'temp-link'),
      fs.realpathSync(path.join(workspace, 'app')),
    ],
  ])('%s is refused, naming `context`', (_, context, runnerTemp, resolved) => {
    const problems = problemOf(context, runnerTemp).filter((problem) => problem.startsWith('`context`'));
    expect(problems).toEqual([refusal(context, resolved)]);
  });

  test('a context beside RUNNER_TEMP, or one whose name merely starts the same, is accepted', () => {
    expect(problemOf('app', path.join(workspace, '_temp'))).toEqual([]);
    fs.mkdirSync(path.join(workspace, 'ap'), { recursive: true });
    fs.writeFileSync(path.join(workspace, 'ap', 'Dockerfile'), 'FROM scratch\n');
    expect(problemOf('ap', path.join(workspace, 'app'))).toEqual([]);
  });
});

describe('BUILD_PUSH_IMAGE_TIMEOUT_SECONDS, read with the inputs', () => {
  test.each<[string | undefined, number]>([
    [undefined, 30_000],
    ['5', 5000],
    ['0.5', 500],
    ['0', 30_000],
    ['-3', 30_000],
    ['soon', 30_000],
  ])('%j gives %i ms', (value, ms) => {
    expect(registryTimeoutMs(value === undefined ? {} : { BUILD_PUSH_IMAGE_TIMEOUT_SECONDS: value })).toBe(
      ms,
    );
    const raw = readRawInputs((name: Input) => valid[name] ?? '');
    const env = value === undefined ? {} : { BUILD_PUSH_IMAGE_TIMEOUT_SECONDS: value };
    expect(parseInputs(raw, workspace, undefined, env).registryTimeoutMs).toBe(ms);
  });
});

test('describeInputs shows every input but the key and the build secrets', () => {
  const raw = readRawInputs((name: Input) => ({ ...valid, secrets: 'token=s3cret' })[name as string] ?? '');
  const shown = describeInputs(raw);
  expect(shown).toContain('image_name="blumeops/devpi"');
  expect(shown).toContain('dockerfile="Dockerfile"');
  expect(shown).not.toContain(KEY);
  expect(shown).not.toContain('s3cret');
  expect(shown).not.toMatch(/api_key=|secrets=/);
});

describe('key_expiry_warning_days', () => {
  test.each([
    ['', 14],
    ['0', 0],
    ['7', 7],
    ['3650', 3650],
  ])('%j is %d days', (value, days) => {
    expect(parse({ key_expiry_warning_days: value }).keyExpiryWarningDays).toBe(days);
  });

  test.each(['14d', 'd14', '-1', '1.5', ' 14', '3651', 'NaN'])('%j is refused, naming the input', (value) => {
    expect(problemsOf({ key_expiry_warning_days: value })).toEqual([
      `\`key_expiry_warning_days\` must be a whole number of days, not ${JSON.stringify(value)}.`,
    ]);
  });
});

describe('skopeo_download_url and skopeo_sha256', () => {
  const sum = 'AB'.repeat(32);
  test('both given: a download with the checksum in lower case', () => {
    expect(
      parse({ skopeo_download_url: 'https://example.test/skopeo', skopeo_sha256: sum }).skopeoDownload,
    ).toEqual({ url: 'https://example.test/skopeo', sha256: sum.toLowerCase() });
  });

  test('neither given: no download', () => {
    expect(parse({}).skopeoDownload).toBeUndefined();
  });

  test.each([
    [{ skopeo_sha256: sum }, ['`skopeo_download_url` is needed with `skopeo_sha256`.']],
    [
      { skopeo_download_url: 'https://example.test/skopeo' },
      ['`skopeo_sha256` must be the SHA-256 of the download, 64 hex digits.'],
    ],
    [
      { skopeo_download_url: 'ftp://example.test/skopeo', skopeo_sha256: sum },
      ['`skopeo_download_url` is not an http(s) URL: "ftp://example.test/skopeo".'],
    ],
    [
      { skopeo_download_url: 'https://example.test/skopeo', skopeo_sha256: 'a'.repeat(63) },
      ['`skopeo_sha256` must be the SHA-256 of the download, 64 hex digits.'],
    ],
    [
      { skopeo_download_url: 'https://example.test/skopeo', skopeo_sha256: `${'a'.repeat(64)}0` },
      ['`skopeo_sha256` must be the SHA-256 of the download, 64 hex digits.'],
    ],
  ])('%j: %j', (overrides, expected) => {
    expect(problemsOf(overrides)).toEqual(expected);
  });
});

describe('build_args and labels', () => {
  test('a bad key is shown without its value', () => {
    const [problem] = problemsOf({ build_args: 'A=1\n1NPM_TOKEN=secret-value' });
    expect(problem).toBe('`build_args` line 2 is not `KEY=VALUE`: "1NPM_TOKEN=…".');
    expect(problem).not.toContain('secret-value');
  });

  test('a line without = is shown as it is (it holds no value)', () => {
    expect(problemsOf({ labels: 'word' })).toEqual(['`labels` line 1 is not `KEY=VALUE`: "word".']);
  });
});

describe('registry', () => {
  test.each(['r.example:1', 'r.example:65535', 'localhost:5000', 'a-b.c'])('%j is accepted', (registry) => {
    expect(parse({ registry }).registry).toBe(registry);
  });

  test.each([
    ['r.example:0', 'has a port out of range: 0.'],
    ['r.example:65536', 'has a port out of range: 65536.'],
  ])('%j: %s', (registry, what) => {
    expect(problemsOf({ registry })).toEqual([`\`registry\` ${what}`]);
  });

  test('a reference of 255 characters is accepted, one more is refused', () => {
    const name = (length: number) => `team/${'a'.repeat(length - 'registry.example/team/'.length)}`;
    expect(parse({ registry: 'registry.example', image_name: name(255) }).imageName).toHaveLength(
      255 - 'registry.example/'.length,
    );
    expect(problemsOf({ registry: 'registry.example', image_name: name(256) })).toEqual([
      '`image_name` makes a reference longer than 255 characters with the registry.',
    ]);
  });
});

describe('the signing key and its password', () => {
  const pem = encryptedPem(p256(), 'a long password');
  const bodyLine = pem.split('\n')[1];
  const withKey = (overrides: Record<string, string> = {}) => ({
    signing_key: pem,
    signing_key_password: 'a long password',
    ...overrides,
  });

  test('a key and its password: the envelope is checked now, the key opened later', () => {
    const { signing } = parse(withKey());
    expect(signing?.password).toBe('a long password');
    expect(signing?.key.scrypt.N).toBe(1 << 15);
  });

  test('no key: no signing', () => {
    expect(parse().signing).toBeUndefined();
  });

  test.each<[string, { sig: boolean; bundle: boolean }]>([
    ['', { sig: true, bundle: true }],
    ['both', { sig: true, bundle: true }],
    ['sig', { sig: true, bundle: false }],
    ['bundle', { sig: false, bundle: true }],
    [' sig, bundle ', { sig: true, bundle: true }],
    ['bundle\nsig', { sig: true, bundle: true }],
  ])('signature_formats %j: the formats the key writes', (value, formats) => {
    expect(parse(withKey({ signature_formats: value })).signing?.formats).toEqual(formats);
  });

  test.each(['cosign', 'sig,notation', 'SIG', 'none'])(
    'signature_formats %j: refused, naming the input and what it takes',
    (value) => {
      expect(problemsOf(withKey({ signature_formats: value }))).toEqual([
        `\`signature_formats\` is ${JSON.stringify(value.trim())}: give \`sig\`, \`bundle\` or \`both\`.`,
      ]);
    },
  );

  test.each<[string, Record<string, string>, string]>([
    [
      'a password without a key',
      { signing_key_password: 'pw' },
      '`signing_key_password` is given without `signing_key`: give both, or neither.',
    ],
    [
      'a key that is not an encrypted PEM',
      { signing_key: 'hunter2hunter2hunter2' },
      '`signing_key` is not an encrypted sigstore or cosign private key',
    ],
    [
      'a line of the key in a label',
      withKey({ labels: `k=${bodyLine}` }),
      '`labels` contains the signing key or its password',
    ],
    [
      'the password in a build arg',
      withKey({ build_args: 'P=a long password' }),
      '`build_args` contains the signing key or its password',
    ],
  ])('%s is refused, naming the input, never quoting it', (_, overrides, problem) => {
    const problems = problemsOf(overrides);
    expect(problems).toEqual([expect.stringContaining(problem)]);
    expect(problems.join('\n')).not.toContain(bodyLine);
    expect(problems.join('\n')).not.toContain('a long password');
  });

  test('a short password may appear elsewhere (too short to mask safely)', () => {
    const key = encryptedPem(p256(), 'short');
    expect(problemsOf({ signing_key: key, signing_key_password: 'short', labels: 'note=short' })).toEqual([]);
  });

  test('the debug line shows neither the key nor the password', () => {
    const raw = readRawInputs((name: Input) => ({ ...valid, ...withKey() })[name as string] ?? '');
    expect(describeInputs(raw)).not.toMatch(/signing_key|a long password|BEGIN/);
  });

  test('every line of the key body and a long password are masked', () => {
    const masked: string[] = [];
    readSecrets(
      readRawInputs((name: Input) => ({ ...valid, ...withKey() })[name as string] ?? ''),
      (secret) => masked.push(secret),
    );
    for (const line of pem.split('\n').filter((l) => l && !l.startsWith('-----')))
      expect(masked).toContain(line);
    expect(masked).toContain('a long password');
    expect(masked.some((secret) => secret.startsWith('-----'))).toBe(false);
  });
});
