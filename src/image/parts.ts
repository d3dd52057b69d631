import { CREATED_LABEL } from '../names.js';
import { OCI_INDEX } from './media-types.js';
import { tagRef, type TaggedImage, type Tags } from './tags.js';

// Platform parts: each job of a matrix builds some of the image's platforms, natively on its
// own runner, and pushes each under a tag of its own; whichever job finds every part there
// after its own push assembles the index, byte for byte the same whichever job it is.

/** The platforms the published index holds, and those this job builds (each a part). */
export interface Parts {
  /** Every platform of the index, in the index's order (see platformOrder). */
  all: string[];
  /** What this job builds, as `build_platforms` names them. */
  mine: string[];
  /** The index's annotations: the same in every job of the commit (no time of the run). */
  annotations: Record<string, string>;
}

/** How the index names one part: taken from the part itself (its manifest and configuration). */
export interface PartDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform: { architecture: string; os: string; variant?: string };
}

/** A part tag and what it holds: its image and commit, and, for an image manifest, its entry in the index. */
export type HeldPart = TaggedImage & {
  descriptor?: PartDescriptor;
  /** With a signing key: whether this key signed the part for its part tag (verified). */
  signed?: boolean;
};

/** `<sha>-<os>-<arch>[-<variant>]`: the tag of one platform's part of this commit. */
export function partTag(sha: string, platform: string): string {
  return `${sha}-${platform.split('/').join('-')}`;
}

/** One platform's part of this commit, `registry/name:<sha>-<os>-<arch>[-<variant>]`. */
export function partRef(tags: Tags, platform: string): string {
  return tagRef(tags, partTag(tags.sha, platform));
}

/** The parts of an index of `platforms`, this job building `mine`. */
export function partsOf(platforms: string[], mine: string[], annotations: Record<string, string>): Parts {
  return { all: [...platforms].sort(platformOrder), mine, annotations };
}

/**
 * The index's annotations from `KEY=VALUE` pairs (the user's, then the provenance, which wins):
 * the time of the run left out, so that every job of the commit writes the same ones.
 */
export function indexAnnotations(pairs: string[]): Record<string, string> {
  const annotations: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const key = pair.slice(0, eq);
    if (eq > 0 && key !== CREATED_LABEL) annotations[key] = pair.slice(eq + 1);
  }
  return annotations;
}

/** The index's fixed order: by os, then architecture, then variant (none first). */
export function platformOrder(a: string, b: string): number {
  const [x, y] = [a.split('/'), b.split('/')];
  for (let i = 0; i < 3; i++) {
    const [p, q] = [x[i] ?? '', y[i] ?? ''];
    if (p !== q) return p < q ? -1 : 1;
  }
  return 0;
}

/**
 * Whether a part's configuration is of the platform its tag names. A part built for `os/arch`
 * may record a variant (BuildKit writes `v8` for arm64); one asked for with a variant must have it.
 */
export function isOfPlatform(descriptor: PartDescriptor, platform: string): boolean {
  const [os, architecture, variant] = platform.split('/');
  const actual = descriptor.platform;
  return actual.os === os && actual.architecture === architecture && (!variant || actual.variant === variant);
}

/**
 * The index of the parts: their entries in the parts' order, each with its media type, digest,
 * size and platform, and the commit's annotations, serialised with a fixed key order and no
 * white space. Two jobs that assemble it from the same parts write the same bytes, so the same
 * digest.
 */
export function assembleIndex(parts: PartDescriptor[], annotations: Record<string, string>): Buffer {
  const manifests = parts.map(({ mediaType, digest, size, platform }) => ({
    mediaType,
    digest,
    size,
    platform: {
      architecture: platform.architecture,
      os: platform.os,
      ...(platform.variant ? { variant: platform.variant } : {}),
    },
  }));
  const sorted = Object.fromEntries(
    Object.entries(annotations).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  const index = {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests,
    ...(Object.keys(sorted).length > 0 ? { annotations: sorted } : {}),
  };
  return Buffer.from(JSON.stringify(index));
}
