// skopeo as the action runs it, against a stand-in `skopeo` on PATH (a shell script that records
// its argv and stdin, and fails as told): login, push, the copy inside the registry, retries.
import { afterAll, beforeEach, describe, expect, jest, test } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TagTaken, ToolError, UserError } from '../../src/errors.js';
import type { RetryPolicy } from '../../src/process/retry.js';
import { login, pushImage, tagInRegistry, type SkopeoConfig } from '../../src/skopeo/commands.js';

const KEY = `zak_${'9'.repeat(32)}`;
const DIGEST = `sha256:${'e'.repeat(64)}`;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-skopeo-'));
const bin = path.join(work, 'bin');
const calls = path.join(work, 'calls');
fs.mkdirSync(bin);
// Fails the first $FAKE_FAILS calls with $FAKE_ERROR on stderr; a copy writes $FAKE_DIGEST to
// its --digestfile; a login writes its stdin to its --authfile.
fs.writeFileSync(
  path.join(bin, 'skopeo'),
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
  { mode: 0o755 },
);
const savedPath = process.env.PATH;
process.env.PATH = `${bin}:${savedPath}`;
afterAll(() => {
  process.env.PATH = savedPath;
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
  const written: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    const outcome = await work().catch((error: unknown) => error);
    return { log: written.join(''), outcome };
  } finally {
    spy.mockRestore();
  }
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
