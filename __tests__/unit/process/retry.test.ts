// withRetries and Retry-After on their own: how many attempts, how long each wait, what is thrown.
import { describe, expect, test } from '@jest/globals';
import {
  defaultRetryPolicy,
  parseRetryAfter,
  withRetries,
  type Attempt,
  type RetryPolicy,
} from '../../../src/process/retry.js';

function policy(attempts: number, baseDelayMs = 1000, maxDelayMs = 30_000) {
  const waits: number[] = [];
  const retry: RetryPolicy = { attempts, baseDelayMs, maxDelayMs, sleep: async (ms) => void waits.push(ms) };
  return { retry, waits };
}

/** Runs withRetries over scripted outcomes; returns the value or error, the waits and the notices. */
async function run(attempts: number, outcomes: Attempt<string>[], maxDelayMs = 30_000) {
  const { retry, waits } = policy(attempts, 1000, maxDelayMs);
  const notices: string[] = [];
  let tries = 0;
  const result = await withRetries(
    retry,
    async () => outcomes[tries++],
    (reason, n) => new Error(`gave up after ${n}: ${reason}`),
    (reason, wait) => notices.push(`${reason} ${wait}`),
  ).catch((error: Error) => error.message);
  return { result, waits, notices, tries };
}

const fail = (reason: string, retryAfterMs?: number): Attempt<string> => ({
  done: false,
  reason,
  retryAfterMs,
});
const ok: Attempt<string> = { done: true, value: 'ok' };

describe('withRetries', () => {
  test('a first success is returned without waiting', async () => {
    expect(await run(4, [ok])).toEqual({ result: 'ok', waits: [], notices: [], tries: 1 });
  });

  test('waits double from the base delay, each announced', async () => {
    expect(await run(4, [fail('a'), fail('b'), fail('c'), ok])).toEqual({
      result: 'ok',
      waits: [1000, 2000, 4000],
      notices: ['a 1000', 'b 2000', 'c 4000'],
      tries: 4,
    });
  });

  test('gives up after the last attempt, with its reason and the count, without a last wait', async () => {
    expect(await run(3, [fail('a'), fail('b'), fail('c'), ok])).toEqual({
      result: 'gave up after 3: c',
      waits: [1000, 2000],
      notices: ['a 1000', 'b 2000'],
      tries: 3,
    });
  });

  test("a server's Retry-After replaces the backoff, but no wait exceeds the maximum", async () => {
    expect((await run(4, [fail('a', 5000), fail('b', 0), fail('c', 3_600_000), ok])).waits).toEqual([
      5000, 0, 30_000,
    ]);
    expect((await run(3, [fail('a'), fail('b'), ok], 1500)).waits).toEqual([1000, 1500]);
  });

  test('one attempt: no retry at all', async () => {
    expect(await run(1, [fail('down'), ok])).toEqual({
      result: 'gave up after 1: down',
      waits: [],
      notices: [],
      tries: 1,
    });
  });

  test('the default: 4 attempts, 1 s doubling, at most 30 s a wait', () => {
    expect(defaultRetryPolicy).toMatchObject({ attempts: 4, baseDelayMs: 1000, maxDelayMs: 30_000 });
  });

  test('the default sleep waits', async () => {
    const start = performance.now();
    await defaultRetryPolicy.sleep(20);
    expect(performance.now() - start).toBeGreaterThanOrEqual(15);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('Thu, 01 Jan 2026 00:00:00 GMT');
  test.each<[string | undefined, number | undefined]>([
    ['10', 10_000],
    [' 10 ', 10_000],
    ['0', 0],
    ['120', 120_000],
    ['Thu, 01 Jan 2026 00:01:40 GMT', 100_000],
    [' Thu, 01 Jan 2026 00:01:40 GMT ', 100_000],
    ['Wed, 31 Dec 2025 23:59:00 GMT', 0],
    ['10abc', undefined],
    ['abc10', undefined],
    ['1.5', undefined],
    ['-5', undefined],
    ['2026-01-01T00:01:40Z', undefined],
    ['GMT Thu, 01 Jan 2026 00:01:40', undefined],
    ['Thu, 99 Foo 2026 GMT', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%j: %j ms', (value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });

  test('a date is measured from the present by default', () => {
    const inAMinute = new Date(Date.now() + 60_000).toUTCString();
    expect(parseRetryAfter(inAMinute)).toBeGreaterThan(55_000);
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

  test.each([undefined, '', 'soon', '-5', '12 GMT', 'Mon 01 Jan 2024 GMT', '2026-01-01T00:00:00 GMT'])(
    '%j is no advice',
    (value) => {
      expect(parseRetryAfter(value)).toBeUndefined();
    },
  );
});
