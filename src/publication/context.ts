import type { HandOver } from '../build/hand-over.js';
import type { Staged } from '../skopeo/stage.js';
import type { Signatures } from '../signing/signatures.js';
import type { Bundles } from '../signing/bundles.js';
import type { HeldPart, Parts } from '../image/parts.js';
import type { TagState, TaggedImage, Tags } from '../image/tags.js';

// What carrying out a publication needs from the rest of the action: the registry to read,
// a writer (the build, skopeo), the timeline, a clock. Ports, so that the executor and its
// steps run in unit tests against a scripted registry and a scripted writer.

/** What the registry holds for this run's tags, read before anything is built. */
export interface Held {
  version: TaggedImage;
  /** The commit tag counts only when its image's revision label is this commit. */
  commit: TaggedImage;
  /** Every other tag the publication writes (a kind's `tag`, such as `latest`), by tag. */
  otherTags?: Record<string, TaggedImage>;
  /**
   * With a signing key, for the image a run would publish (by digest): the identities this key
   * signed it for (verified; for an index, only those that the index and every platform image
   * carry), and whether this key signed the image itself for this commit (`vouched`).
   */
  signature?: { digest: string; identities: string[]; vouched: boolean };
  /**
   * With a bundle referrer among the formats, for the image a run would publish (by digest):
   * whether a bundle of this key vouches for it (verified).
   */
  bundle?: { digest: string; vouched: boolean };
  /** With platform parts: each platform's part tag, by platform. */
  parts?: Record<string, HeldPart>;
}

/** What the publication reads of the registry. */
export interface RegistryView {
  /**
   * Both tags and every other tag the publication writes, read at once, each with the commit
   * its image was built from (manifests read: digests of bytes).
   */
  readHeld(): Promise<Held>;
  /** One tag's image and commit, from its manifest's bytes. */
  read(tag: string): Promise<TaggedImage>;
  /** Where a tag points now: a HEAD, whose digest is a hint to compare, never to adopt. */
  lookUp(tag: string): Promise<TagState>;
  /** With platform parts: every part tag of the index, by platform, each with its entry. */
  readParts(): Promise<Record<string, HeldPart>>;
  /** The platforms' images an index names by digest (attestations left out); none for an image. */
  imagesOf(digest: string): Promise<string[]>;
}

/** How the publication writes. */
export interface Writer {
  /** Gets skopeo ready and starts its login (once, however often asked), before the first registry write. */
  prepare(): Promise<void>;
  /** Builds the image, or one platform's part (timed as its own phase), and hands it over for the push. */
  build(platform?: string): Promise<HandOver>;
  /** Pushes a built image to `reference`; returns the digest the registry holds. */
  push(built: HandOver, reference: string): Promise<string>;
  /**
   * With a signing key: the built image made ready for a push that keeps its digest, which is
   * then known before any tag names it (deleted with the hand-over).
   */
  stage(built: HandOver): Promise<Staged>;
  /** Pushes a staged image to `reference`; the registry must hold it under the staged digest. */
  pushStaged(staged: Staged, reference: string): Promise<string>;
  /** Deletes what the hand-over wrote. */
  discard(built: HandOver): Promise<void>;
  /** Builds the image and loads it into the engine (without `push`). */
  load(): Promise<void>;
  /** Copies the image at `digest` to `reference` inside the registry; TagTaken when refused. */
  copy(digest: string, reference: string): Promise<void>;
  /** Writes an index assembled from parts under the commit tag; returns its digest; TagTaken when refused. */
  putIndex(bytes: Buffer): Promise<string>;
}

export interface PublicationContext {
  tags: Tags;
  registry: RegistryView;
  writer: Writer;
  /** With a signing key and the `.sig` format: this run's `.sig` tags, read and written. */
  signatures?: Signatures;
  /** With a signing key and the bundle format: this run's bundle referrers, read and written. */
  bundles?: Bundles;
  /**
   * With a signing key: whether it vouches for an image as this commit's, in either format
   * (whatever formats this run writes).
   */
  vouches?: (digest: string) => Promise<boolean>;
  /** When each platform is built by its own job: the index's platforms and this job's. */
  parts?: Parts;
  /** Runs `work` as a named phase of the run (a log group, timed). */
  phase: <T>(name: string, work: () => Promise<T>) => Promise<T>;
  /** Waits; passed in so that tests need not. */
  sleep: (ms: number) => Promise<void>;
  log: (line: string) => void;
  /** The pushed image's digest is known: reported at once, so a later failure still says what was written. */
  pushed: (digest: string) => void;
}

/** A step's write: the digest the object now names, and whether another run's image was adopted. */
export interface Written {
  digest: string;
  interleaved: boolean;
}
