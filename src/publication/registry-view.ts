import { UserError } from '../errors.js';
import { info } from '../report/log.js';
import { REVISION_LABEL } from '../names.js';
import type { Held, RegistryView } from './context.js';
import { partRef, partTag, type HeldPart, type PartDescriptor, type Parts } from '../image/parts.js';
import { heldImage } from './plan.js';
import { tagsWrittenBy, type ObjectKind } from './kinds.js';
import type { Signatures } from '../signing/signatures.js';
import type { Bundles } from '../signing/bundles.js';
import { vouchingIdentity } from '../signing/vouched.js';
import { DIGEST } from '../image/digest.js';
import type { TaggedImage, Tags } from '../image/tags.js';
import type { RegistryClient } from '../registry/client.js';
import type { Manifest } from '../registry/manifest.js';
import { IMAGE_MANIFESTS } from '../image/media-types.js';

// What the registry holds for this run's two tags, every other tag its publication writes
// and, with platform parts, its part tags: read for the re-run policy.

/** How an index marks the manifests that carry attestations rather than a platform's image. */
const ATTESTATION_TYPE = 'vnd.docker.reference.type';

/** What the view reads through: the client, this run's tags, and with a key or parts, those too. */
export interface RegistryViewOptions {
  client: RegistryClient;
  tags: Tags;
  /**
   * With a key: its `.sig` tags and its bundle referrers, both read whatever formats the run
   * writes (a run may change them between runs: either format of the key vouches).
   */
  signatures?: Signatures;
  bundles?: Bundles;
  parts?: Parts;
  /** What the run leaves: the tags its kinds write are read with the run's two. */
  publication: readonly ObjectKind[];
}

/** The registry as the publication reads it: this run's tags through the client. */
export function registryView({
  client,
  tags,
  signatures,
  bundles,
  parts,
  publication,
}: RegistryViewOptions): RegistryView {
  const written = tagsWrittenBy(publication, tags);
  const readParts = async (): Promise<Record<string, HeldPart>> => {
    if (!parts) return {};
    const held = await Promise.all(
      parts.all.map(async (platform) => {
        const part = await readPart(client, tags, platform);
        if (!part.exists) return [platform, part] as const;
        // With a key, a part counts only where this key signed it for its own tag (its `.sig`),
        // or where a bundle of this key vouches for it (whatever formats this run writes).
        if (!signatures || !bundles) return [platform, part] as const;
        const { identities } = await signatures.read(part.digest);
        const signed = identities.includes(partRef(tags, platform)) || (await bundles.read(part.digest));
        return [platform, { ...part, signed }] as const;
      }),
    );
    for (const [platform, part] of held) info(describeTag(partTag(tags.sha, platform), part));
    return Object.fromEntries(held);
  };
  const imagesOf = async (digest: string): Promise<string[]> => {
    const manifest = await client.manifest(tags.repository, digest);
    if (!Array.isArray(manifest.json.manifests)) return [];
    return (manifest.json.manifests as Descriptor[])
      .filter(isPlatformImage)
      .map((entry) => entry.digest)
      .filter((entry) => DIGEST.test(entry));
  };
  return {
    readHeld: async () => {
      const [images, held] = await Promise.all([
        readTaggedImages(client, tags, written),
        parts && readParts(),
      ]);
      const candidate = heldImage(images);
      const read = held ? { ...images, parts: held } : images;
      // With a key, the signatures of the image that would be published, in each format the
      // run writes: its `.sig` and its bundle referrers.
      if (!candidate) return read;
      const [signature, bundle] = await Promise.all([
        signatures && readSignature(signatures, candidate),
        bundles && readBundle(bundles, candidate),
      ]);
      return { ...read, ...(signature && { signature }), ...(bundle && { bundle }) };
    },
    read: (tag) => readTaggedImage(client, tags.repository, tag),
    lookUp: (tag) => client.lookUp(tags.repository, tag),
    readParts,
    imagesOf,
  };
  /**
   * The `.sig` of the image a run would publish: the identities this key signed it for; for an
   * index, its platform images' too: an identity counts as signed only where the index and
   * every platform image carry it (a pull of one platform checks that image's).
   */
  async function readSignature(signatures: Signatures, candidate: string): Promise<Held['signature']> {
    const platforms = await imagesOf(candidate);
    const [whole, ...each] = await Promise.all(
      [candidate, ...platforms].map((digest) => signatures.read(digest)),
    );
    const identities = whole.identities.filter((identity) =>
      each.every((platform) => platform.identities.includes(identity)),
    );
    info(
      `${candidate}: ${identities.length > 0 ? `signed for ${identities.join(', ')}` : 'not signed by this key'}` +
        (platforms.length > 0 ? ` (the index and its ${platforms.length} platform images)` : ''),
    );
    const vouched = whole.identities.includes(vouchingIdentity(tags));
    return { digest: whole.digest, identities, vouched };
  }
}

/** The bundle referrers of the image a run would publish: whether one of this key vouches for it. */
async function readBundle(bundles: Bundles, candidate: string): Promise<Held['bundle']> {
  const vouched = await bundles.read(candidate);
  info(`${candidate}: ${vouched ? 'a bundle of this key' : 'no bundle of this key'} among its referrers`);
  return { digest: candidate, vouched };
}

/**
 * One platform's part tag: its image and commit, and, for an image manifest, its entry in the
 * index, with the platform its configuration records (one more read, shared with the label).
 */
async function readPart(client: RegistryClient, tags: Tags, platform: string): Promise<HeldPart> {
  const tag = partTag(tags.sha, platform);
  const manifest = await client.manifestIfAny(tags.repository, tag);
  if (!manifest) return { exists: false };
  const revision = await revisionOf(client, tags.repository, tag, manifest);
  const image = { exists: true as const, digest: manifest.digest, revision };
  const config = (manifest.json.config as { digest?: unknown } | undefined)?.digest;
  if (!IMAGE_MANIFESTS.includes(manifest.mediaType) || 'manifests' in manifest.json) return image;
  if (typeof config !== 'string' || !DIGEST.test(config)) return image;
  const recorded = await client.config(tags.repository, tag, config);
  const { os, architecture, variant } = recorded;
  if (typeof os !== 'string' || typeof architecture !== 'string') return image;
  const descriptor: PartDescriptor = {
    mediaType: manifest.mediaType,
    digest: manifest.digest,
    size: manifest.size,
    platform: { architecture, os, ...(typeof variant === 'string' && variant ? { variant } : {}) },
  };
  return { ...image, descriptor };
}

/**
 * Both tags, and every other tag of `written` (the tags the publication writes), at once, each
 * with the commit its image was built from: the manifests (1 request each, the two tags never
 * twice), and more only where the manifest does not carry the revision (see revisionOf),
 * whatever the number of tags in the repository.
 */
export async function readTaggedImages(
  client: RegistryClient,
  tags: Tags,
  written: readonly string[] = [],
): Promise<Held> {
  const others = written.filter((tag) => tag !== tags.version && tag !== tags.sha);
  // With one tag, the full commit is no tag of this run's: it is not read, nor counted as held.
  const read = tags.oneTag ? [tags.version, ...others] : [tags.version, tags.sha, ...others];
  const images = await Promise.all(read.map((tag) => readTaggedImage(client, tags.repository, tag)));
  read.forEach((tag, index) => info(describeTag(tag, images[index])));
  const [version, ...rest] = images;
  const commit = tags.oneTag ? { exists: false as const } : rest.shift()!;
  return { version, commit, otherTags: Object.fromEntries(others.map((tag, index) => [tag, rest[index]])) };
}

/** A tag as the log shows what it holds: its digest and commit, or absent. */
function describeTag(tag: string, state: TaggedImage): string {
  return `${tag}: ${state.exists ? `${state.digest}, built from ${state.revision ?? 'an unknown commit'}` : 'absent'}`;
}

/** A tag's digest and the commit its image (or index) was built from. */
export async function readTaggedImage(
  client: RegistryClient,
  name: string,
  tag: string,
): Promise<TaggedImage> {
  const manifest = await client.manifestIfAny(name, tag);
  if (!manifest) return { exists: false };
  return { exists: true, digest: manifest.digest, revision: await revisionOf(client, name, tag, manifest) };
}

/**
 * The commit an image was built from: the `org.opencontainers.image.revision` annotation of
 * its manifest or index (no further request), else its configuration's label. An index without
 * the annotation is read platform by platform (attestation entries left out): every platform's
 * revision must be the same, or the tag is not this action's to judge.
 */
async function revisionOf(
  client: RegistryClient,
  name: string,
  tag: string,
  manifest: Manifest,
): Promise<string | undefined> {
  if (!Array.isArray(manifest.json.manifests)) return imageRevision(client, name, tag, manifest);
  const annotated = annotationsOf(manifest.json)[REVISION_LABEL];
  if (annotated) return annotated;
  const platforms = (manifest.json.manifests as Descriptor[]).filter(isPlatformImage);
  const revisions = await Promise.all(
    platforms.map(async (entry) =>
      imageRevision(client, name, tag, await client.manifest(name, entry.digest)),
    ),
  );
  const distinct = [...new Set(revisions)];
  if (distinct.length > 1)
    throw new UserError(
      `${name}:${tag} is an index whose platforms were built from different commits (${distinct.map((r) => r ?? 'none').join(', ')}): ` +
        'it was not pushed by this action, and is left as it is. Find out what pushed it.',
    );
  return distinct[0];
}

interface Descriptor {
  digest: string;
  platform?: { os?: string };
  annotations?: Record<string, unknown>;
}

/** An index entry that is a platform's image: not an attestation manifest (`unknown/unknown`). */
function isPlatformImage(entry: Descriptor): boolean {
  if (typeof entry?.digest !== 'string') return false;
  return entry.annotations?.[ATTESTATION_TYPE] !== 'attestation-manifest' && entry.platform?.os !== 'unknown';
}

function annotationsOf(json: Record<string, unknown>): Record<string, string | undefined> {
  const annotations = json.annotations;
  return annotations && typeof annotations === 'object' ? (annotations as Record<string, string>) : {};
}

/** An image manifest's revision: its annotation, else its configuration's label (read once per digest). */
async function imageRevision(
  client: RegistryClient,
  name: string,
  tag: string,
  manifest: Manifest,
): Promise<string | undefined> {
  const annotated = annotationsOf(manifest.json)[REVISION_LABEL];
  if (annotated) return annotated;
  const config = (manifest.json.config as { digest?: string } | undefined)?.digest;
  if (!config) return undefined;
  return (await client.configLabels(name, tag, config))[REVISION_LABEL];
}
