import { tagTaken, UserError } from '../errors.js';
import type { PublicationContext } from './context.js';
import { unsignedImage } from './refusals.js';
import { shaRef, tagRef, type TaggedImage, type TagState } from '../image/tags.js';

// What the steps and the executor look at while they write: a tag's last look before its
// write, both tags at once, and whether an image another run put under the commit tag is this
// commit's.

/**
 * The last look at `tag` before this run writes it: another image there means another run took
 * it first (TagTaken, with `taken` saying so; the executor reads the registry again). The same
 * image as `ours` is no taking. Returns what the tag holds.
 */
export async function lastLook(
  { tags, registry }: PublicationContext,
  tag: string,
  taken: (digest: string) => string,
  ours?: string,
): Promise<TaggedImage> {
  const found = await registry.read(tag);
  if (found.exists && found.digest !== ours)
    throw tagTaken(taken(found.digest), tagRef(tags, tag), found.digest);
  return found;
}

/** The digests both tags name now: two look-ups at once. */
export async function lookUpBoth({
  tags,
  registry,
}: PublicationContext): Promise<{ version: TagState; commit: TagState }> {
  const [version, commit] = await Promise.all([registry.lookUp(tags.version), registry.lookUp(tags.sha)]);
  return { version, commit };
}

/**
 * The commit tag's image must be of this commit; one of another commit is left as it is.
 * Returns its digest as read from its bytes: a look-up's header (`found`) is only a hint.
 */
export async function requireThisCommit(
  found: string,
  ours: string,
  { tags, registry, vouches }: PublicationContext,
): Promise<string> {
  const image = await registry.read(tags.sha);
  const revision = image.exists ? image.revision : undefined;
  if (!image.exists || revision !== tags.sha)
    throw new UserError(
      `${shaRef(tags)} was replaced by an image of ${revision ? `commit ${revision}` : 'no known commit'} (${image.exists ? image.digest : found}) while this run published ${ours}; it was left as it is. Find out what pushed it.`,
    );
  // With a key, the version tag goes only to an image this key signed for this commit.
  if (vouches && !(await vouches(image.digest)))
    throw unsignedImage(`${shaRef(tags)} (replaced while this run published ${ours})`, image.digest);
  return image.digest;
}
