import { describe, expect, jest, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { MockAgent } from 'undici';
import { RegistryError, TagTaken } from '../../../src/errors.js';
import { parseChallenge } from '../../../src/registry/classify.js';
import { RegistryClient } from '../../../src/registry/client.js';
import { readTaggedImages, readTaggedImage } from '../../../src/publication/registry-view.js';
import { tagsOf } from '../../../src/image/tags.js';
import { parseRetryAfter, type RetryPolicy } from '../../../src/process/retry.js';
import { capturingStdout } from '../../helpers/stdout.js';

const HOST = 'registry.test';
const ORIGIN = `https://${HOST}`;
const CREDENTIALS = { username: 'ci', apiKey: `zak_${'f'.repeat(32)}` };
const BASIC = `Basic ${Buffer.from(`ci:${CREDENTIALS.apiKey}`).toString('base64')}`;
const DIGEST = `sha256:${'d'.repeat(64)}`;
/** The digest of a manifest's bytes (a string or Buffer as sent, else its JSON). */
const sha256Of = (body: unknown) =>
  `sha256:${createHash('sha256')
    .update(typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body))
    .digest('hex')}`;
/** An image configuration with `labels`, and the digest it is named by: the hash of its bytes. */
const configWith = (labels: Record<string, string> | null, architecture = 'amd64') => {
  const body = { architecture, config: { Labels: labels } };
  return { body, digest: sha256Of(body) };
};
const zotPing = { 'www-authenticate': 'basic realm="zot"' };

function setup(
  options: { credentials?: typeof CREDENTIALS; insecure?: boolean; now?: () => number } = {
    credentials: CREDENTIALS,
  },
) {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const sleep = jest.fn(async (_ms: number) => undefined);
  const retry: RetryPolicy = { attempts: 3, baseDelayMs: 100, maxDelayMs: 5000, sleep };
  const client = new RegistryClient({
    host: HOST,
    insecure: options.insecure ?? false,
    credentials: options.credentials,
    dispatcher: agent,
    retry,
    now: options.now,
  });
  return { agent, pool: agent.get(ORIGIN), client, sleep };
}

/** A client whose /v2/ ping (the first request of every session) zot has answered. */
function pinged() {
  const s = setup();
  s.pool.intercept({ path: '/v2/', method: 'GET' }).reply(200, '{}', { headers: zotPing });
  return s;
}

describe('checkIdentity (the /v2/ ping)', () => {
  test('zot answers 200 to a key it accepts', async () => {
    const { pool, client, agent } = setup();
    pool
      .intercept({ path: '/v2/', method: 'GET', headers: { authorization: BASIC } })
      .reply(200, '{}', { headers: zotPing });
    await expect(client.proveAccess()).resolves.toBeUndefined();
    agent.assertNoPendingInterceptors();
  });

  test('a 401 means the key was rejected: expired, revoked or wrong, and says so without the key', async () => {
    const { pool, client } = setup();
    pool.intercept({ path: '/v2/', method: 'GET' }).reply(401, '{}', { headers: zotPing });
    const error = await client.proveAccess().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as Error).message).toMatch(/rejected the API key of `ci` \(401\).*expired or been revoked/);
    expect((error as Error).message).not.toContain(CREDENTIALS.apiKey);
  });

  test('a registry with token auth: the key is proved by getting a token', async () => {
    const { agent, pool, client } = setup();
    pool.intercept({ path: '/v2/', method: 'GET' }).reply(401, '', {
      headers: { 'www-authenticate': `Bearer realm="https://auth.test/token",service="registry.test"` },
    });
    agent
      .get('https://auth.test')
      .intercept({ path: '/token?service=registry.test', method: 'GET', headers: { authorization: BASIC } })
      .reply(200, { token: 't0' });
    await client.proveAccess();
    agent
      .get('https://auth.test')
      .intercept({ path: '/token?service=registry.test&scope=repository%3Ateam%2Fapp%3Apull', method: 'GET' })
      .reply(200, { token: 't1' });
    pool
      .intercept({
        path: '/v2/team/app/manifests/v1',
        method: 'HEAD',
        headers: { authorization: 'Bearer t1' },
      })
      .reply(404, '');
    await expect(client.lookUp('team/app', 'v1')).resolves.toEqual({ exists: false });
  });

  test('an insecure registry that does not speak TLS is reached over http', async () => {
    const { agent, pool, client } = setup({ credentials: CREDENTIALS, insecure: true });
    pool
      .intercept({ path: '/v2/', method: 'GET' })
      .replyWithError(Object.assign(new Error('wrong version number'), { code: 'EPROTO' }));
    const http = agent.get(`http://${HOST}`);
    http.intercept({ path: '/v2/', method: 'GET' }).reply(200, '{}', { headers: zotPing });
    http.intercept({ path: '/v2/a/manifests/v1', method: 'HEAD' }).reply(404, '');
    await expect(client.lookUp('a', 'v1')).resolves.toEqual({ exists: false });
  });

  test('a TLS failure on a secure registry is never downgraded', async () => {
    const { pool, client } = setup();
    pool
      .intercept({ path: '/v2/', method: 'GET' })
      .replyWithError(
        Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }),
      );
    await expect(client.proveAccess()).rejects.toThrow(
      /TLS with the registry registry.test failed.*insecure_registry/,
    );
  });
});

describe('bearer tokens: renewed before they expire, and once more after a 401', () => {
  const REALM = 'https://auth.test';
  const PULL = '/token?service=registry.test&scope=repository%3Ateam%2Fapp%3Apull';
  /** A token registry whose clock the test moves; the ping proves the key with a token of no scope. */
  async function tokenRegistry() {
    let clock = 0;
    const s = setup({ credentials: CREDENTIALS, now: () => clock });
    s.pool.intercept({ path: '/v2/', method: 'GET' }).reply(401, '', {
      headers: { 'www-authenticate': `Bearer realm="${REALM}/token",service="registry.test"` },
    });
    s.agent
      .get(REALM)
      .intercept({ path: '/token?service=registry.test', method: 'GET' })
      .reply(200, { token: 'p' });
    await s.client.proveAccess();
    return { ...s, advance: (ms: number) => (clock += ms) };
  }
  const token = (agent: MockAgent, value: string, expiresIn?: number) =>
    agent
      .get(REALM)
      .intercept({ path: PULL, method: 'GET', headers: { authorization: BASIC } })
      .reply(200, expiresIn === undefined ? { token: value } : { token: value, expires_in: expiresIn });
  const head = (pool: ReturnType<MockAgent['get']>, value: string, status = 404) =>
    pool
      .intercept({
        path: '/v2/team/app/manifests/v1',
        method: 'HEAD',
        headers: { authorization: `Bearer ${value}` },
      })
      .reply(status, '');

  test('a token is reused while fresh, and fetched again 30 s before expires_in ends', async () => {
    const { agent, pool, client, advance } = await tokenRegistry();
    token(agent, 't1', 300);
    head(pool, 't1');
    head(pool, 't1');
    await client.lookUp('team/app', 'v1');
    advance(268_000); // 300 s less 30 s, less two seconds: still fresh
    await client.lookUp('team/app', 'v1');
    agent.assertNoPendingInterceptors();
    advance(2_000);
    token(agent, 't2', 300);
    head(pool, 't2');
    await client.lookUp('team/app', 'v1');
    agent.assertNoPendingInterceptors();
  });

  test('a token with no expires_in lasts the spec default of 60 s; a long one is renewed 30 s before its end', async () => {
    const { agent, pool, client, advance } = await tokenRegistry();
    token(agent, 'short');
    head(pool, 'short');
    await client.lookUp('team/app', 'v1');
    advance(45_000); // 60 s less 15 s
    token(agent, 'long', 3600);
    head(pool, 'long');
    await client.lookUp('team/app', 'v1');
    advance(3_569_000); // 3600 s less 30 s, less a second
    head(pool, 'long');
    await client.lookUp('team/app', 'v1');
    agent.assertNoPendingInterceptors();
  });

  test('a 401 to a held token (ended early by the realm) fetches one new token and sends the request again', async () => {
    const { agent, pool, client } = await tokenRegistry();
    token(agent, 'old', 300);
    head(pool, 'old');
    await client.lookUp('team/app', 'v1');
    head(pool, 'old', 401);
    token(agent, 'new', 300);
    head(pool, 'new');
    await expect(client.lookUp('team/app', 'v1')).resolves.toEqual({ exists: false });
    agent.assertNoPendingInterceptors();
  });

  test('a 401 to a new token is the key rejected, after exactly one renewal', async () => {
    const { agent, pool, client } = await tokenRegistry();
    token(agent, 'a', 300);
    head(pool, 'a', 401);
    token(agent, 'b', 300);
    head(pool, 'b', 401);
    const error = await client.lookUp('team/app', 'v1').catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/rejected the API key of `ci` \(401\)/);
    agent.assertNoPendingInterceptors();
  });

  test('with Basic credentials (zot) a 401 is the key rejected at once: no second request', async () => {
    const { pool, client, agent } = pinged();
    pool.intercept({ path: '/v2/team/app/manifests/v1', method: 'HEAD' }).reply(401, '');
    const error = await client.lookUp('team/app', 'v1').catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/rejected the API key/);
    agent.assertNoPendingInterceptors();
  });
});

describe('tag: one HEAD request decides', () => {
  test('200 with Docker-Content-Digest: the tag exists at that digest', async () => {
    const { pool, client } = pinged();
    pool
      .intercept({
        path: '/v2/team/app/manifests/v1.0.0',
        method: 'HEAD',
        headers: { accept: /application\/vnd\.oci\.image\.index\.v1\+json/ },
      })
      .reply(200, '', { headers: { 'docker-content-digest': DIGEST } });
    await expect(client.lookUp('team/app', 'v1.0.0')).resolves.toEqual({ exists: true, digest: DIGEST });
  });

  test('404: the tag is free', async () => {
    const { pool, client } = pinged();
    pool.intercept({ path: '/v2/team/app/manifests/v1.0.0', method: 'HEAD' }).reply(404, '');
    await expect(client.lookUp('team/app', 'v1.0.0')).resolves.toEqual({ exists: false });
  });

  test.each([
    [401, /rejected the API key/],
    [403, /denied the request.*\(403\)/],
    [400, /answered HTTP 400/],
  ])('%i fails at once, never taken for "free"', async (status, message) => {
    const { pool, client, sleep } = pinged();
    pool.intercept({ path: '/v2/team/app/manifests/v1.0.0', method: 'HEAD' }).reply(status, '');
    await expect(client.lookUp('team/app', 'v1.0.0')).rejects.toThrow(message);
    expect(sleep).not.toHaveBeenCalled();
  });

  test.each([500, 502, 503, 429])('%i is retried, then fails closed', async (status) => {
    const { pool, client, sleep } = pinged();
    pool.intercept({ path: '/v2/team/app/manifests/v1.0.0', method: 'HEAD' }).reply(status, '').times(3);
    await expect(client.lookUp('team/app', 'v1.0.0')).rejects.toThrow(
      new RegExp(`HTTP ${status} after 3 attempts. Nothing was pushed`),
    );
    expect(sleep.mock.calls.map(([ms]) => ms)).toEqual([100, 200]);
  });

  test('a transient failure that clears is retried to success; Retry-After is honoured within bounds', async () => {
    const { pool, client, sleep } = pinged();
    const path = '/v2/team/app/manifests/v1.0.0';
    pool.intercept({ path, method: 'HEAD' }).reply(429, '', { headers: { 'retry-after': '2' } });
    pool.intercept({ path, method: 'HEAD' }).reply(429, '', { headers: { 'retry-after': '3600' } });
    pool.intercept({ path, method: 'HEAD' }).reply(404, '');
    await expect(client.lookUp('team/app', 'v1.0.0')).resolves.toEqual({ exists: false });
    expect(sleep.mock.calls.map(([ms]) => ms)).toEqual([2000, 5000]);
  });

  test('a network error is retried, then fails closed', async () => {
    const { pool, client } = pinged();
    pool
      .intercept({ path: '/v2/team/app/manifests/v1.0.0', method: 'HEAD' })
      .replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))
      .times(3);
    await expect(client.lookUp('team/app', 'v1.0.0')).rejects.toThrow(/ECONNREFUSED.*after 3 attempts/);
  });

  test('a registry that leaves out the digest header: the digest is the hash of the manifest', async () => {
    const { pool, client } = pinged();
    const manifest = JSON.stringify({ schemaVersion: 2, config: { digest: 'sha256:c' } });
    const { createHash } = await import('node:crypto');
    pool.intercept({ path: '/v2/a/manifests/v1', method: 'HEAD' }).reply(200, '');
    pool.intercept({ path: '/v2/a/manifests/v1', method: 'GET' }).reply(200, manifest);
    await expect(client.lookUp('a', 'v1')).resolves.toEqual({
      exists: true,
      digest: `sha256:${createHash('sha256').update(manifest).digest('hex')}`,
    });
  });
});

describe("readTaggedImage: a tag's digest and the commit it was built from, in as few requests as possible", () => {
  const REV = 'b'.repeat(40);
  const OTHER = 'e'.repeat(40);
  const digestOf = (c: string) => `sha256:${c.repeat(64)}`;
  /** A manifest's answer, with the Docker-Content-Digest of its bytes, as registries send it. */
  const json = (body: unknown) =>
    [JSON.stringify(body), { headers: { 'docker-content-digest': sha256Of(body) } }] as const;
  /** What readTaggedImage finds for the manifest `body`. */
  const found = (body: unknown, revision?: string) => ({ exists: true, digest: sha256Of(body), revision });

  test('a free tag costs one request', async () => {
    const { pool, client, agent } = pinged();
    pool
      .intercept({ path: '/v2/a/manifests/v1', method: 'GET' })
      .reply(404, '{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
    await expect(readTaggedImage(client, 'a', 'v1')).resolves.toEqual({ exists: false });
    agent.assertNoPendingInterceptors();
  });

  test('one tag (`commit_tag: false`): the version tag alone is read, the commit is no tag of the run', async () => {
    const { pool, client, agent } = pinged();
    pool
      .intercept({ path: '/v2/a/manifests/v1', method: 'GET' })
      .reply(404, '{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
    const oneTag = tagsOf(HOST, 'a', 'v1', REV, { commitTag: false });
    await expect(readTaggedImages(client, oneTag)).resolves.toEqual({
      version: { exists: false },
      commit: { exists: false },
      otherTags: {},
    });
    agent.assertNoPendingInterceptors();
  });

  test('an image: the manifest by tag, then the revision label of its configuration', async () => {
    const { pool, client, agent } = pinged();
    const config = configWith({ 'org.opencontainers.image.revision': REV, x: 'y' });
    const manifest = { schemaVersion: 2, config: { digest: config.digest } };
    pool.intercept({ path: '/v2/a/manifests/v1', method: 'GET' }).reply(200, ...json(manifest));
    pool.intercept({ path: `/v2/a/blobs/${config.digest}`, method: 'GET' }).reply(200, config.body);
    await expect(readTaggedImage(client, 'a', 'v1')).resolves.toEqual(found(manifest, REV));
    agent.assertNoPendingInterceptors();
  });

  test('an image whose manifest carries the revision annotation: one request, the annotation wins over the label', async () => {
    const { pool, client, agent } = pinged();
    const manifest = {
      schemaVersion: 2,
      config: { digest: 'sha256:cfg' },
      annotations: { 'org.opencontainers.image.revision': REV },
    };
    pool.intercept({ path: '/v2/a/manifests/v1', method: 'GET' }).reply(200, ...json(manifest));
    await expect(readTaggedImage(client, 'a', 'v1')).resolves.toEqual(found(manifest, REV));
    agent.assertNoPendingInterceptors();
  });

  test('an image without the label or a configuration: no revision', async () => {
    const { pool, client } = pinged();
    const bare = { schemaVersion: 2 };
    const config = configWith(null);
    const unlabelled = { schemaVersion: 2, config: { digest: config.digest } };
    pool.intercept({ path: '/v2/a/manifests/v1', method: 'GET' }).reply(200, ...json(bare));
    pool.intercept({ path: '/v2/a/manifests/v2', method: 'GET' }).reply(200, ...json(unlabelled));
    pool.intercept({ path: `/v2/a/blobs/${config.digest}`, method: 'GET' }).reply(200, config.body);
    await expect(readTaggedImage(client, 'a', 'v1')).resolves.toEqual(found(bare));
    await expect(readTaggedImage(client, 'a', 'v2')).resolves.toEqual(found(unlabelled));
  });

  test('an index with the revision annotation: one request, whatever its platforms', async () => {
    const { pool, client, agent } = pinged();
    const index = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { digest: digestOf('1'), platform: { os: 'linux', architecture: 'amd64' } },
        { digest: digestOf('2'), platform: { os: 'linux', architecture: 'arm64' } },
      ],
      annotations: { 'org.opencontainers.image.revision': REV },
    };
    pool.intercept({ path: '/v2/a/manifests/v1', method: 'GET' }).reply(200, ...json(index));
    await expect(readTaggedImage(client, 'a', 'v1')).resolves.toEqual(found(index, REV));
    agent.assertNoPendingInterceptors();
  });

  /**
   * An index of two platforms and an attestation marked by its annotation alone (no platform),
   * served at `tags`; returns the index.
   */
  function indexWithoutAnnotation(
    pool: ReturnType<typeof pinged>['pool'],
    revisions: [string | undefined, string | undefined],
    tags = ['v1'],
  ) {
    const platforms = revisions.map((revision, index) => {
      const config = configWith(
        revision ? { 'org.opencontainers.image.revision': revision } : null,
        ['amd64', 'arm64'][index],
      );
      const manifest = { schemaVersion: 2, config: { digest: config.digest }, platform: index };
      pool
        .intercept({ path: `/v2/a/manifests/${sha256Of(manifest)}`, method: 'GET' })
        .reply(200, ...json(manifest));
      pool.intercept({ path: `/v2/a/blobs/${config.digest}`, method: 'GET' }).reply(200, config.body);
      return sha256Of(manifest);
    });
    const index = {
      schemaVersion: 2,
      manifests: [
        { digest: platforms[0], platform: { os: 'linux', architecture: 'amd64' } },
        { digest: platforms[1], platform: { os: 'linux', architecture: 'arm64' } },
        {
          digest: digestOf('3'),
          annotations: {
            'vnd.docker.reference.type': 'attestation-manifest',
            'vnd.docker.reference.digest': platforms[0],
          },
        },
      ],
    };
    for (const tag of tags)
      pool.intercept({ path: `/v2/a/manifests/${tag}`, method: 'GET' }).reply(200, ...json(index));
    return index;
  }

  test("an index without the annotation: every platform's label, which agree; the attestation manifest is not read", async () => {
    const { pool, client, agent } = pinged();
    const index = indexWithoutAnnotation(pool, [REV, REV]);
    await expect(readTaggedImage(client, 'a', 'v1')).resolves.toEqual(found(index, REV));
    // Five requests: the index, two manifests, two configurations; never the attestation.
    agent.assertNoPendingInterceptors();
  });

  test("two tags of one index without the annotation: each platform's manifest and configuration read once", async () => {
    const { pool, client, agent } = pinged();
    // One interceptor a request: a second read of a platform's manifest would find none and fail.
    const index = indexWithoutAnnotation(pool, [REV, REV], ['v1', REV]);
    const both = await Promise.all([readTaggedImage(client, 'a', 'v1'), readTaggedImage(client, 'a', REV)]);
    expect(both).toEqual([found(index, REV), found(index, REV)]);
    agent.assertNoPendingInterceptors();
  });

  test('an index whose platforms name different commits is not judged: an error naming both', async () => {
    const { pool, client } = pinged();
    indexWithoutAnnotation(pool, [REV, OTHER]);
    await expect(readTaggedImage(client, 'a', 'v1')).rejects.toThrow(
      `a:v1 is an index whose platforms were built from different commits (${REV}, ${OTHER}): it was not pushed by this action, and is left as it is. Find out what pushed it.`,
    );
  });

  test('an index of attestations only, or of entries without digests: no revision, nothing more read', async () => {
    const { pool, client, agent } = pinged();
    const index = {
      schemaVersion: 2,
      manifests: [{ digest: digestOf('3'), platform: { os: 'unknown', architecture: 'unknown' } }, {}, null],
    };
    pool.intercept({ path: '/v2/a/manifests/v1', method: 'GET' }).reply(200, ...json(index));
    await expect(readTaggedImage(client, 'a', 'v1')).resolves.toEqual(found(index));
    agent.assertNoPendingInterceptors();
  });

  test('an index with one platform labelled and one not is not judged either: the unlabelled one is named none', async () => {
    const { pool, client } = pinged();
    indexWithoutAnnotation(pool, [REV, undefined]);
    await expect(readTaggedImage(client, 'a', 'v1')).rejects.toThrow(`(${REV}, none)`);
  });

  test('annotations that are null count as none: the label decides', async () => {
    const { pool, client } = pinged();
    const config = configWith({ 'org.opencontainers.image.revision': REV });
    const manifest = { schemaVersion: 2, config: { digest: config.digest }, annotations: null };
    pool.intercept({ path: '/v2/a/manifests/v1', method: 'GET' }).reply(200, ...json(manifest));
    pool.intercept({ path: `/v2/a/blobs/${config.digest}`, method: 'GET' }).reply(200, config.body);
    await expect(readTaggedImage(client, 'a', 'v1')).resolves.toEqual(found(manifest, REV));
  });

  test('readTaggedImages logs each tag: its digest and commit, or absent', async () => {
    const { pool, client } = pinged();
    pool.intercept({ path: '/v2/a/manifests/v1', method: 'GET' }).reply(404, '');
    const manifest = { schemaVersion: 2, annotations: {} };
    pool.intercept({ path: `/v2/a/manifests/${REV}`, method: 'GET' }).reply(200, ...json(manifest));
    const { written } = await capturingStdout(() => readTaggedImages(client, tagsOf(HOST, 'a', 'v1', REV)));
    expect(written).toBe(`v1: absent\n${REV}: ${sha256Of(manifest)}, built from an unknown commit\n`);
  });

  test('a 503 on the manifest is retried and never taken for a free tag', async () => {
    const { pool, client } = pinged();
    pool.intercept({ path: '/v2/a/manifests/v1', method: 'GET' }).reply(503, '').times(3);
    await expect(readTaggedImage(client, 'a', 'v1')).rejects.toThrow(/HTTP 503 after 3 attempts/);
  });
});

test('parseChallenge reads scheme and parameters', () => {
  expect(parseChallenge('Bearer realm="https://a/token",service="reg",scope="x:y:pull"')).toEqual({
    scheme: 'bearer',
    params: { realm: 'https://a/token', service: 'reg', scope: 'x:y:pull' },
  });
  expect(parseChallenge('basic realm="zot"')?.scheme).toBe('basic');
  expect(parseChallenge(undefined)).toBeUndefined();
});

test('parseRetryAfter reads seconds and dates', () => {
  expect(parseRetryAfter('5')).toBe(5000);
  expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', Date.parse('Thu, 01 Jan 2026 00:00:00 GMT'))).toBe(
    10000,
  );
  expect(parseRetryAfter('soon')).toBeUndefined();
});

describe('a hostile registry is bounded', () => {
  const manifestPath = '/v2/team/app/manifests/v1';

  test('a manifest over 4 MiB is refused, naming the limit, without retrying', async () => {
    const { pool, client, sleep } = pinged();
    pool.intercept({ path: manifestPath, method: 'GET' }).reply(200, Buffer.alloc(4 * 1024 * 1024 + 1, 0x20));
    const error = await readTaggedImage(client, 'team/app', 'v1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as Error).message).toMatch(/answer is larger than 4 MiB/);
    expect(sleep).not.toHaveBeenCalled();
  });

  test('a manifest of exactly 4 MiB is read', async () => {
    const { pool, client } = pinged();
    const body = Buffer.alloc(4 * 1024 * 1024, 0x20);
    body.write('{"schemaVersion":2,"layers":[]}');
    pool
      .intercept({ path: manifestPath, method: 'GET' })
      .reply(200, body, { headers: { 'docker-content-digest': sha256Of(body) } });
    await expect(readTaggedImage(client, 'team/app', 'v1')).resolves.toEqual({
      exists: true,
      digest: sha256Of(body),
      revision: undefined,
    });
  });

  test('the key list is capped at 1 MiB', async () => {
    const { pool, client } = pinged();
    pool
      .intercept({ path: '/zot/auth/apikey', method: 'GET' })
      .reply(200, Buffer.alloc(1024 * 1024 + 1, 0x20));
    await expect(client.apiKeys()).rejects.toThrow(/larger than 1 MiB/);
  });

  test('an error body is cut at 64 KiB and the error still reported', async () => {
    const { pool, client } = pinged();
    pool.intercept({ path: manifestPath, method: 'GET' }).reply(400, Buffer.alloc(10 * 1024 * 1024, 0x41));
    await expect(readTaggedImage(client, 'team/app', 'v1')).rejects.toThrow(/answered HTTP 400/);
  });

  test('two tags of one image read its configuration once', async () => {
    const { pool, client, agent } = pinged();
    const config = configWith({ 'org.opencontainers.image.revision': 'r' });
    const manifest = JSON.stringify({ schemaVersion: 2, config: { digest: config.digest }, layers: [] });
    for (const tag of ['v1', 'abc'])
      pool
        .intercept({ path: `/v2/team/app/manifests/${tag}`, method: 'GET' })
        .reply(200, manifest, { headers: { 'docker-content-digest': sha256Of(manifest) } });
    pool.intercept({ path: `/v2/team/app/blobs/${config.digest}`, method: 'GET' }).reply(200, config.body);
    const [one, two] = await Promise.all([
      readTaggedImage(client, 'team/app', 'v1'),
      readTaggedImage(client, 'team/app', 'abc'),
    ]);
    expect(one).toEqual({ exists: true, digest: sha256Of(manifest), revision: 'r' });
    expect(two).toEqual(one);
    agent.assertNoPendingInterceptors();
  });
});

describe('credentials stay with the registry', () => {
  test('a token realm over plain http is refused for an https registry, before the key is sent', async () => {
    const { agent, pool, client } = setup();
    pool.intercept({ path: '/v2/', method: 'GET' }).reply(401, '', {
      headers: { 'www-authenticate': 'Bearer realm="http://auth.test/token",service="registry.test"' },
    });
    agent.get('http://auth.test').intercept({ path: /token/, method: 'GET' }).reply(200, { token: 't' });
    await expect(client.proveAccess()).rejects.toThrow(
      /sends clients for tokens to http:\/\/auth.test, which is not https/,
    );
    expect(agent.pendingInterceptors()).toHaveLength(1);
  });

  test('with insecure_registry an http realm is allowed (a test registry)', async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    const client = new RegistryClient({
      host: HOST,
      insecure: true,
      credentials: CREDENTIALS,
      dispatcher: agent,
    });
    agent
      .get(ORIGIN)
      .intercept({ path: '/v2/', method: 'GET' })
      .reply(401, '', {
        headers: { 'www-authenticate': 'Bearer realm="http://auth.test/token"' },
      });
    agent
      .get('http://auth.test')
      .intercept({ path: '/token', method: 'GET', headers: { authorization: BASIC } })
      .reply(200, { token: 't' });
    await expect(client.proveAccess()).resolves.toBeUndefined();
  });

  test('a ping redirected elsewhere is not followed, so it cannot pass for an accepted key', async () => {
    const { agent, pool, client } = setup();
    pool
      .intercept({ path: '/v2/', method: 'GET' })
      .reply(302, '', { headers: { location: 'https://elsewhere.test/v2/' } });
    agent.get('https://elsewhere.test').intercept({ path: '/v2/', method: 'GET' }).reply(200, '{}');
    await expect(client.proveAccess()).rejects.toThrow(/answered HTTP 302/);
    expect(agent.pendingInterceptors()).toHaveLength(1);
  });
});

describe('a digest the action reports or decides on is the sha256 of bytes it read', () => {
  const manifest = JSON.stringify({
    schemaVersion: 2,
    annotations: { 'org.opencontainers.image.revision': 'r' },
  });
  const TRUE = sha256Of(manifest);
  const LIE = `sha256:${'b'.repeat(64)}`;

  test('a manifest without the header: the hash of its bytes', async () => {
    const { pool, client } = pinged();
    pool.intercept({ path: '/v2/a/manifests/v1', method: 'GET' }).reply(200, manifest);
    await expect(readTaggedImage(client, 'a', 'v1')).resolves.toEqual({
      exists: true,
      digest: TRUE,
      revision: 'r',
    });
  });

  test('a header that disagrees with the bytes fails closed, naming both', async () => {
    const { pool, client } = pinged();
    pool
      .intercept({ path: '/v2/a/manifests/v1', method: 'GET' })
      .reply(200, manifest, { headers: { 'docker-content-digest': LIE } });
    const error = await readTaggedImage(client, 'a', 'v1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as Error).message).toBe(
      `The registry sent a:v1 with Docker-Content-Digest \`${LIE}\`, but the manifest's bytes hash to ${TRUE}. ` +
        'A registry whose digests do not match its manifests is not trusted: nothing more was written. Check the registry (or a proxy in front of it) and run again.',
    );
  });

  test('a header holding markup is shown as digest characters only', async () => {
    const { pool, client } = pinged();
    pool
      .intercept({ path: '/v2/a/manifests/v1', method: 'GET' })
      .reply(200, manifest, { headers: { 'docker-content-digest': '<img src=x onerror=alert(1)>' } });
    const message = String(
      await readTaggedImage(client, 'a', 'v1').catch((e: unknown) => (e as Error).message),
    );
    expect(message).toContain('Docker-Content-Digest `?img?src?x?onerror?alert?1??`');
    expect(message).not.toMatch(/[<>=]|alert\(/);
  });

  test('a look-up whose header is not a digest fails closed; a well-formed one is a hint', async () => {
    const { pool, client } = pinged();
    pool
      .intercept({ path: '/v2/a/manifests/v1', method: 'HEAD' })
      .reply(200, '', { headers: { 'docker-content-digest': `sha256:${'A'.repeat(64)}\n::x` } });
    await expect(client.lookUp('a', 'v1')).rejects.toThrow(
      /a look-up of a:v1 with a Docker-Content-Digest that is not a sha256 digest \(`sha256:A{64}\?::x`\)/,
    );
    pool
      .intercept({ path: '/v2/a/manifests/v2', method: 'HEAD' })
      .reply(200, '', { headers: { 'docker-content-digest': LIE } });
    await expect(client.lookUp('a', 'v2')).resolves.toEqual({ exists: true, digest: LIE });
  });

  test('a look-up without the header reads the manifest and hashes it', async () => {
    const { pool, client, agent } = pinged();
    pool.intercept({ path: '/v2/a/manifests/v1', method: 'HEAD' }).reply(200, '');
    pool.intercept({ path: '/v2/a/manifests/v1', method: 'GET' }).reply(200, manifest);
    await expect(client.lookUp('a', 'v1')).resolves.toEqual({ exists: true, digest: TRUE });
    agent.assertNoPendingInterceptors();
  });

  test('a manifest read by tag is not read again by its digest (its bytes hash to it)', async () => {
    const { pool, client, agent } = pinged();
    pool.intercept({ path: '/v2/a/manifests/v1', method: 'GET' }).reply(200, manifest);
    const byTag = await client.manifestIfAny('a', 'v1');
    expect(byTag?.digest).toBe(TRUE);
    await expect(client.manifest('a', TRUE)).resolves.toBe(byTag);
    agent.assertNoPendingInterceptors();
  });

  test("an index's platform read by digest must hash to that digest", async () => {
    const { pool, client } = pinged();
    pool.intercept({ path: `/v2/a/manifests/${LIE}`, method: 'GET' }).reply(200, manifest);
    await expect(client.manifest('a', LIE)).rejects.toThrow(
      `The registry answered a read of a@${LIE} with a manifest whose bytes hash to ${TRUE}: it is not the one asked for.`,
    );
  });
});

describe('a TLS failure is named, never retried as a network fault', () => {
  function failingWith(error: Error) {
    const agent = new MockAgent();
    agent.disableNetConnect();
    agent.get('https://r.test').intercept({ path: '/v2/', method: 'GET' }).replyWithError(error).persist();
    const sleep = jest.fn(async (_ms: number) => undefined);
    const client = new RegistryClient({
      host: 'r.test',
      insecure: false,
      dispatcher: agent,
      retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1, sleep },
    });
    return { client, sleep };
  }
  const coded = (code: string, message = 'handshake failed') => Object.assign(new Error(message), { code });

  test.each([
    'EPROTO',
    'ERR_SSL_WRONG_VERSION_NUMBER',
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    'CERT_HAS_EXPIRED',
    'ERR_TLS_CERT_ALTNAME_INVALID',
    'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
    'ERR_TLS_HANDSHAKE_TIMEOUT',
  ])('%s', async (code) => {
    const { client, sleep } = failingWith(coded(code, 'x'));
    await expect(client.proveAccess()).rejects.toThrow(`TLS with the registry r.test failed (${code})`);
    expect(sleep).not.toHaveBeenCalled();
  });

  test('found in the cause of the error undici throws', async () => {
    const wrapped = Object.assign(new Error('fetch failed'), {
      code: 'UND_ERR_SOCKET',
      cause: coded('CERT_HAS_EXPIRED'),
    });
    const { client } = failingWith(wrapped);
    await expect(client.proveAccess()).rejects.toThrow('(CERT_HAS_EXPIRED)');
  });

  test('a code that only ends like a TLS one is a network fault, tried again', async () => {
    const { client, sleep } = failingWith(coded('XERR_SSL', 'socket hang up'));
    await expect(client.proveAccess()).rejects.toThrow(/XERR_SSL \(socket hang up\) after 3 attempts/);
    expect(sleep).toHaveBeenCalledTimes(2);
  });

  test('a timeout says how long it waited', async () => {
    const { client } = failingWith(coded('UND_ERR_HEADERS_TIMEOUT', 'Headers Timeout Error'));
    await expect(client.proveAccess()).rejects.toThrow(/no answer within 30s \(UND_ERR_HEADERS_TIMEOUT\)/);
  });
});

describe("the client's own writes: blobs and manifests (signatures)", () => {
  const bytes = Buffer.from('{"payload":1}');
  const digestOfBytes = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

  test('a blob the registry lacks: POST opens the upload, PUT with the digest closes it, on the same origin', async () => {
    const { pool, client, agent } = pinged();
    pool.intercept({ path: `/v2/a/blobs/${digestOfBytes}`, method: 'HEAD' }).reply(404, '');
    pool
      .intercept({ path: '/v2/a/blobs/uploads/', method: 'POST', headers: { authorization: BASIC } })
      .reply(202, '', { headers: { location: '/v2/a/blobs/uploads/u1?state=x' } });
    pool
      .intercept({
        // The upload's own query kept, the digest added (undici's mock sorts the query).
        path: (p: string) =>
          p.startsWith('/v2/a/blobs/uploads/u1?') &&
          new URLSearchParams(p.slice(p.indexOf('?'))).get('state') === 'x' &&
          new URLSearchParams(p.slice(p.indexOf('?'))).get('digest') === digestOfBytes,
        method: 'PUT',
      })
      .reply((request) => {
        sent = request;
        return { statusCode: 201, data: '' };
      });
    let sent: { body?: unknown; headers?: unknown } = {};
    await expect(client.putBlob('a', bytes)).resolves.toBe(digestOfBytes);
    agent.assertNoPendingInterceptors();
    expect(Buffer.from(sent.body as Buffer).toString()).toBe(bytes.toString());
    expect(sent.headers).toMatchObject({ 'content-type': 'application/octet-stream', authorization: BASIC });
  });

  test('a blob the registry has is not uploaded again', async () => {
    const { pool, client, agent } = pinged();
    pool.intercept({ path: `/v2/a/blobs/${digestOfBytes}`, method: 'HEAD' }).reply(200, '');
    await expect(client.putBlob('a', bytes)).resolves.toBe(digestOfBytes);
    agent.assertNoPendingInterceptors();
  });

  test('an upload sent to another origin is refused before the key goes there', async () => {
    const { pool, client, agent } = pinged();
    pool.intercept({ path: `/v2/a/blobs/${digestOfBytes}`, method: 'HEAD' }).reply(404, '');
    pool
      .intercept({ path: '/v2/a/blobs/uploads/', method: 'POST' })
      .reply(202, '', { headers: { location: 'http://elsewhere.test/upload/1' } });
    agent
      .get('http://elsewhere.test')
      .intercept({ path: /upload/, method: 'PUT' })
      .reply(201, '');
    await expect(client.putBlob('a', bytes)).rejects.toThrow(
      'The registry sent the upload to http://elsewhere.test, not to https://registry.test: the credentials would go there. Nothing was uploaded.',
    );
    expect(agent.pendingInterceptors()).toHaveLength(1);
  });

  test('a manifest: PUT with its media type; its digest is the hash of the bytes, which the registry must confirm', async () => {
    const { pool, client } = pinged();
    pool
      .intercept({
        path: '/v2/a/manifests/sha256-x.sig',
        method: 'PUT',
        headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
      })
      .reply(201, '', { headers: { 'docker-content-digest': digestOfBytes } });
    await expect(
      client.putManifest('a', 'sha256-x.sig', bytes, 'application/vnd.oci.image.manifest.v1+json'),
    ).resolves.toBe(digestOfBytes);
    pool
      .intercept({ path: '/v2/a/manifests/t2', method: 'PUT' })
      .reply(201, '', { headers: { 'docker-content-digest': DIGEST } });
    await expect(client.putManifest('a', 't2', bytes, 'x')).rejects.toThrow(
      `The registry stored a:t2 under \`${DIGEST}\`, not under the digest of the bytes sent (${digestOfBytes}).`,
    );
  });

  test('a refused manifest write (403, zot without `update`) is a taken tag', async () => {
    const { pool, client } = pinged();
    pool
      .intercept({ path: '/v2/a/manifests/t', method: 'PUT' })
      .reply(403, '{"errors":[{"code":"DENIED","message":"denied"}]}');
    const error = await client.putManifest('a', 't', bytes, 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TagTaken);
    expect((error as Error).message).toBe(
      'The registry refused to write the manifest a:t (403 DENIED: DENIED denied): the identity lacks `create` on a, or the tag exists and it lacks `update`.',
    );
  });

  test('a refused manifest write names the tag it could not write', async () => {
    const { pool, client } = pinged();
    pool.intercept({ path: '/v2/a/manifests/t', method: 'PUT' }).reply(403, '');
    const error = await client.putManifest('a', 't', bytes, 'x').catch((e: unknown) => e);
    expect((error as TagTaken).taken.reference).toBe('registry.test/a:t');
  });

  test('a manifest written is copied to another tag byte for byte, without reading it back', async () => {
    const { pool, client, agent } = pinged();
    const sent: string[] = [];
    for (const tag of ['t1', 't2'])
      pool.intercept({ path: `/v2/a/manifests/${tag}`, method: 'PUT' }).reply((request) => {
        sent.push(
          `${tag} ${Buffer.from(request.body as Buffer).toString()} ${String((request.headers as Record<string, string>)['content-type'])}`,
        );
        return { statusCode: 201, data: '' };
      });
    const written = await client.putManifest('a', 't1', bytes, 'application/x-test');
    await client.tagManifest('a', written, 't2');
    expect(sent).toEqual([
      `t1 ${bytes.toString()} application/x-test`,
      `t2 ${bytes.toString()} application/x-test`,
    ]);
    agent.assertNoPendingInterceptors();
  });

  test('a configuration whose bytes do not hash to its digest is not trusted', async () => {
    const { pool, client } = pinged();
    pool.intercept({ path: `/v2/a/blobs/${DIGEST}`, method: 'GET' }).reply(200, { os: 'linux' });
    await expect(client.config('a', 't', DIGEST)).rejects.toThrow(
      `The registry answered a read of the configuration ${DIGEST} of a:t with bytes that hash to ${sha256Of({ os: 'linux' })}: it is not the one asked for. Nothing more was written.`,
    );
  });

  test("a signature's payload is the bytes of its digest, or no payload at all: other bytes, no blob, too large", async () => {
    const { pool, client } = pinged();
    pool.intercept({ path: `/v2/a/blobs/${digestOfBytes}`, method: 'GET' }).reply(200, bytes);
    await expect(client.signaturePayload('a', digestOfBytes)).resolves.toEqual(bytes);
    pool.intercept({ path: `/v2/a/blobs/${DIGEST}`, method: 'GET' }).reply(200, bytes);
    await expect(client.signaturePayload('a', DIGEST)).resolves.toBeUndefined();
    pool.intercept({ path: `/v2/a/blobs/${DIGEST}`, method: 'GET' }).reply(404, '');
    await expect(client.signaturePayload('a', DIGEST)).resolves.toBeUndefined();
    pool.intercept({ path: `/v2/a/blobs/${DIGEST}`, method: 'GET' }).reply(200, Buffer.alloc(64 * 1024 + 1));
    await expect(client.signaturePayload('a', DIGEST)).resolves.toBeUndefined();
  });

  test("a signature's payload found is read once (its bytes are its digest's); one not found is asked again", async () => {
    const { pool, client } = pinged();
    pool.intercept({ path: `/v2/a/blobs/${digestOfBytes}`, method: 'GET' }).reply(404, '');
    await expect(client.signaturePayload('a', digestOfBytes)).resolves.toBeUndefined();
    pool.intercept({ path: `/v2/a/blobs/${digestOfBytes}`, method: 'GET' }).reply(200, bytes);
    await expect(client.signaturePayload('a', digestOfBytes)).resolves.toEqual(bytes);
    // No interceptor left: a third read that asked the registry would fail.
    await expect(client.signaturePayload('a', digestOfBytes)).resolves.toEqual(bytes);
  });

  test("a registry that cannot answer for a signature's payload stops the run: nothing is decided on a guess", async () => {
    const { pool, client } = pinged();
    pool
      .intercept({ path: `/v2/a/blobs/${DIGEST}`, method: 'GET' })
      .reply(503, '')
      .times(3);
    await expect(client.signaturePayload('a', DIGEST)).rejects.toThrow(/Could not read the blob a@/);
  });
});

describe('referrers (OCI 1.1): listed by the API, or not supported', () => {
  const referrer = Buffer.from('{"schemaVersion":2,"subject":{}}');
  const referrerDigest = `sha256:${createHash('sha256').update(referrer).digest('hex')}`;

  test('the API lists them: its descriptors', async () => {
    const { pool, client, agent } = pinged();
    const listed = [{ digest: referrerDigest, artifactType: 'application/x' }];
    pool
      .intercept({ path: `/v2/a/referrers/${DIGEST}`, method: 'GET' })
      .reply(200, JSON.stringify({ schemaVersion: 2, manifests: listed }));
    await expect(client.referrers('a', DIGEST)).resolves.toEqual(listed);
    agent.assertNoPendingInterceptors();
  });

  test('a registry without the API (404): undefined, so the caller reads the referrers tag; it is not asked again in the run', async () => {
    const { pool, client } = pinged();
    pool.intercept({ path: `/v2/a/referrers/${DIGEST}`, method: 'GET' }).reply(404, '');
    await expect(client.referrers('a', DIGEST)).resolves.toBeUndefined();
    // No interceptor left: a second listing that asked the registry would fail.
    await expect(client.referrers('a', referrerDigest)).resolves.toBeUndefined();
  });

  test('an answer that cannot be read is an error, never "none"', async () => {
    const { pool, client } = pinged();
    pool.intercept({ path: `/v2/a/referrers/${DIGEST}`, method: 'GET' }).reply(200, 'not json');
    await expect(client.referrers('a', DIGEST)).rejects.toThrow(RegistryError);
  });

  test.each([
    [{ 'oci-subject': DIGEST }, true],
    [{}, false],
  ])('a referrer put by its digest, answered with %j: listed by the registry %s', async (headers, listed) => {
    const { pool, client, agent } = pinged();
    pool
      .intercept({ path: `/v2/a/manifests/${referrerDigest}`, method: 'PUT' })
      .reply(201, '', { headers: { 'docker-content-digest': referrerDigest, ...headers } });
    await expect(
      client.putReferrer('a', referrer, 'application/vnd.oci.image.manifest.v1+json'),
    ).resolves.toEqual({
      digest: referrerDigest,
      listed,
    });
    agent.assertNoPendingInterceptors();
  });
});
