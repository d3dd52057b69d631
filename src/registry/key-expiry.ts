import { messageOf } from '../errors.js';
import { info, warn } from '../report/log.js';
import type { RegistryClient } from './client.js';
import type { ApiKeyInfo } from './requests.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The identity's soonest-expiring key that is still valid, when it expires within the
 * threshold. zot does not say which entry is the key in use, so the soonest one is named.
 */
export function soonestExpiringKey(
  keys: ApiKeyInfo[],
  now: Date,
  thresholdDays: number,
): { label: string; expires: Date; days: number } | undefined {
  let soonest: { label: string; expires: Date } | undefined;
  for (const key of keys) {
    if (key.isExpired || !key.expirationDate) continue;
    const expires = new Date(key.expirationDate);
    // zot writes a zero time for a key that never expires.
    if (Number.isNaN(expires.getTime()) || expires.getUTCFullYear() < 1970 || expires <= now) continue;
    if (!soonest || expires < soonest.expires) soonest = { label: key.label || '(no label)', expires };
  }
  if (!soonest) return undefined;
  const days = (soonest.expires.getTime() - now.getTime()) / DAY_MS;
  return days <= thresholdDays ? { ...soonest, days: Math.round(days) } : undefined;
}

/** Warns before the key expires; a registry without the endpoint, or any failure, is only noted. */
export async function warnOfKeyExpiry(
  registry: RegistryClient,
  thresholdDays: number,
  now: Date,
): Promise<void> {
  let keys: ApiKeyInfo[] | undefined;
  try {
    keys = await registry.apiKeys();
  } catch (error) {
    info(`Could not read the API key list (${messageOf(error)}); skipping the expiry check.`);
    return;
  }
  if (!keys) {
    info('The registry has no API key list (not zot?); skipping the expiry check.');
    return;
  }
  const soonest = soonestExpiringKey(keys, now, thresholdDays);
  if (soonest)
    warn(
      `The API key "${soonest.label}" expires on ${soonest.expires.toISOString().slice(0, 10)} ` +
        `(in ${soonest.days} day${soonest.days === 1 ? '' : 's'}). Create a new key in zot and update the secret that feeds \`api_key\` before then.`,
    );
}
