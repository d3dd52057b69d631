// The two tags a run publishes and what a registry holds at a tag: the image's own vocabulary,
// shared by the planner, the registry client, the signing and the steps that write.

export interface Tags {
  /** `registry/name` */
  image: string;
  /** `name`: the repository inside the registry. */
  repository: string;
  version: string;
  /** The full commit: the commit tag's name, and the revision label every image carries. */
  sha: string;
  /**
   * `commit_tag: false`: the commit is no tag of its own; the version tag is the one tag, and a
   * re-run reads it and its image's revision label.
   */
  oneTag?: true;
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

export function tagsOf(
  registry: string,
  repository: string,
  version: string,
  sha: string,
  { commitTag = true }: { commitTag?: boolean } = {},
): Tags {
  const tags: Tags = { image: `${registry}/${repository}`, repository, version, sha };
  return commitTag ? tags : { ...tags, oneTag: true };
}

/** The references a pull of the published image names: the version tag's, and the commit tag's when there is one. */
export function publishedRefs(tags: Tags): string[] {
  return tags.oneTag ? [versionRef(tags)] : [versionRef(tags), shaRef(tags)];
}
