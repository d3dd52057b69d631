import { describe, expect, test } from '@jest/globals';
import { soonestExpiringKey, warnOfKeyExpiry } from '../../../src/registry/key-expiry.js';
import type { RegistryClient } from '../../../src/registry/client.js';
import type { ApiKeyInfo } from '../../../src/registry/requests.js';
import { capturingStdout } from '../../helpers/stdout.js';

const now = new Date('2026-06-01T00:00:00Z');
const inDays = (days: number) => new Date(now.getTime() + days * 86_400_000).toISOString();

describe('soonestExpiringKey', () => {
  test.each([
    [
      'the soonest valid key within the threshold',
      [
        { label: 'a', expirationDate: inDays(30) },
        { label: 'b', expirationDate: inDays(5) },
      ],
      14,
      'b',
    ],
    [
      'expired keys are passed over',
      [
        { label: 'gone', expirationDate: inDays(-1), isExpired: true },
        { label: 'c', expirationDate: inDays(10) },
      ],
      14,
      'c',
    ],
    [
      'a key past its date but not flagged is passed over',
      [{ label: 'past', expirationDate: inDays(-2) }],
      14,
      undefined,
    ],
    ['nothing within the threshold', [{ label: 'a', expirationDate: inDays(30) }], 14, undefined],
    [
      'a key that never expires (zero time) is passed over',
      [{ label: 'z', expirationDate: '0001-01-01T00:00:00Z' }],
      14,
      undefined,
    ],
    ['no keys', [], 14, undefined],
    ['the threshold is an input', [{ label: 'a', expirationDate: inDays(20) }], 21, 'a'],
  ])('%s', (_, keys, threshold, label) => {
    expect(soonestExpiringKey(keys, now, threshold)?.label).toBe(label);
  });

  test('says the date and the days left', () => {
    expect(soonestExpiringKey([{ label: 'k', expirationDate: inDays(3) }], now, 14)).toEqual({
      label: 'k',
      expires: new Date(inDays(3)),
      days: 3,
    });
  });
});

describe('warnOfKeyExpiry: what the runner reads', () => {
  /** Runs it against a client whose key list is `keys` (or fails), returning what went to stdout. */
  async function warned(
    keys: (() => Promise<ApiKeyInfo[] | undefined>) | ApiKeyInfo[] | undefined,
    days = 14,
  ) {
    const client = {
      apiKeys: typeof keys === 'function' ? keys : async () => keys,
    } as unknown as RegistryClient;
    const { written } = await capturingStdout(() => warnOfKeyExpiry(client, days, now));
    return written;
  }

  test.each([
    [3, 'in 3 days'],
    [1, 'in 1 day'],
  ])('a key expiring in %i day(s) gets a warning with its label, date and what to do', async (days, when) => {
    expect(await warned([{ label: 'ci-key', expirationDate: inDays(days) }])).toBe(
      `::warning::The API key "ci-key" expires on ${inDays(days).slice(0, 10)} (${when}). ` +
        'Create a new key in zot and update the secret that feeds `api_key` before then.\n',
    );
  });

  test('no key within the threshold: nothing at all', async () => {
    expect(await warned([{ label: 'k', expirationDate: inDays(30) }])).toBe('');
  });

  test('a registry without the key list: noted, no warning', async () => {
    expect(await warned(undefined)).toBe(
      'The registry has no API key list (not zot?); skipping the expiry check.\n',
    );
  });

  test('a failure to read the list is noted, never fails the run', async () => {
    const failing = async () => {
      throw new Error('HTTP 500');
    };
    expect(await warned(failing)).toBe(
      'Could not read the API key list (HTTP 500); skipping the expiry check.\n',
    );
  });
});

describe('the key-expiry threshold', () => {
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
