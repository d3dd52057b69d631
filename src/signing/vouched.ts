import { shaRef, versionRef, type Tags } from '../image/tags.js';
import type { Bundles } from './bundles.js';
import type { Signatures } from './signatures.js';

/** Both formats of one key, read whatever formats a run writes: a run may change them between runs. */
export interface KeyReaders {
  signatures: Signatures;
  bundles: Bundles;
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
  const identity = tags.oneTag ? versionRef(tags) : shaRef(tags);
  if ((await signatures.read(digest)).identities.includes(identity)) return true;
  return bundles.read(digest);
}
