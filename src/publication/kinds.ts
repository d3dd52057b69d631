import type { TaggedImage, Tags } from '../image/tags.js';
import type { Held } from './context.js';

// The publication as data: every kind of object a run can leave, in the order that keeps every
// intermediate state safe, and which of them a run leaves. A new kind is one entry here, its
// step (steps/) and that step in STEPS (steps/index.ts); a tag kind needs nothing more, as the
// registry view reads its tag with the run's two and the planner applies one rule to every tag.

/**
 * What a run is asked to leave: `push` (else the engine's image alone), signed (a `.sig`, a
 * bundle referrer, or both), from parts, and a commit tag (else the version tag is the one
 * tag, and its step pushes the image built).
 */
export interface PublicationOptions {
  push: boolean;
  /** The `.sig` tag of the image published. */
  sign?: boolean;
  /** A Sigstore bundle referrer of the image published. */
  bundle?: boolean;
  parts?: boolean;
  commitTag?: boolean;
}

/** One kind of object a run leaves, written by its own step (steps/). */
export interface ObjectKind {
  /** Its name: the key of its step in STEPS, and what a plan's write names. */
  readonly name: string;
  /** Whether a run with these options leaves it. */
  readonly when: (options: Required<PublicationOptions>) => boolean;
  /**
   * For a tag that must name the image published: the tag it writes. The registry view reads
   * it with the run's two tags; the planner writes it when absent, leaves it when it names the
   * image, and repairs it when it names another image of this commit.
   */
  readonly tag?: (tags: Tags) => string;
}

/**
 * Every kind, in the order of the publication: with platform parts this job's parts first,
 * then the image (or index) under the commit tag, its signatures when a key is given (the `.sig`
 * and the bundle, before the version tag, which is immutable), then the version tag, always
 * last; without `push`, the image loaded into the engine alone.
 */
export const KINDS = [
  { name: 'part', when: ({ push, parts }) => push && parts },
  { name: 'commit-tag', when: ({ push, commitTag }) => push && commitTag, tag: (tags) => tags.sha },
  { name: 'signature', when: ({ push, sign }) => push && sign },
  { name: 'bundle', when: ({ push, bundle }) => push && bundle },
  { name: 'version-tag', when: ({ push }) => push, tag: (tags) => tags.version },
  { name: 'engine', when: ({ push }) => !push },
] as const satisfies readonly ObjectKind[];

/** The name of a kind of the table: each has its step (STEPS). */
export type StepKind = (typeof KINDS)[number]['name'];

/** What a run with these options leaves, in order: the kinds of `kinds` (the table) it asks for. */
export function publicationFor(
  { push, sign = false, bundle = false, parts = false, commitTag = true }: PublicationOptions,
  kinds: readonly ObjectKind[] = KINDS,
): readonly ObjectKind[] {
  return kinds.filter((kind) => kind.when({ push, sign, bundle, parts, commitTag }));
}

/** The tags a publication writes, each named by its kind. */
export function tagsWrittenBy(publication: readonly ObjectKind[], tags: Tags): string[] {
  return publication.flatMap((kind) => (kind.tag ? [kind.tag(tags)] : []));
}

/**
 * What the registry held at `tag` when the run read it: the version or the commit tag, or
 * another tag of the publication, read with them. A tag that was not read is never taken for a
 * free one.
 */
export function heldUnder(held: Held, tag: string, tags: Tags): TaggedImage {
  if (tag === tags.version) return held.version;
  if (tag === tags.sha) return held.commit;
  const read = held.otherTags?.[tag];
  if (!read) throw new Error(`${tag} was not read with the run's tags: the registry view was not given it.`);
  return read;
}
