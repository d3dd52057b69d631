import { createHash } from 'node:crypto';

// How registries name content: by the sha256 of its bytes.

/** The digest of `bytes` as registries name content: `sha256:<hex>`. */
export function digestOf(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** A manifest digest as registries and skopeo write it. */
export const DIGEST = /^sha256:[0-9a-f]{64}$/;
