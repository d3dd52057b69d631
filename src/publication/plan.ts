import { UserError } from '../errors.js';
import { shaRef, versionRef, type Held, type TaggedImage, type Tags } from './tags.js';

// The publication as data, and the planner: what a run must leave in the registry, and which
// of those writes are missing, decided from what the registry holds alone.

/**
 * The kinds of object a run leaves, each written by its own step (steps/): in the registry,
 * the image (or index) under the commit tag, then the version tag, always last; without
 * `push`, the image loaded into the engine alone.
 */
export type StepKind = 'commit-tag' | 'signature' | 'version-tag' | 'engine';

/**
 * What a run leaves, in the order that keeps every intermediate state safe: the image, its
 * signature when a key is given (before the version tag, which is immutable), the version tag.
 */
export function publicationFor(push: boolean, sign = false): readonly StepKind[] {
  if (!push) return ['engine'];
  return sign ? ['commit-tag', 'signature', 'version-tag'] : ['commit-tag', 'version-tag'];
}

/** One missing object: its step, and whether it replaces another image of this commit (a repair). */
export interface Write {
  step: StepKind;
  repair?: boolean;
}

/** What the run writes: the image it publishes and the objects missing, in publication order. */
export interface Plan {
  /** `build` when no image of this commit is in the registry, else the digest of the one there. */
  image: 'build' | string;
  /** Empty: everything is there already. */
  writes: Write[];
  reason: string;
}

/**
 * The whole re-run policy in one place. A tag that exists is never written again; an image
 * whose commit tag exists is never rebuilt; a tag from another commit is refused. The image
 * published is the version tag's when it exists, else the commit tag's, else a new build; every
 * object that does not hold it is written, in the publication's order. The one repair: two runs of
 * this commit interleaved on a registry that lets tags be overwritten, each with its own image;
 * a published version tag stays and the commit tag follows it.
 */
export function plan(held: Held, tags: Tags, publication = publicationFor(true)): Plan {
  const { version, commit } = held;
  if (version.exists && version.revision !== tags.sha) throw refusal(version, tags);
  if (commit.exists && commit.revision !== tags.sha) throw foreignCommitTag(commit, tags);
  const image = heldImage(held) ?? 'build';
  const holds: Partial<Record<StepKind, TaggedImage>> = { 'commit-tag': commit, 'version-tag': version };
  const writes = publication.flatMap((step): Write[] => {
    if (step === 'signature') return signed(held, image, tags) ? [] : [{ step }];
    const there = holds[step];
    // What the registry cannot hold (the engine's image) is always written.
    if (!there?.exists) return [{ step }];
    return there.digest === image ? [] : [{ step, repair: true }];
  });
  return { image, writes, reason: reasonFor(held, tags) };
}

/** The image a run publishes when the registry holds one of this commit: the version tag's, else the commit tag's. */
export function heldImage({ version, commit }: Pick<Held, 'version' | 'commit'>): string | undefined {
  return version.exists ? version.digest : commit.exists ? commit.digest : undefined;
}

/** The image there is signed by this run's key for pulls by both tags (a new build never is). */
function signed(held: Held, image: string, tags: Tags): boolean {
  const signature = held.signature;
  if (image === 'build' || signature?.digest !== image) return false;
  return [versionRef(tags), shaRef(tags)].every((identity) => signature.identities.includes(identity));
}

/** The plan in the user's words, one sentence for each row of the table. */
function reasonFor({ version, commit }: Held, tags: Tags): string {
  if (version.exists && commit.exists && commit.digest !== version.digest)
    return (
      `The commit tag holds another image of this commit (${commit.digest}) than ${tags.version} (${version.digest}): two runs interleaved on a registry that lets tags be overwritten. ` +
      `Pointing the commit tag at ${tags.version}'s image, no build.`
    );
  if (version.exists && commit.exists)
    return `${tags.version} and the commit tag already exist and were built from this commit: nothing to write.`;
  if (version.exists)
    return `${tags.version} was built from this commit but the commit tag is missing: adding it, no build.`;
  if (commit.exists)
    return `The commit tag exists but ${tags.version} does not (an earlier run stopped half-way): pointing ${tags.version} at it, no build.`;
  return `Neither ${tags.version} nor the commit tag exists: building and pushing both.`;
}

/** Two plans that would write the same objects from the same image. */
export function samePlan(a: Plan, b: Plan): boolean {
  return a.image === b.image && JSON.stringify(a.writes) === JSON.stringify(b.writes);
}

function foreignCommitTag(commit: { digest: string; revision?: string }, tags: Tags): UserError {
  const origin = commit.revision
    ? `was built from commit ${commit.revision}`
    : 'carries no org.opencontainers.image.revision label';
  return new UserError(
    `${shaRef(tags)} already exists (${commit.digest}) and ${origin}, not from ${tags.sha}: a commit tag is never overwritten. ` +
      'Find out what pushed it; delete it in the registry if it is wrong, then run again.',
  );
}

function refusal(version: { digest: string; revision?: string }, tags: Tags): UserError {
  const origin = version.revision
    ? `was built from commit ${version.revision}`
    : 'carries no org.opencontainers.image.revision label (it was not pushed by this action)';
  return new UserError(
    `${versionRef(tags)} already exists (${version.digest}) and ${origin}, not from ${tags.sha}. ` +
      'Published versions are never overwritten: bump `version` (for example a new git tag) and run again.',
  );
}
