export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  attempts: number;
  /** Delay before the second attempt; doubled for each later one. */
  baseDelayMs: number;
  /** No wait is longer than this, a server's Retry-After included. */
  maxDelayMs: number;
  sleep: (ms: number) => Promise<void>;
}

export const defaultRetryPolicy: RetryPolicy = {
  attempts: 4,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** What one attempt ended with, as far as retrying is concerned. */
export type Attempt<T> = { done: true; value: T } | { done: false; retryAfterMs?: number; reason: string };

/**
 * Runs `attempt` until it is done or the attempts run out; `giveUp` turns the last reason
 * into the error thrown. Waits grow exponentially; a server's Retry-After is honoured but
 * bounded, so a job cannot hang on a registry that asks for patience forever.
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  attempt: () => Promise<Attempt<T>>,
  giveUp: (lastReason: string, attempts: number) => Error,
  onRetry?: (reason: string, waitMs: number) => void,
): Promise<T> {
  let reason = '';
  for (let n = 1; n <= policy.attempts; n++) {
    const outcome = await attempt();
    if (outcome.done) return outcome.value;
    reason = outcome.reason;
    if (n === policy.attempts) break;
    const backoff = policy.baseDelayMs * 2 ** (n - 1);
    const wait = Math.min(outcome.retryAfterMs ?? backoff, policy.maxDelayMs);
    onRetry?.(reason, wait);
    await policy.sleep(wait);
  }
  throw giveUp(reason, policy.attempts);
}

/** Reads a Retry-After header (seconds or an HTTP date) as milliseconds from now. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  // Anything else must be an HTTP date (`Wed, 21 Oct 2015 07:28:00 GMT`), not a stray number
  // that merely ends in GMT (`12 GMT`, which Date.parse reads as a date in 2001).
  if (!/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(value.trim()))
    return undefined;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
