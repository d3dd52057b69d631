import { UserError } from './errors.js';
import { shaRef, versionRef, type Publication, type Tags } from './tags.js';

// The re-run policy: what a run writes, decided from what the registry holds for its two tags.

/** What the run does, decided from the registry's state alone. */
export type Plan =
  | { kind: 'build-and-push'; reason: string }
  | { kind: 'tag-version'; digest: string; reason: string }
  /** `repair`: the commit tag holds another image of this commit, which gives way (see decide). */
  | { kind: 'tag-commit'; digest: string; reason: string; repair?: boolean }
  | { kind: 'nothing'; digest: string; reason: string };

/**
 * The whole re-run policy in one place. A tag that exists is never written again; an image
 * whose commit tag exists is never rebuilt; a version tag from another commit is refused.
 */
export function decide(publication: Publication, tags: Tags): Plan {
  const { version, commit } = publication;
  if (version.exists && version.revision !== tags.sha) throw refusal(version, tags);
  if (commit.exists && commit.revision !== tags.sha) throw foreignCommitTag(commit, tags);
  if (version.exists) {
    // Two runs of this commit interleaved on a registry that lets tags be overwritten, each
    // with its own image: a published version tag stays, the commit tag follows it.
    if (commit.exists && commit.digest !== version.digest)
      return {
        kind: 'tag-commit',
        digest: version.digest,
        repair: true,
        reason:
          `The commit tag holds another image of this commit (${commit.digest}) than ${tags.version} (${version.digest}): two runs interleaved on a registry that lets tags be overwritten. ` +
          `Pointing the commit tag at ${tags.version}'s image, no build.`,
      };
    if (commit.exists)
      return {
        kind: 'nothing',
        digest: version.digest,
        reason: `${tags.version} and the commit tag already exist and were built from this commit: nothing to write.`,
      };
    return {
      kind: 'tag-commit',
      digest: version.digest,
      reason: `${tags.version} was built from this commit but the commit tag is missing: adding it, no build.`,
    };
  }
  if (commit.exists)
    return {
      kind: 'tag-version',
      digest: commit.digest,
      reason: `The commit tag exists but ${tags.version} does not (an earlier run stopped half-way): pointing ${tags.version} at it, no build.`,
    };
  return {
    kind: 'build-and-push',
    reason: `Neither ${tags.version} nor the commit tag exists: building and pushing both.`,
  };
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
