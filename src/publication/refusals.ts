import { UserError } from '../errors.js';
import { partRef } from '../image/parts.js';
import { shaRef, versionRef, type Tags } from '../image/tags.js';

// What the planner refuses, in the user's words: a tag of another commit, an image this key did
// not sign, an image pushed before this action. Each names the tag, what it holds and what to do.

export function unsignedImage(reference: string, digest: string): UserError {
  return new UserError(
    `${reference} holds ${digest}, labelled as built from this commit but not signed by this key. ` +
      'With `signing_key` the action signs an image before any tag names it, so no run with this key pushed this one (or its signature was removed), and it is not signed now. ' +
      'Find out what pushed it; delete the tag if it is wrong (where CI may only create, an admin can), then run again.',
  );
}

/** What a refusal tells the user to do about a tag it will not overwrite. */
export const FIND_OUT = 'Find out what pushed it; delete it in the registry if it is wrong, then run again.';

/** Where a tag's image came from, as a refusal says it: its commit, or the label it lacks. */
function originOf(image: { revision?: string }, unlabelled = ''): string {
  return image.revision
    ? `was built from commit ${image.revision}`
    : `carries no org.opencontainers.image.revision label${unlabelled}`;
}

export function foreignCommitTag(commit: { digest: string; revision?: string }, tags: Tags): UserError {
  const origin = originOf(commit);
  return new UserError(
    `${shaRef(tags)} already exists (${commit.digest}) and ${origin}, not from ${tags.sha}: a commit tag is never overwritten. ` +
      FIND_OUT,
  );
}

export function foreignPart(
  part: { digest: string; revision?: string },
  platform: string,
  tags: Tags,
): UserError {
  const origin = originOf(part);
  return new UserError(
    `${partRef(tags, platform)} (the ${platform} part) already exists (${part.digest}) and ${origin}, not from ${tags.sha}: a part tag is never overwritten. ` +
      FIND_OUT,
  );
}

/**
 * The version tag holds an image with no revision label (pushed before this action, by Dagger
 * or by hand): refused, unless its content is what this run builds (see core/unlabelled.ts).
 */
export class UnlabelledVersion extends UserError {
  constructor(
    message: string,
    readonly digest: string,
  ) {
    super(message);
    this.name = 'UnlabelledVersion';
  }
}

export function refusal(version: { digest: string; revision?: string }, tags: Tags): UserError {
  const origin = originOf(version, ' (it was not pushed by this action)');
  if (!version.revision)
    return new UnlabelledVersion(
      `${versionRef(tags)} already exists (${version.digest}) and ${origin}, not from ${tags.sha}. ` +
        'Published versions are never overwritten: bump `version` (for example a new git tag) and run again.',
      version.digest,
    );
  return new UserError(
    `${versionRef(tags)} already exists (${version.digest}) and ${origin}, not from ${tags.sha}. ` +
      'Published versions are never overwritten: bump `version` (for example a new git tag) and run again.',
  );
}
