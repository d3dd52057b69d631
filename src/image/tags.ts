// The two tags a run publishes and what a registry holds at a tag: the image's own vocabulary,
// shared by the planner, the registry client, the signing and the steps that write.

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
