import { shaRef, versionRef, type Tags } from '../image/tags.js';
import type { Bundles } from './bundles.js';
import type { Signatures } from './signatures.js';

/** Both formats of one key, read whatever formats a run writes: a run may change them between runs. */
export interface KeyReaders {
  signatures: Signatures;
  bundles: Bundles;
}

/**
 * The reference a `.sig` of this key names when the key vouches for an image as this commit's:
 * the commit tag's, or with one tag the version tag's (an image whose revision label is this
 * commit, checked before).
 */
export function vouchingIdentity(tags: Tags): string {
  return tags.oneTag ? versionRef(tags) : shaRef(tags);
}

/**
 * Whether this key vouches for `digest` as this commit's image in either format: its `.sig` for
 * the commit tag (with one tag, the version tag), else a bundle of this key in this repository.
 * A run with the key writes both before any tag names an image, so either says a run with the
 * key pushed it.
 */
export async function vouchedByKey(
  { signatures, bundles }: KeyReaders,
  tags: Tags,
  digest: string,
): Promise<boolean> {
  if ((await signatures.read(digest)).identities.includes(vouchingIdentity(tags))) return true;
  return bundles.read(digest);
}
