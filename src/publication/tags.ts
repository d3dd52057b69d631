import { createHash } from 'node:crypto';
import type { HeldPart } from './parts.js';

// The two tags a run publishes and what a registry holds at a tag: the domain's own types,
// shared by the planner, the registry client and the steps that write.

export interface Tags {
  /** `registry/name` */
  image: string;
  /** `name`: the repository inside the registry. */
  repository: string;
  version: string;
  sha: string;
}

export type TagState = { exists: false } | { exists: true; digest: string };

/** A tag and the commit its image was built from (its revision label), when it exists. */
export type TaggedImage = { exists: false } | { exists: true; digest: string; revision?: string };

/** What the registry holds for this run's two tags, read before anything is built. */
export interface Held {
  version: TaggedImage;
  /** The commit tag counts only when its image's revision label is this commit. */
  commit: TaggedImage;
  /**
   * With a signing key, for the image a run would publish (by digest): the identities this key
   * signed it for (verified; for an index, only those that the index and every platform image
   * carry), and whether this key signed the image itself for this commit (`vouched`).
   */
  signature?: { digest: string; identities: string[]; vouched: boolean };
  /** With platform parts: each platform's part tag, by platform. */
  parts?: Record<string, HeldPart>;
}

/** The digest of `bytes` as registries name content: `sha256:<hex>`. */
export function digestOf(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** A manifest digest as registries and skopeo write it. */
export const DIGEST = /^sha256:[0-9a-f]{64}$/;

export function versionRef(tags: Tags): string {
  return `${tags.image}:${tags.version}`;
}

export function shaRef(tags: Tags): string {
  return `${tags.image}:${tags.sha}`;
}

/** The image by digest, as skopeo copies it inside the registry. */
export function pinnedRef(tags: Tags, digest: string): string {
  return `${tags.image}@${digest}`;
}

/** A tag of this image, `registry/name:tag`. */
export function tagRef(tags: Tags, tag: string): string {
  return `${tags.image}:${tag}`;
}

export function tagsOf(registry: string, repository: string, version: string, sha: string): Tags {
  return { image: `${registry}/${repository}`, repository, version, sha };
}
