import { describe, expect, test } from '@jest/globals';
import { soonestExpiringKey } from '../../src/key-expiry.js';

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
