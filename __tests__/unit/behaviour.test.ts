// Behaviour a user would feel if it broke, pinned where mutation testing found nothing pinning
// it: input parsing at its edges, the skopeo argv for an insecure registry, which skopeo
// failures are tried again, Retry-After, the key-expiry threshold, and TLS failures named.
import { describe, expect, jest, test } from '@jest/globals';
import { readRawInputs } from '../../src/inputs/read.js';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MockAgent } from 'undici';
import { InputError } from '../../src/errors.js';
import { parseInputs } from '../../src/inputs/parse.js';
import { soonestExpiringKey } from '../../src/registry/key-expiry.js';
import { Input } from '../../src/names.js';
import { RegistryClient } from '../../src/registry/client.js';
import { parseRetryAfter } from '../../src/process/retry.js';
import { isTransientCopyFailure, loginArgs } from '../../src/skopeo/commands.js';

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-behaviour-'));
fs.writeFileSync(path.join(workspace, 'Dockerfile'), 'FROM scratch\n');
const KEY = `zak_${'5'.repeat(32)}`;
const base: Record<string, string> = {
  context: '.',
  image_name: 'team/app',
  version: 'v1.0.0',
  registry: 'registry.example',
  username: 'ci',
  api_key: KEY,
  sha: 'c'.repeat(40),
};
const parse = (overrides: Record<string, string>) =>
  parseInputs(
    readRawInputs((name: Input) => ({ ...base, ...overrides })[name] ?? ''),
    workspace,
  );
function problems(overrides: Record<string, string>): string[] {
  try {
    parse(overrides);
    return [];
  } catch (error) {
    if (error instanceof InputError) return error.problems;
    throw error;
  }
}

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
    expect(problems({ key_expiry_warning_days: value })).toEqual([
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
    expect(problems(overrides)).toEqual(expected);
  });
});

describe('build_args and labels', () => {
  test('a bad key is shown without its value', () => {
    const [problem] = problems({ build_args: 'A=1\n1NPM_TOKEN=secret-value' });
    expect(problem).toBe('`build_args` line 2 is not `KEY=VALUE`: "1NPM_TOKEN=…".');
    expect(problem).not.toContain('secret-value');
  });

  test('a line without = is shown as it is (it holds no value)', () => {
    expect(problems({ labels: 'word' })).toEqual(['`labels` line 1 is not `KEY=VALUE`: "word".']);
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
    expect(problems({ registry })).toEqual([`\`registry\` ${what}`]);
  });

  test('a reference of 255 characters is accepted, one more is refused', () => {
    const name = (length: number) => `team/${'a'.repeat(length - 'registry.example/team/'.length)}`;
    expect(parse({ image_name: name(255) }).imageName).toHaveLength(255 - 'registry.example/'.length);
    expect(problems({ image_name: name(256) })).toEqual([
      '`image_name` makes a reference longer than 255 characters with the registry.',
    ]);
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

describe('a skopeo copy failure is tried again when a registry gets over it', () => {
  test.each([
    'pinging container registry r: Get "https://r/v2/": dial tcp 127.0.0.1:5000: connect: connection refused',
    'writing blob: Patch "https://r/v2/a/blobs/uploads/x": unexpected EOF',
    'pinging container registry r: Get "https://r/v2/": net/http: TLS handshake timeout',
    'reading manifest v1 in r/a: too many requests to registry',
    'writing blob: received unexpected HTTP status: 502 Bad Gateway',
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

describe('Retry-After', () => {
  test.each([
    ['10', 10_000],
    ['1', 1000],
    ['0', 0],
    [' 30 ', 30_000],
    ['120', 120_000],
  ])('%j seconds is %d ms', (value, ms) => {
    expect(parseRetryAfter(value)).toBe(ms);
  });

  test('an HTTP date is the time until it, never negative', () => {
    const now = Date.parse('Thu, 01 Jan 2026 00:00:00 GMT');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:01:40 GMT', now)).toBe(100_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0);
  });

  test.each([undefined, '', 'soon', '-5'])('%j is no advice', (value) => {
    expect(parseRetryAfter(value)).toBeUndefined();
  });
});

describe('the key-expiry threshold', () => {
  const now = new Date('2026-06-01T00:00:00Z');
  const inDays = (days: number) => new Date(now.getTime() + days * 86_400_000).toISOString();
  test('a key expiring exactly at the threshold is warned of; a minute later is not', () => {
    expect(soonestExpiringKey([{ label: 'k', expirationDate: inDays(14) }], now, 14)?.days).toBe(14);
    const later = new Date(now.getTime() + 14 * 86_400_000 + 60_000).toISOString();
    expect(soonestExpiringKey([{ label: 'k', expirationDate: later }], now, 14)).toBeUndefined();
  });

  test('a key expiring right now has expired: no warning for it', () => {
    expect(soonestExpiringKey([{ label: 'k', expirationDate: now.toISOString() }], now, 14)).toBeUndefined();
  });

  test('a key without a label is named as such', () => {
    expect(soonestExpiringKey([{ expirationDate: inDays(2) }], now, 14)?.label).toBe('(no label)');
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
