import { TagTaken, UserError } from './errors.js';
import { info } from './log.js';
import type { RegistryClient } from './registry/client.js';
import { readTag } from './registry/state.js';
import { tagInRegistry, type SkopeoConfig } from './skopeo.js';
import { pinnedRef, shaRef, versionRef, type TagState, type Tags } from './tags.js';

// After a write, on a registry that may let tags be overwritten: which image of this commit is
// published, and the proof that both tags name it.

export interface ProofContext {
  tags: Tags;
  client: RegistryClient;
  /** Waits; passed in so that tests need not. */
  sleep: (ms: number) => Promise<void>;
}

/** How long a run that saw another run of its commit interleave waits before its last look. */
const SETTLE_MS = 2000;

/**
 * The commit tag decides which image of this commit is published. Where the registry lets
 * tags be overwritten, another run of this commit may have pushed its own image there after
 * this one did: publishing that one lets both runs publish the same image.
 */
export async function imageToPublish(
  digest: string,
  commit: TagState,
  context: ProofContext,
): Promise<string> {
  if (!commit.exists || commit.digest === digest) return digest;
  const theirs = await requireThisCommit(commit.digest, digest, context);
  info(
    `${shaRef(context.tags)} holds another image of this commit (${commit.digest}), pushed by another run at the same time ` +
      '(this registry lets tags be overwritten): the commit tag decides, publishing that one.',
  );
  return theirs;
}

/**
 * After a write: the version tag must hold `digest` (else another run wrote it meanwhile and
 * the registry is read again), and so must the commit tag. Where another run of this commit
 * pushed the commit tag after this run chose its image, that image is the one published: the
 * version tag this run has just written gives way to it (a version tag this run did not write
 * never does). An image of another commit is never used. Once runs have interleaved, the other
 * may still be writing what it decided before: the run waits a moment and looks again.
 * Returns the digest both tags name.
 */
export async function proveTags(
  digest: string,
  skopeo: SkopeoConfig,
  context: ProofContext,
  { wroteVersion, interleaved }: { wroteVersion: boolean; interleaved: boolean },
): Promise<string> {
  const { tags } = context;
  let commit = await versionHolds(digest, context);
  if (commit.exists && commit.digest !== digest) {
    if (!wroteVersion)
      throw new TagTaken(
        `${shaRef(tags)} moved to ${commit.digest} while this run pointed it at ${digest}.`,
        {
          reference: shaRef(tags),
          digest: commit.digest,
        },
      );
    const theirs = await requireThisCommit(commit.digest, digest, context);
    info(
      `${shaRef(tags)} now holds another image of this commit (${commit.digest}), pushed last by another run at the same time (this registry lets tags be overwritten): ` +
        `the commit tag decides, so ${versionRef(tags)} gives way to it.`,
    );
    digest = theirs;
    await tagInRegistry(skopeo, pinnedRef(tags, digest), versionRef(tags));
    interleaved = true;
  } else if (!commit.exists) {
    info(`${shaRef(tags)} is gone (deleted meanwhile?): pushing it again.`);
    await tagInRegistry(skopeo, pinnedRef(tags, digest), shaRef(tags));
  }
  if (interleaved) {
    await context.sleep(SETTLE_MS);
    commit = await versionHolds(digest, context);
    if (!commit.exists || commit.digest !== digest)
      throw new TagTaken(
        `${shaRef(tags)} moved again while the runs settled (${commit.exists ? commit.digest : 'gone'}).`,
        { reference: shaRef(tags), digest: commit.exists ? commit.digest : undefined },
      );
  }
  info(`${versionRef(tags)} and ${shaRef(tags)} -> ${digest}`);
  return digest;
}

/** The digests both tags name now: two HEAD requests at once. */
export async function lookUpBoth({
  tags,
  client,
}: ProofContext): Promise<{ version: TagState; commit: TagState }> {
  const [version, commit] = await Promise.all([
    client.tag(tags.repository, tags.version),
    client.tag(tags.repository, tags.sha),
  ]);
  return { version, commit };
}

/** Both tags, looked up at once: the version tag must hold `published`; the commit tag is returned. */
async function versionHolds(published: string, context: ProofContext): Promise<TagState> {
  const { tags } = context;
  const { version, commit } = await lookUpBoth(context);
  if (!version.exists || version.digest !== published)
    throw new TagTaken(
      `${versionRef(tags)} points at ${version.exists ? version.digest : 'nothing'} after the push, not at ${published}: another run wrote it at the same time (this registry lets tags be overwritten).`,
      { reference: versionRef(tags), digest: version.exists ? version.digest : undefined },
    );
  return commit;
}

/**
 * The commit tag's image must be of this commit; one of another commit is left as it is.
 * Returns its digest as read from its bytes: a look-up's header (`found`) is only a hint.
 */
async function requireThisCommit(
  found: string,
  ours: string,
  { tags, client }: ProofContext,
): Promise<string> {
  const image = await readTag(client, tags.repository, tags.sha);
  const revision = image.exists ? image.revision : undefined;
  if (!image.exists || revision !== tags.sha)
    throw new UserError(
      `${shaRef(tags)} was replaced by an image of ${revision ? `commit ${revision}` : 'no known commit'} (${image.exists ? image.digest : found}) while this run published ${ours}; it was left as it is. Find out what pushed it.`,
    );
  return image.digest;
}
