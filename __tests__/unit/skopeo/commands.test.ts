// skopeo as the action runs it, against a stand-in `skopeo` on PATH (a shell script that records
// its argv and stdin, and fails as told): login, push, the copy inside the registry, retries.
// Then the argv it is given, which failures are tried again, and how a refused write is explained.
import { afterAll, beforeEach, describe, expect, test } from '@jest/globals';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TagTaken, ToolError, UserError } from '../../../src/errors.js';
import type { RetryPolicy } from '../../../src/process/retry.js';
import {
  explainRefusedWrite,
  isTransientCopyFailure,
  login,
  loginArgs,
  pushArgs,
  pushImage,
  tagInRegistry,
  tagInRegistryArgs,
  type SkopeoConfig,
} from '../../../src/skopeo/commands.js';
import { fakeTools } from '../../helpers/fake-tools.js';
import { capturingStdout } from '../../helpers/stdout.js';

const KEY = `zak_${'9'.repeat(32)}`;
const DIGEST = `sha256:${'e'.repeat(64)}`;
const tools = fakeTools('bpi-skopeo-');
const work = tools.work;
const calls = path.join(work, 'calls');
// Fails the first $FAKE_FAILS calls with $FAKE_ERROR on stderr; a copy writes $FAKE_DIGEST to
// its --digestfile; a login writes its stdin to its --authfile.
tools.install(
  'skopeo',
  `#!/bin/sh
echo "$* TMPDIR=$TMPDIR" >> '${calls}'
pwd > '${calls}.cwd'
n=$(wc -l < '${calls}')
if [ "$n" -le "\${FAKE_FAILS:-0}" ]; then printf '%s\\n' "$FAKE_ERROR" >&2; exit 1; fi
command=$1
while [ $# -gt 0 ]; do
  case "$1" in
    --digestfile) shift; printf '%s\\n' "$FAKE_DIGEST" > "$1" ;;
    --authfile) shift; authfile=$1 ;;
  esac
  shift
done
if [ "$command" = login ]; then cat > "$authfile"; fi
echo done
`,
);
afterAll(() => {
  for (const name of ['FAKE_FAILS', 'FAKE_ERROR', 'FAKE_DIGEST']) delete process.env[name];
});

const waits: number[] = [];
const retry: RetryPolicy = {
  attempts: 3,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  sleep: async (ms) => void waits.push(ms),
};
const config: SkopeoConfig = {
  registry: 'r.example',
  insecure: false,
  authFile: path.join(work, 'auth.json'),
  secrets: [KEY],
  retry,
};
const source = { reference: `oci:${work}/layout`, options: [] };
const recorded = () => fs.readFileSync(calls, 'utf8').trim().split('\n');

beforeEach(() => {
  fs.writeFileSync(calls, '');
  waits.length = 0;
  process.env.FAKE_FAILS = '0';
  process.env.FAKE_ERROR = '';
  process.env.FAKE_DIGEST = DIGEST;
});

/** Runs `work`, returning what it wrote to stdout (the log) and its outcome. */
async function logged<T>(work: () => Promise<T>): Promise<{ log: string; outcome: T | unknown }> {
  const { written, outcome } = await capturingStdout(() => work().catch((error: unknown) => error));
  return { log: written, outcome };
}

describe('login', () => {
  test('hands the key over on stdin into a 0600 auth file, never in argv, and says who logged in', async () => {
    const { log, outcome } = await logged(() => login(config, { username: 'ci', apiKey: KEY }));
    expect(outcome).toBeUndefined();
    expect(fs.readFileSync(config.authFile, 'utf8')).toBe(KEY);
    expect(fs.statSync(config.authFile).mode & 0o777).toBe(0o600);
    expect(recorded().join('\n')).not.toContain(KEY);
    expect(log).toBe('skopeo logged in to r.example as ci.\n');
  });
});

describe('pushImage', () => {
  test("returns the digest skopeo recorded; skopeo's temporary files go to the run's folder", async () => {
    const { outcome } = await logged(() => pushImage(config, source, 'r.example/a:c1', work));
    expect(outcome).toBe(DIGEST);
    expect(recorded()).toHaveLength(1);
    expect(recorded()[0]).toMatch(
      new RegExp(`^copy .* oci:${work}/layout docker://r.example/a:c1 TMPDIR=${work}$`),
    );
  });

  test("skopeo runs in the run's folder, so the hand-over's relative reference names only what the action wrote", async () => {
    const odd = fs.mkdtempSync(path.join(work, 'a:b,c-'));
    const { outcome } = await logged(() =>
      pushImage(config, { reference: 'oci:oci-layout', options: [] }, 'r.example/a:c1', odd),
    );
    expect(outcome).toBe(DIGEST);
    expect(fs.readFileSync(`${calls}.cwd`, 'utf8').trim()).toBe(fs.realpathSync(odd));
    expect(recorded()[0]).toContain(' oci:oci-layout docker://r.example/a:c1 ');
  });

  test.each(['', 'sha256:abc', `${DIGEST}x`, `md5:${'e'.repeat(64)}`])(
    'an unexpected digest %j is an error, never passed on',
    async (digest) => {
      process.env.FAKE_DIGEST = digest;
      const { outcome } = await logged(() => pushImage(config, source, 'r.example/a:c1', work));
      expect(outcome).toBeInstanceOf(UserError);
      expect((outcome as Error).message).toBe(
        `skopeo reported an unexpected digest for r.example/a:c1: ${JSON.stringify(digest)}.`,
      );
    },
  );
});

describe('a copy that fails', () => {
  test('in a way the registry gets over is tried again, after 1 s then 2 s, and succeeds', async () => {
    process.env.FAKE_FAILS = '2';
    process.env.FAKE_ERROR = 'writing blob: received unexpected HTTP status: 503 Service Unavailable';
    const { log, outcome } = await logged(() =>
      tagInRegistry(config, 'r.example/a@sha256:1', 'r.example/a:v1'),
    );
    expect(outcome).toBeUndefined();
    expect(recorded()).toHaveLength(3);
    expect(waits).toEqual([1000, 2000]);
    expect(log).toContain(
      'skopeo copy failed (writing blob: received unexpected HTTP status: 503 Service Unavailable); trying again in 1s',
    );
    expect(log).toContain('trying again in 2s');
  });

  test('three times gives up with what skopeo said last', async () => {
    process.env.FAKE_FAILS = '9';
    process.env.FAKE_ERROR = `reading blob: 502 (Bad Gateway) for ${KEY}`;
    const { outcome } = await logged(() => tagInRegistry(config, 'r.example/a@sha256:1', 'r.example/a:v1'));
    expect(outcome).toBeInstanceOf(ToolError);
    expect((outcome as ToolError).detail).toBe('reading blob: 502 (Bad Gateway) for ***');
    expect(recorded()).toHaveLength(3);
  });

  test('with a refusal stops at once: another run took the tag', async () => {
    process.env.FAKE_FAILS = '9';
    process.env.FAKE_ERROR =
      'writing manifest: uploading manifest v1 to r.example/a: denied:  stable tag is immutable ';
    const { outcome } = await logged(() => tagInRegistry(config, 'r.example/a@sha256:1', 'r.example/a:v1'));
    expect(outcome).toBeInstanceOf(TagTaken);
    expect((outcome as TagTaken).taken).toEqual({ reference: 'r.example/a:v1' });
    expect((outcome as Error).message).toBe(
      'The registry refused to write r.example/a:v1 (403 DENIED: stable tag is immutable). ' +
        "This usually means the tag already exists and the CI identity lacks zot's `update` permission, as it should: " +
        'another run wrote it first. Nothing was overwritten; look at what the tag holds now.',
    );
    expect(((outcome as Error).cause as ToolError).detail).toContain('stable tag is immutable');
    expect(recorded()).toHaveLength(1);
  });

  test('in any other way stops at once, as skopeo said it', async () => {
    process.env.FAKE_FAILS = '9';
    process.env.FAKE_ERROR = 'initializing source: manifest unknown';
    const { outcome } = await logged(() => pushImage(config, source, 'r.example/a:c1', work));
    expect(outcome).toBeInstanceOf(ToolError);
    expect((outcome as Error).message).toBe(
      '`skopeo copy` failed with exit code 1:\ninitializing source: manifest unknown',
    );
    expect(recorded()).toHaveLength(1);
    expect(waits).toEqual([]);
  });
});

describe('skopeo argv never holds the key', () => {
  const session: SkopeoConfig = {
    registry: 'r.example',
    insecure: false,
    authFile: '/run/auth.json',
    secrets: ['zak_secret'],
  };
  const all = [
    loginArgs(session, 'ci'),
    pushArgs(session, { reference: 'docker-daemon:sha256:abc', options: [] }, 'r.example/a:b', '/run/d'),
    tagInRegistryArgs(session, 'r.example/a@sha256:abc', 'r.example/a:v1'),
    loginArgs({ ...session, insecure: true }, 'ci'),
  ];
  test.each(all)('%j', (...args) => {
    expect(args.join(' ')).not.toContain('zak_secret');
    expect(args).toContain('/run/auth.json');
  });

  test('login reads the key from stdin', () => {
    expect(loginArgs(session, 'ci')).toEqual([
      'login',
      '--command-timeout',
      '120s',
      '--authfile',
      '/run/auth.json',
      '--username',
      'ci',
      '--password-stdin',
      'r.example',
    ]);
  });

  test('every skopeo command has a timeout: a push 30 minutes, a login 2, a copy inside the registry 5', () => {
    expect(all.map((args) => args.slice(1, 3))).toEqual([
      ['--command-timeout', '120s'],
      ['--command-timeout', '1800s'],
      ['--command-timeout', '300s'],
      ['--command-timeout', '120s'],
    ]);
  });

  test("every copy: the run's auth file and skopeo's own three retries", () => {
    const args = tagInRegistryArgs(session, 'r/a@sha256:abc', 'r/a:v1');
    expect(args.slice(0, 7)).toEqual([
      'copy',
      '--command-timeout',
      '300s',
      '--authfile',
      '/run/auth.json',
      '--retry-times',
      '3',
    ]);
    expect(args).not.toContain('--src-tls-verify=false');
    expect(args).not.toContain('--dest-tls-verify=false');
  });

  test('a retried copy gets what the budget has left, rounded up, at least a second', () => {
    const source = { reference: 'oci:/run/oci-layout', options: [] };
    expect(pushArgs(session, source, 'r/a:b', '/run/d', 61.2).slice(1, 3)).toEqual([
      '--command-timeout',
      '62s',
    ]);
    expect(tagInRegistryArgs(session, 'r/a@sha256:abc', 'r/a:v1', 0.2).slice(1, 3)).toEqual([
      '--command-timeout',
      '1s',
    ]);
  });

  test('the tag copy preserves digests (an index with all it names); insecure turns off verification on both sides', () => {
    const args = tagInRegistryArgs(
      { ...session, insecure: true },
      'r.example/a@sha256:abc',
      'r.example/a:v1',
    );
    expect(args).toEqual(
      expect.arrayContaining([
        '--all',
        '--preserve-digests',
        '--src-tls-verify=false',
        '--dest-tls-verify=false',
      ]),
    );
    expect(args.slice(-2)).toEqual(['docker://r.example/a@sha256:abc', 'docker://r.example/a:v1']);
  });

  test.each([
    [{ reference: 'oci:/run/oci-layout', options: [] }],
    [{ reference: 'docker-daemon:sha256:abc', options: ['--src-daemon-host', 'http://127.0.0.1:2375'] }],
    [{ reference: 'docker-archive:/run/image.tar', options: [] }],
  ])('the push reads the hand-over %j and records the digest', (source) => {
    const args = pushArgs(session, source, 'r.example/a:b', '/run/d');
    expect(args.slice(-2)).toEqual([source.reference, 'docker://r.example/a:b']);
    expect(args).toEqual(expect.arrayContaining(['--digestfile', '/run/d', ...source.options]));
    expect(args).not.toContain('--dest-tls-verify=false');
    expect(pushArgs({ ...session, insecure: true }, source, 'r.example/a:b', '/run/d')).toContain(
      '--dest-tls-verify=false',
    );
  });
});

describe('skopeo login for an insecure registry', () => {
  const session = { registry: 'r.example', authFile: '/run/auth.json', secrets: [KEY] };
  test('turns TLS verification off only when asked, and names the registry last', () => {
    expect(loginArgs({ ...session, insecure: true }, 'ci').slice(-2)).toEqual([
      '--tls-verify=false',
      'r.example',
    ]);
    expect(loginArgs({ ...session, insecure: false }, 'ci')).not.toContain('--tls-verify=false');
  });
});

describe('a failed skopeo copy', () => {
  test.each([
    ['reading manifest sha256:d8 in r/a: received unexpected HTTP status: 500 Internal Server Error', true],
    ['writing blob: received unexpected HTTP status: 503 Service Unavailable', true],
    ['received unexpected HTTP status: 429 Too Many Requests', true],
    ['writing blob: failed to read from destination repository r/a: 500 (Internal Server Error)', true],
    ['reading blob sha256:ab: fetching blob: 502 (Bad Gateway)', true],
    ['writing blob: Patch "http://r/v2/a/blobs/uploads/x": read: connection reset by peer', true],
    ['pinging container registry r: Get "https://r/v2/": dial tcp: i/o timeout', true],
    ['writing manifest: uploading manifest v1 to r/a: denied: stable tag is immutable', false],
    ['initializing source: reading manifest v1 in r/a: manifest unknown', false],
    ['writing blob: initiating layer upload to /v2/a/blobs/uploads/ in r: unauthorized', false],
  ])('%s: tried again %s', (detail, transient) => {
    expect(isTransientCopyFailure(detail)).toBe(transient);
  });
});

describe('a skopeo copy failure is tried again when a registry gets over it', () => {
  test.each([
    'pinging container registry r: Get "https://r/v2/": dial tcp 127.0.0.1:5000: connect: connection refused',
    'writing blob: Patch "https://r/v2/a/blobs/uploads/x": unexpected EOF',
    'pinging container registry r: Get "https://r/v2/": net/http: TLS handshake timeout',
    'reading manifest v1 in r/a: too many requests to registry',
    'writing blob: received unexpected HTTP status: 502 Bad Gateway',
    'writing manifest: uploading manifest v1 to r/a: errors:\ndigest invalid\nmanifest blob unknown: blob unknown to registry',
  ])('%s', (detail) => {
    expect(isTransientCopyFailure(detail)).toBe(true);
  });

  test.each([
    'writing manifest: uploading manifest v1 to r/a: denied',
    'reading manifest v1 in r/a: manifest unknown',
    'writing blob: received unexpected HTTP status: 400 Bad Request',
    'Error: 4500 layers exceed the limit',
  ])('not %s', (detail) => {
    expect(isTransientCopyFailure(detail)).toBe(false);
  });
});

describe('a refused write', () => {
  const skopeoSaid = (end: string) =>
    new ToolError(
      'skopeo copy',
      1,
      `time="x" level=fatal msg="writing manifest: uploading manifest v1 to r/a: ${end}"`,
    );
  test.each([
    // zot's refusal of an overwrite, as skopeo 1.9.3 prints it: a bare "denied".
    [skopeoSaid('denied'), '(403 DENIED)'],
    // With a policy condition's detail.reason, skopeo prints the standard message.
    [
      skopeoSaid('denied: requested access to the resource is denied'),
      '(403 DENIED: requested access to the resource is denied)',
    ],
    [skopeoSaid('denied: stable tag is immutable'), '(403 DENIED: stable tag is immutable)'],
    [new ToolError('skopeo copy', 1, 'denied\nwriting manifest: 403 Forbidden'), '(403 DENIED)'],
    [new ToolError('skopeo copy', 1, 'requested access is Forbidden by policy'), '(403 DENIED)'],
  ])("a refusal from skopeo is explained with the registry's words: %#", (error, wording) => {
    const explained = explainRefusedWrite(error, 'r/a:v1') as Error;
    expect(explained).toBeInstanceOf(TagTaken);
    expect(explained.message).toContain(`refused to write r/a:v1 ${wording}.`);
    expect(explained.message).toContain('`update`');
  });

  test.each([
    'connection refused',
    'writing manifest: uploading manifest v1 to r/a: manifest invalid',
    'reading manifest v1 in r/a: denied access token expired', // "denied" inside a word sequence, not the end
    'the file /var/denied.txt is missing',
  ])('any other failure is left as it is: %s', (detail) => {
    const error = new ToolError('skopeo copy', 1, detail);
    expect(explainRefusedWrite(error, 'r/a:v1')).toBe(error);
  });
});
