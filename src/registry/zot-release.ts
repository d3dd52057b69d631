import { messageOf } from '../errors.js';
import { info, warn } from '../report/log.js';
import type { RegistryClient } from './client.js';

// What a create-only policy protects depends on zot's release: two releases let an identity
// with `create` alone move a tag that exists. Said once, as a warning: nothing here stops a run.

/** A release tag `v2.1.14` as numbers; undefined for what is no such tag. */
export function releaseNumbers(release: string): [number, number, number] | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)(?:$|[-+])/.exec(release);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

function before(numbers: [number, number, number], other: [number, number, number]): boolean {
  for (let i = 0; i < 3; i++) if (numbers[i] !== other[i]) return numbers[i] < other[i];
  return false;
}

/** The hole a create-only policy has on `release`, in the user's words; none when it has none known. */
export function createOnlyHole(release: string): string | undefined {
  const numbers = releaseNumbers(release);
  if (!numbers) return undefined;
  if (before(numbers, [2, 1, 15]))
    return 'lets an identity with `create` alone overwrite the tag `latest` (CVE-2026-31801, fixed in v2.1.15)';
  // `?tag=` came in v2.1.16 with the hole, closed in v2.1.19.
  if (!before(numbers, [2, 1, 16]) && before(numbers, [2, 1, 19]))
    return 'lets an identity with `create` alone move a tag that exists by a manifest PUT by digest with `?tag=` (fixed in v2.1.19)';
  return undefined;
}

/** Warns when zot's release lets a create-only identity overwrite tags; any failure is only noted. */
export async function warnOfCreateOnlyHole(registry: RegistryClient): Promise<void> {
  let release: string | undefined;
  try {
    release = await registry.zotRelease();
  } catch (error) {
    info(`Could not read zot's release (${messageOf(error)}); skipping its check.`);
    return;
  }
  if (!release) return;
  const hole = createOnlyHole(release);
  // The release is the registry's text: quoted, never a line of its own.
  const named = JSON.stringify(release.slice(0, 40));
  if (hole)
    warn(
      `zot ${named} ${hole}: a create-only policy does not keep published tags from being overwritten there. Upgrade zot.`,
    );
  else info(`zot ${named}.`);
}
