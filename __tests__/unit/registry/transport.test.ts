import { afterEach, describe, expect, jest, test } from '@jest/globals';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { MockAgent } from 'undici';
import { selfSignedCertificate } from '../../helpers/tls.js';
import { RegistryError } from '../../../src/errors.js';
import {
  DOCUMENT_LIMIT,
  header,
  KEY_LIST_LIMIT,
  parseJson,
  Transport,
  type Answer,
  type Ask,
} from '../../../src/registry/transport.js';
import type { RetryPolicy } from '../../../src/process/retry.js';

// The transport alone, against undici's MockAgent (statuses, bodies, headers) and real servers on
// 127.0.0.1 (deadlines, closed connections, TLS). No address but loopback is ever dialled.

const HOST = 'registry.test';
const ORIGIN = `https://${HOST}`;
const PATH = '/v2/team/app/manifests/v1';
const WHAT = 'look up the tag team/app:v1';
const AGAIN = 'Nothing was pushed; run the job again when the registry answers.';
const KiB = 1024;
const MiB = 1024 * KiB;
const ERROR_BODY_LIMIT = 64 * KiB;

/** The https servers' certificate: self-signed, made once for this file. */
let certificate: { key: Buffer; cert: Buffer } | undefined;
const testCertificate = () => (certificate ??= selfSignedCertificate());

/** Run after each test, last first: servers closed, agents and transports closed. */
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  jest.restoreAllMocks();
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** A retry policy whose sleep records its waits instead of waiting. */
function policy(attempts: number) {
  const waits: number[] = [];
  const retry: RetryPolicy = {
    attempts,
    baseDelayMs: 100,
    maxDelayMs: 5000,
    sleep: async (ms) => {
      waits.push(ms);
    },
  };
  return { retry, waits };
}

/** A transport whose every request goes through a MockAgent that refuses real connections. */
function mocked(options: { attempts?: number } = {}) {
  const agent = new MockAgent();
  agent.disableNetConnect();
  cleanups.push(() => agent.close());
  const { retry, waits } = policy(options.attempts ?? 3);
  const logged: string[] = [];
  const transport = new Transport({
    host: HOST,
    insecure: false,
    retry,
    timeoutMs: 200,
    dispatcher: agent,
    log: (message) => logged.push(message),
  });
  const pool = agent.get(ORIGIN);
  const send = (ask: Partial<Ask> = {}, method: 'GET' | 'HEAD' = 'GET') =>
    transport.send(agent, method, `${ORIGIN}${PATH}`, { what: WHAT, expect: [200], ...ask });
  return { agent, pool, transport, waits, logged, send };
}

/** The error a promise rejects with; a promise that resolves fails the test. */
function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    (value) => {
      throw new Error(`expected a failure, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error as Error,
  );
}

type Handler = (request: IncomingMessage, response: ServerResponse, n: number) => void;

/** A server on 127.0.0.1 (a free port), closed after the test; `requests` counts what it saw. */
async function serve(handler: Handler, tls = false) {
  const seen: IncomingMessage[] = [];
  const listener = (request: IncomingMessage, response: ServerResponse) => {
    seen.push(request);
    handler(request, response, seen.length);
  };
  const server = tls ? createHttpsServer(testCertificate(), listener) : createServer(listener);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const { port } = server.address() as AddressInfo;
  return { host: `127.0.0.1:${port}`, seen };
}

/** A transport of its own undici Agent (no dispatcher given), closed after the test. */
function real(host: string, options: { attempts?: number; insecure?: boolean } = {}) {
  const { retry, waits } = policy(options.attempts ?? 2);
  const transport = new Transport({ host, insecure: options.insecure ?? false, retry, timeoutMs: 200 });
  cleanups.push(() => transport.close());
  return { transport, waits };
}

const get = (transport: Transport, url: string, ask: Partial<Ask> = {}, scheme = new URL(url).protocol) =>
  transport.send(transport.dispatchersFor(scheme.replace(':', '')).direct, 'GET', url, {
    what: WHAT,
    expect: [200],
    ...ask,
  });

describe('statuses: expected ones handed back, 429 and 5xx retried, any other fatal', () => {
  test.each([
    [200, [200]],
    [204, [204]],
    [404, [200, 404]],
    [401, [200, 401]],
    [302, [302]],
  ])('%i, expected in %j, is handed back with its headers and body, at once', async (status, expect_) => {
    const { pool, send, waits } = mocked();
    pool
      .intercept({ path: PATH, method: 'GET' })
      .reply(status, status === 204 ? '' : 'the body', { headers: { 'x-kind': 'k' } });
    const answer = await send({ expect: expect_ });
    expect(answer.status).toBe(status);
    expect(answer.body.toString()).toBe(status === 204 ? '' : 'the body');
    expect(answer.headers['x-kind']).toBe('k');
    expect(waits).toEqual([]);
  });

  test.each([
    [400, '', ''],
    [401, '', ''],
    [
      403,
      '{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}',
      ': DENIED requested access to the resource is denied',
    ],
    [404, '{"errors":[{"code":"MANIFEST_UNKNOWN"}]}', ': MANIFEST_UNKNOWN'],
    [405, 'not json', ''],
    [302, '', ''],
    [200, '', ''],
    [499, '', ''],
  ])("%i, not expected, fails at once with the registry's words (%j)", async (status, body, words) => {
    const { pool, send, waits, logged } = mocked();
    pool.intercept({ path: PATH, method: 'GET' }).reply(status, body);
    const error = await failure(send({ expect: status === 200 ? [204] : [200] }));
    expect(error).toBeInstanceOf(RegistryError);
    expect(error.message).toBe(`Could not ${WHAT}: the registry answered HTTP ${status}${words}.`);
    expect(waits).toEqual([]);
    expect(logged).toEqual([]);
  });

  test.each([429, 500, 502, 503, 504, 599])(
    "%i is retried with the policy's waits, then reported with the number of attempts",
    async (status) => {
      const { pool, send, waits, logged, agent } = mocked();
      pool.intercept({ path: PATH, method: 'GET' }).reply(status, '').times(3);
      const error = await failure(send());
      expect(error).toBeInstanceOf(RegistryError);
      expect(error.message).toBe(`Could not ${WHAT}: HTTP ${status} after 3 attempts. ${AGAIN}`);
      expect(waits).toEqual([100, 200]);
      expect(logged).toEqual([
        `Registry: HTTP ${status}; retrying in 0.1s`,
        `Registry: HTTP ${status}; retrying in 0.2s`,
      ]);
      agent.assertNoPendingInterceptors();
    },
  );

  test("a transient failure's reason carries the registry's words", async () => {
    const { pool, send, logged } = mocked({ attempts: 2 });
    pool
      .intercept({ path: PATH, method: 'GET' })
      .reply(503, '{"errors":[{"code":"UNAVAILABLE","message":"busy"}]}')
      .times(2);
    const error = await failure(send());
    expect(error.message).toBe(`Could not ${WHAT}: HTTP 503: UNAVAILABLE busy after 2 attempts. ${AGAIN}`);
    expect(logged).toEqual(['Registry: HTTP 503: UNAVAILABLE busy; retrying in 0.1s']);
  });

  test('a transient failure that clears is retried to the answer', async () => {
    const { pool, send, waits, agent } = mocked();
    pool.intercept({ path: PATH, method: 'GET' }).reply(503, '');
    pool.intercept({ path: PATH, method: 'GET' }).reply(429, '');
    pool.intercept({ path: PATH, method: 'GET' }).reply(200, 'at last');
    const answer = await send();
    expect(answer.body.toString()).toBe('at last');
    expect(waits).toEqual([100, 200]);
    agent.assertNoPendingInterceptors();
  });

  test('a transient failure followed by a fatal one fails with the fatal one, without further waits', async () => {
    const { pool, send, waits } = mocked();
    pool.intercept({ path: PATH, method: 'GET' }).reply(500, '');
    pool.intercept({ path: PATH, method: 'GET' }).reply(403, '');
    const error = await failure(send());
    expect(error.message).toBe(`Could not ${WHAT}: the registry answered HTTP 403.`);
    expect(waits).toEqual([100]);
  });

  test('HEAD is sent as HEAD', async () => {
    const { pool, send } = mocked();
    pool
      .intercept({ path: PATH, method: 'HEAD' })
      .reply(200, '', { headers: { 'docker-content-digest': 'd' } });
    const answer = await send({}, 'HEAD');
    expect(header(answer, 'docker-content-digest')).toBe('d');
  });
});

describe('attempts: a request may allow fewer than the policy', () => {
  test.each([
    [1, []],
    [2, [100]],
    [undefined, [100, 200]],
  ])('attempts %p: %j waited, the count reported', async (attempts, expected) => {
    const { pool, send, waits } = mocked();
    pool.intercept({ path: PATH, method: 'GET' }).reply(503, '').times(3);
    const error = await failure(send({ attempts }));
    expect(error.message).toBe(`Could not ${WHAT}: HTTP 503 after ${attempts ?? 3} attempts. ${AGAIN}`);
    expect(waits).toEqual(expected);
  });
});

describe('Retry-After: honoured, in seconds or as a date, never past the longest wait', () => {
  const NOW = Date.parse('Thu, 01 Jan 2026 00:00:00 GMT') + 750;

  test.each([
    ['2', 2000, '2s'],
    ['0', 0, '0s'],
    ['3600', 5000, '5s'],
    ['Thu, 01 Jan 2026 00:00:02 GMT', 1250, '1.3s'],
    ['Thu, 01 Jan 2026 00:00:04 GMT', 3250, '3.3s'],
    ['Wed, 31 Dec 2025 23:00:00 GMT', 0, '0s'],
    ['Fri, 01 Jan 2027 00:00:00 GMT', 5000, '5s'],
    ['soon', 100, '0.1s'],
    ['Thu, 32 Jan 2026 00:00:00 GMT', 100, '0.1s'],
    ['not a date GMT', 100, '0.1s'],
    ['-5', 100, '0.1s'],
  ])('Retry-After %j: waits %i ms', async (value, wait, said) => {
    jest.spyOn(Date, 'now').mockReturnValue(NOW);
    const { pool, send, waits, logged } = mocked();
    pool.intercept({ path: PATH, method: 'GET' }).reply(429, '', { headers: { 'retry-after': value } });
    pool.intercept({ path: PATH, method: 'GET' }).reply(200, 'ok');
    await expect(send()).resolves.toMatchObject({ status: 200 });
    expect(waits).toEqual([wait]);
    expect(logged).toEqual([`Registry: HTTP 429; retrying in ${said}`]);
  });

  test('on a 503 too, and only the first of repeated headers counts', async () => {
    const { pool, send, waits } = mocked();
    pool.intercept({ path: PATH, method: 'GET' }).reply(503, '', { headers: { 'retry-after': ['1', '4'] } });
    pool.intercept({ path: PATH, method: 'GET' }).reply(503, '', { headers: { 'retry-after': '3' } });
    pool.intercept({ path: PATH, method: 'GET' }).reply(200, 'ok');
    await send();
    expect(waits).toEqual([1000, 3000]);
  });
});

describe('bodies are read up to a limit for their kind', () => {
  const json = '{"errors":[{"code":"DENIED","message":"no"}]}';

  test.each([
    ['the default (a document)', undefined, DOCUMENT_LIMIT, '4 MiB'],
    ['the key list', KEY_LIST_LIMIT, 1 * MiB, '1 MiB'],
    ['a small limit', 1 * KiB, 1 * KiB, '1 KiB'],
  ])(
    '%s: exactly at the limit is read; one byte over is refused naming the limit, not retried',
    async (_, limit, bytes, named) => {
      const { pool, send, waits, agent } = mocked();
      const exact = Buffer.alloc(bytes, 0x61);
      pool.intercept({ path: PATH, method: 'GET' }).reply(200, exact);
      const answer = await send({ limit });
      expect(answer.body.equals(exact)).toBe(true);

      pool.intercept({ path: PATH, method: 'GET' }).reply(200, Buffer.alloc(bytes + 1, 0x61));
      pool.intercept({ path: PATH, method: 'GET' }).reply(200, 'never asked for');
      const error = await failure(send({ limit }));
      expect(error).toBeInstanceOf(RegistryError);
      expect(error.message).toBe(
        `Could not ${WHAT}: the registry's answer is larger than ${named}, the most a registry sends for it. Nothing was pushed.`,
      );
      expect(waits).toEqual([]);
      expect(agent.pendingInterceptors()).toHaveLength(1);
    },
  );

  test('the limit holds for every expected status, a 404 included', async () => {
    const { pool, send } = mocked();
    pool.intercept({ path: PATH, method: 'GET' }).reply(404, Buffer.alloc(KiB + 1, 0x20));
    await expect(send({ expect: [200, 404], limit: KiB })).rejects.toThrow('larger than 1 KiB');
  });

  test('the limit is for expected answers: an error body larger than it is still read for its message', async () => {
    const { pool, send } = mocked();
    pool.intercept({ path: PATH, method: 'GET' }).reply(400, json + ' '.repeat(2 * KiB));
    const error = await failure(send({ limit: KiB }));
    expect(error.message).toBe(`Could not ${WHAT}: the registry answered HTTP 400: DENIED no.`);
  });

  test('an error body is cut at exactly 64 KiB: what follows is dropped', async () => {
    const { pool, send } = mocked();
    const body = json + ' '.repeat(ERROR_BODY_LIMIT - json.length) + 'garbage past the cut';
    pool.intercept({ path: PATH, method: 'GET' }).reply(400, body);
    const error = await failure(send());
    expect(error.message).toBe(`Could not ${WHAT}: the registry answered HTTP 400: DENIED no.`);
  });

  test('an error body one byte over 64 KiB loses its last byte, and the error is still reported', async () => {
    const { pool, send } = mocked();
    const body = ' '.repeat(ERROR_BODY_LIMIT + 1 - json.length) + json;
    pool.intercept({ path: PATH, method: 'GET' }).reply(400, body);
    const error = await failure(send());
    expect(error).toBeInstanceOf(RegistryError);
    expect(error.message).toBe(`Could not ${WHAT}: the registry answered HTTP 400.`);
  });

  test.each([
    [400, `Could not ${WHAT}: the registry answered HTTP 400.`, []],
    [503, `Could not ${WHAT}: HTTP 503 after 3 attempts. ${AGAIN}`, [100, 200]],
  ])('an error body of 10 MiB (%i) is cut, never refused as too large', async (status, message, expected) => {
    const { pool, send, waits } = mocked();
    pool
      .intercept({ path: PATH, method: 'GET' })
      .reply(status, Buffer.alloc(10 * MiB, 0x41))
      .times(3);
    const error = await failure(send());
    expect(error.message).toBe(message);
    expect(waits).toEqual(expected);
  });

  test('an error body arriving in pieces is kept whole up to the cut', async () => {
    const { host } = await serve((_, response) => {
      response.writeHead(400, { 'content-length': String(ERROR_BODY_LIMIT + 20) });
      response.write(json);
      setTimeout(() => response.write(' '.repeat(32 * KiB)), 20);
      setTimeout(
        () => response.end(' '.repeat(ERROR_BODY_LIMIT - json.length - 32 * KiB) + 'x'.repeat(20)),
        40,
      );
    });
    const { transport } = real(host);
    const error = await failure(get(transport, `http://${host}${PATH}`));
    expect(error.message).toBe(`Could not ${WHAT}: the registry answered HTTP 400: DENIED no.`);
  });

  test('a document arriving in pieces is read whole', async () => {
    const { host } = await serve((_, response) => {
      response.writeHead(200, { 'content-length': '6' });
      response.write('abc');
      setTimeout(() => response.end('def'), 20);
    });
    const { transport } = real(host);
    const answer = await get(transport, `http://${host}${PATH}`);
    expect(answer.body.toString()).toBe('abcdef');
  });
});

describe('one deadline per attempt over the whole answer', () => {
  test('a server that never answers fails within the deadline, is retried, then reported', async () => {
    const { host, seen } = await serve(() => undefined);
    const { transport, waits } = real(host);
    const error = await failure(get(transport, `http://${host}${PATH}`));
    expect(error).toBeInstanceOf(RegistryError);
    expect(error.message).toBe(
      `Could not ${WHAT}: no complete answer within 0.2s after 2 attempts. ${AGAIN}`,
    );
    expect(seen).toHaveLength(2);
    expect(waits).toEqual([100]);
  });

  test("a body trickling a byte per 100 ms never breaks undici's silence timeouts, but fails the deadline", async () => {
    const { host, seen } = await serve((_, response) => {
      response.writeHead(200, { 'content-length': '100' });
      response.flushHeaders();
      const timer = setInterval(() => response.write('x'), 100);
      response.on('close', () => clearInterval(timer));
    });
    const { transport, waits } = real(host);
    const error = await failure(get(transport, `http://${host}${PATH}`));
    expect(error.message).toBe(
      `Could not ${WHAT}: no complete answer within 0.2s after 2 attempts. ${AGAIN}`,
    );
    expect(seen).toHaveLength(2);
    expect(waits).toEqual([100]);
  });

  test('the deadline is per attempt: an attempt after a silent one has its own', async () => {
    const { host, seen } = await serve((_, response, n) => {
      if (n > 1) response.end('second');
    });
    const { transport, waits } = real(host, { attempts: 3 });
    const answer = await get(transport, `http://${host}${PATH}`);
    expect(answer.body.toString()).toBe('second');
    expect(seen).toHaveLength(2);
    expect(waits).toEqual([100]);
  });

  test('the deadline and its default', () => {
    expect(new Transport({ host: HOST, insecure: false, timeoutMs: 1234 }).timeoutMs).toBe(1234);
    expect(new Transport({ host: HOST, insecure: false }).timeoutMs).toBe(30_000);
  });

  test('a server that closes the connection: a network error, retried, then described', async () => {
    const { host, seen } = await serve((request) => request.socket.destroy());
    const { transport, waits } = real(host);
    const error = await failure(get(transport, `http://${host}${PATH}`));
    expect(error.message).toBe(
      `Could not ${WHAT}: UND_ERR_SOCKET (other side closed) after 2 attempts. ${AGAIN}`,
    );
    expect(seen).toHaveLength(2);
    expect(waits).toEqual([100]);
  });
});

describe('network errors are retried and described; TLS and protocol errors are not retried', () => {
  const coded = (message: string, code?: string) => Object.assign(new Error(message), { code });

  test.each([
    [
      coded('connect ECONNREFUSED 127.0.0.1:5000', 'ECONNREFUSED'),
      'ECONNREFUSED (connect ECONNREFUSED 127.0.0.1:5000)',
    ],
    [coded('read ECONNRESET', 'ECONNRESET'), 'ECONNRESET (read ECONNRESET)'],
    [
      coded('getaddrinfo ENOTFOUND registry.test', 'ENOTFOUND'),
      'ENOTFOUND (getaddrinfo ENOTFOUND registry.test)',
    ],
    [
      coded('Headers Timeout Error', 'UND_ERR_HEADERS_TIMEOUT'),
      'no answer within 0.2s (UND_ERR_HEADERS_TIMEOUT)',
    ],
    [coded('Body Timeout Error', 'UND_ERR_BODY_TIMEOUT'), 'no answer within 0.2s (UND_ERR_BODY_TIMEOUT)'],
    [coded('something broke'), 'something broke'],
  ])('%p is retried, then reported as %j', async (error, described) => {
    const { pool, send, waits, logged } = mocked();
    pool.intercept({ path: PATH, method: 'GET' }).replyWithError(error).times(3);
    const failed = await failure(send());
    expect(failed).toBeInstanceOf(RegistryError);
    expect(failed.message).toBe(`Could not ${WHAT}: ${described} after 3 attempts. ${AGAIN}`);
    expect(waits).toEqual([100, 200]);
    expect(logged[0]).toBe(`Registry: ${described}; retrying in 0.1s`);
  });

  test('a network error that clears is retried to the answer', async () => {
    const { pool, send, waits } = mocked();
    pool.intercept({ path: PATH, method: 'GET' }).replyWithError(coded('read ECONNRESET', 'ECONNRESET'));
    pool.intercept({ path: PATH, method: 'GET' }).reply(200, 'ok');
    await expect(send()).resolves.toMatchObject({ status: 200 });
    expect(waits).toEqual([100]);
  });

  test.each([
    [coded('wrong version number', 'EPROTO'), 'EPROTO'],
    [coded('self-signed certificate', 'DEPTH_ZERO_SELF_SIGNED_CERT'), 'DEPTH_ZERO_SELF_SIGNED_CERT'],
    [coded('certificate has expired', 'CERT_HAS_EXPIRED'), 'CERT_HAS_EXPIRED'],
    [coded('unable to verify the first certificate'), 'unable to verify the first certificate'],
  ])('%p fails at once, its cause kept', async (error, shown) => {
    const { pool, send, waits } = mocked();
    pool.intercept({ path: PATH, method: 'GET' }).replyWithError(error).times(3);
    const failed = await failure(send());
    expect(failed).toBeInstanceOf(RegistryError);
    expect(failed.message).toBe(
      `TLS with the registry ${HOST} failed (${shown}): its certificate is not trusted or it does not speak https. ` +
        'Fix the certificate, or set `insecure_registry: true` for a test registry you trust.',
    );
    expect((failed.cause as Error).message).toBe(error.message);
    expect(waits).toEqual([]);
  });

  test('https to a server that speaks plain http fails at once as a TLS failure', async () => {
    const { host, seen } = await serve((_, response) => response.end('plain'));
    const { transport, waits } = real(host);
    const error = await failure(get(transport, `https://${host}${PATH}`));
    expect(error.message).toMatch(
      new RegExp(
        `^TLS with the registry 127\\.0\\.0\\.1:\\d+ failed \\((ERR_SSL|EPROTO)[A-Z_]*\\): its certificate is not trusted`,
      ),
    );
    expect(error.cause).toBeDefined();
    expect(seen).toHaveLength(0);
    expect(waits).toEqual([]);
  });
});

describe('certificates: verified unless the registry is insecure and spoken to over https', () => {
  test('a self-signed registry certificate is refused, not retried', async () => {
    const { host, seen } = await serve((_, response) => response.end('tls'), true);
    const { transport, waits } = real(host);
    const error = await failure(get(transport, `https://${host}${PATH}`));
    expect(error.message).toBe(
      `TLS with the registry ${host} failed (DEPTH_ZERO_SELF_SIGNED_CERT): its certificate is not trusted or it does not speak https. ` +
        'Fix the certificate, or set `insecure_registry: true` for a test registry you trust.',
    );
    expect(seen).toHaveLength(0);
    expect(waits).toEqual([]);
  });

  test('an insecure registry over https is read despite its certificate', async () => {
    const { host } = await serve((_, response) => response.end('tls'), true);
    const { transport } = real(host, { insecure: true });
    const answer = await get(transport, `https://${host}${PATH}`);
    expect(answer.body.toString()).toBe('tls');
  });

  test('an insecure registry over http still verifies the certificates of https servers it sends to (a token realm)', async () => {
    const { host } = await serve((_, response) => response.end('tls'), true);
    const { transport } = real(host, { insecure: true });
    const error = await failure(get(transport, `https://${host}/token`, {}, 'http'));
    expect(error.message).toMatch(/^TLS with the registry .* failed \(DEPTH_ZERO_SELF_SIGNED_CERT\)/);
  });
});

describe('the headers sent', () => {
  test.each([
    [{}, undefined, undefined],
    [
      { accept: 'application/vnd.oci.image.index.v1+json' },
      'application/vnd.oci.image.index.v1+json',
      undefined,
    ],
    [{ authorization: 'Bearer t0' }, undefined, 'Bearer t0'],
    [{ accept: 'application/json', authorization: 'Basic Y2k6aw==' }, 'application/json', 'Basic Y2k6aw=='],
    [{ accept: '', authorization: '' }, undefined, undefined],
  ])('%j: accept %p, authorization %p, always the user-agent', async (ask, accept, authorization) => {
    const { host, seen } = await serve((_, response) => response.end('ok'));
    const { transport } = real(host);
    await get(transport, `http://${host}${PATH}?n=1`, ask);
    expect(seen).toHaveLength(1);
    expect(seen[0].method).toBe('GET');
    expect(seen[0].url).toBe(`${PATH}?n=1`);
    expect(seen[0].headers['user-agent']).toBe('build-push-image');
    expect(seen[0].headers.accept).toBe(accept);
    expect(seen[0].headers.authorization).toBe(authorization);
  });

  test('HEAD goes out as HEAD', async () => {
    const { host, seen } = await serve((_, response) => response.end());
    const { transport } = real(host);
    await transport.send(transport.dispatchersFor('http').direct, 'HEAD', `http://${host}${PATH}`, {
      what: WHAT,
      expect: [200],
    });
    expect(seen.map((request) => request.method)).toEqual(['HEAD']);
  });
});

describe('dispatchers', () => {
  test('with a dispatcher given, direct is that dispatcher and follows no redirect', async () => {
    const { agent, pool, transport } = mocked();
    const { direct } = transport.dispatchersFor('https');
    expect(direct).toBe(agent);
    pool
      .intercept({ path: PATH, method: 'GET' })
      .reply(302, '', { headers: { location: 'https://storage.test/blob' } });
    const error = await failure(
      transport.send(direct, 'GET', `${ORIGIN}${PATH}`, { what: WHAT, expect: [200] }),
    );
    expect(error.message).toBe(`Could not ${WHAT}: the registry answered HTTP 302.`);
  });

  test('redirected follows three redirects to another origin', async () => {
    const { agent, pool, transport } = mocked();
    pool
      .intercept({ path: PATH, method: 'GET' })
      .reply(307, '', { headers: { location: 'https://storage.test/1' } });
    const storage = agent.get('https://storage.test');
    storage.intercept({ path: '/1', method: 'GET' }).reply(302, '', { headers: { location: '/2' } });
    storage.intercept({ path: '/2', method: 'GET' }).reply(302, '', { headers: { location: '/3' } });
    storage.intercept({ path: '/3', method: 'GET' }).reply(200, 'the blob');
    const { redirected } = transport.dispatchersFor('https');
    const answer = await transport.send(redirected, 'GET', `${ORIGIN}${PATH}`, { what: WHAT, expect: [200] });
    expect(answer.body.toString()).toBe('the blob');
    agent.assertNoPendingInterceptors();
  });

  test('a fourth redirect is not followed', async () => {
    const { agent, pool, transport } = mocked();
    pool.intercept({ path: PATH, method: 'GET' }).reply(302, '', { headers: { location: '/1' } });
    for (const n of [1, 2, 3])
      pool.intercept({ path: `/${n}`, method: 'GET' }).reply(302, '', { headers: { location: `/${n + 1}` } });
    pool.intercept({ path: '/4', method: 'GET' }).reply(200, 'too far');
    const { redirected } = transport.dispatchersFor('https');
    const error = await failure(
      transport.send(redirected, 'GET', `${ORIGIN}${PATH}`, { what: WHAT, expect: [200] }),
    );
    expect(error.message).toBe(`Could not ${WHAT}: the registry answered HTTP 302.`);
    expect(agent.pendingInterceptors()).toHaveLength(1);
  });

  test("without a dispatcher, the transport's own agents serve requests until close()", async () => {
    const { host } = await serve((_, response) => response.end('ok'));
    const { retry } = policy(1);
    const transport = new Transport({ host, insecure: false, retry, timeoutMs: 200 });
    const { direct, redirected } = transport.dispatchersFor('http');
    const ask = { what: WHAT, expect: [200] };
    await expect(transport.send(direct, 'GET', `http://${host}/`, ask)).resolves.toMatchObject({
      status: 200,
    });
    await expect(transport.send(redirected, 'GET', `http://${host}/`, ask)).resolves.toMatchObject({
      status: 200,
    });
    await transport.close();
    const error = await failure(transport.send(direct, 'GET', `http://${host}/`, ask));
    expect(error.message).toMatch(
      /^Could not look up the tag team\/app:v1: UND_ERR_(CLOSED|DESTROYED) .* after 1 attempts/,
    );
  });

  test('close() resolves even when an agent fails to close, and closes the others', async () => {
    const { host } = await serve((_, response) => response.end('ok'));
    const { retry } = policy(1);
    const transport = new Transport({ host, insecure: false, retry, timeoutMs: 200 });
    const broken = transport.dispatchersFor('http').direct;
    const other = transport.dispatchersFor('https').direct;
    await broken.destroy();
    await expect(transport.close()).resolves.toBeUndefined();
    await expect(
      transport.send(other, 'GET', `http://${host}/`, { what: WHAT, expect: [200] }),
    ).rejects.toThrow(/UND_ERR_(CLOSED|DESTROYED)/);
  });
});

describe('defaults', () => {
  test('without a retry policy or a log, the defaults serve', async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    cleanups.push(() => agent.close());
    const transport = new Transport({ host: HOST, insecure: false, dispatcher: agent });
    const pool = agent.get(ORIGIN);
    pool.intercept({ path: PATH, method: 'GET' }).reply(200, 'ok');
    await expect(
      transport.send(agent, 'GET', `${ORIGIN}${PATH}`, { what: WHAT, expect: [200] }),
    ).resolves.toMatchObject({ status: 200 });
    pool.intercept({ path: PATH, method: 'GET' }).reply(503, '');
    await expect(
      transport.send(agent, 'GET', `${ORIGIN}${PATH}`, { what: WHAT, expect: [200], attempts: 1 }),
    ).rejects.toThrow(`Could not ${WHAT}: HTTP 503 after 1 attempts.`);
  });

  test('a retry without a log is silent', async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    cleanups.push(() => agent.close());
    const { retry, waits } = policy(2);
    const transport = new Transport({ host: HOST, insecure: false, dispatcher: agent, retry });
    const pool = agent.get(ORIGIN);
    pool.intercept({ path: PATH, method: 'GET' }).reply(503, '');
    pool.intercept({ path: PATH, method: 'GET' }).reply(200, 'ok');
    await expect(
      transport.send(agent, 'GET', `${ORIGIN}${PATH}`, { what: WHAT, expect: [200] }),
    ).resolves.toMatchObject({ status: 200 });
    expect(waits).toEqual([100]);
  });
});

describe('header() and parseJson()', () => {
  const answer = (headers: Answer['headers']): Answer => ({ status: 200, headers, body: Buffer.alloc(0) });

  test.each([
    [{ 'retry-after': '5' }, '5'],
    [{ 'retry-after': ['5', '7'] }, '5'],
    [{ 'retry-after': [] }, undefined],
    [{ 'retry-after': undefined }, undefined],
    [{}, undefined],
  ])('header %j is %p', (headers, value) => {
    expect(header(answer(headers), 'retry-after')).toBe(value);
  });

  test('parseJson reads JSON, UTF-8 included', () => {
    expect(parseJson(Buffer.from('{"a":[1,"é"]}'), 'the manifest')).toEqual({ a: [1, 'é'] });
  });

  test.each(['', 'not json', '{"a":', '<html></html>'])(
    'parseJson of %j fails naming what was read',
    (text) => {
      let error: unknown;
      try {
        parseJson(Buffer.from(text), 'the manifest of team/app:v1');
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(RegistryError);
      expect((error as Error).message).toBe(
        'The registry sent the manifest of team/app:v1 as something other than JSON.',
      );
      expect((error as Error).cause).toBeInstanceOf(SyntaxError);
    },
  );
});
