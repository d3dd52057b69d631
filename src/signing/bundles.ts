import { RegistryError, TagTaken, UserError } from '../errors.js';
import { DIGEST } from '../image/digest.js';
import { OCI_INDEX, OCI_MANIFEST } from '../image/media-types.js';
import type { Tags } from '../image/tags.js';
import type { RegistryClient } from '../registry/client.js';
import {
  BUNDLE_MEDIA_TYPE,
  EMPTY_CONFIG,
  bundleFor,
  referrerFor,
  vouchesFor,
  type Subject,
} from './bundle.js';
import type { SigningKey } from './key.js';

// The bundle referrers of this run's digests, found the way cosign v3 finds them: the
// registry's referrers API, else (a registry without it, such as distribution 2.8) the
// referrers tag `sha256-<hex>`, an index of the referrers that clients keep themselves.

/** Reads and writes this run's bundles: the publication's bundle step goes through here. */
export interface Bundles {
  /** Whether a referrer of `digest` holds a bundle in which this key vouches for it. */
  read(digest: string): Promise<boolean>;
  /**
   * Writes a bundle referrer of `digest` unless one of this key is there, then finds it again
   * as a consumer would; returns where it is listed. A registry on which no consumer could
   * find it is an error. `subject`: the image when it is not in the registry yet (signed
   * before its push); else its manifest is read.
   */
  write(digest: string, subject?: Subject): Promise<string>;
}

/** The referrers tag of `digest` (the distribution spec's fallback for registries without the API). */
export function referrersTag(digest: string): string {
  return digest.replace(':', '-');
}

export function registryBundles(client: RegistryClient, tags: Tags, opening: Promise<SigningKey>): Bundles {
  const repository = tags.repository;
  /** The referrers listed for `digest`: by the API, else under the referrers tag; and which. */
  const listed = async (
    digest: string,
  ): Promise<{ descriptors: Record<string, unknown>[]; api: boolean }> => {
    const byApi = await client.referrers(repository, digest);
    if (byApi) return { descriptors: byApi, api: true };
    const index = await client.manifestIfAny(repository, referrersTag(digest));
    const entries = index?.json.manifests;
    return { descriptors: Array.isArray(entries) ? (entries as Record<string, unknown>[]) : [], api: false };
  };
  const vouched = async (digest: string, descriptor: Record<string, unknown>): Promise<boolean> => {
    if (descriptor?.artifactType !== BUNDLE_MEDIA_TYPE) return false;
    if (typeof descriptor.digest !== 'string' || !DIGEST.test(descriptor.digest)) return false;
    // An entry whose referrer is gone (deleted, collected) vouches for nothing, and stops nothing.
    const manifest = await client.manifestIfAny(repository, descriptor.digest);
    if (!manifest) return false;
    const subject = manifest.json.subject as { digest?: unknown } | undefined;
    const layer = (manifest.json.layers as { mediaType?: unknown; digest?: unknown }[] | undefined)?.[0];
    if (subject?.digest !== digest || layer?.mediaType !== BUNDLE_MEDIA_TYPE) return false;
    if (typeof layer.digest !== 'string' || !DIGEST.test(layer.digest)) return false;
    // A bundle is small: read like a signature's payload (a larger or missing blob is none).
    const bytes = await client.signaturePayload(repository, layer.digest);
    const key = await opening;
    return bytes !== undefined && vouchesFor(bytes, digest, tags.image, key.verify);
  };
  const read = async (digest: string): Promise<boolean> => {
    const { descriptors } = await listed(digest);
    const verdicts = await Promise.all(descriptors.map((descriptor) => vouched(digest, descriptor)));
    return verdicts.includes(true);
  };
  /** Lists the referrer under the referrers tag, keeping every other entry; another run may have listed its own first. */
  const listUnderTag = async (digest: string, entry: Record<string, unknown>): Promise<void> => {
    const tag = referrersTag(digest);
    const index = await client.manifestIfAny(repository, tag);
    // Others' entries are kept as they are; one that is no descriptor at all is dropped, or the
    // registry would refuse the index.
    const entries = (
      Array.isArray(index?.json.manifests) ? (index.json.manifests as Record<string, unknown>[]) : []
    ).filter((entry) => entry !== null && typeof entry === 'object' && DIGEST.test(String(entry.digest)));
    const bytes = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [...entries, entry] }),
    );
    try {
      await client.putManifest(repository, tag, bytes, OCI_INDEX);
    } catch (error) {
      // Refused because the tag exists and this identity may only create (zot without
      // `update`): another run's bundle of this key under it serves as well.
      if (!(error instanceof TagTaken)) throw error;
      if (await read(digest)) return;
      throw new UserError(
        `${tags.image}:${tag} (the referrers tag of ${digest}, kept by clients where the registry has no referrers API) already lists ${entries.length} other referrer(s), and the registry refuses to update that tag (403: the identity lacks \`update\`). ` +
          'Nothing more was written, and the version tag is not written without its bundle: give the CI identity `update` on referrers tags, or use `signature_formats: sig`.',
        { cause: error },
      );
    }
  };
  return {
    read,
    write: async (digest, given) => {
      const where = `${tags.image}@${digest}`;
      if (await read(digest)) return `${where} (bundle referrer)`;
      const [key, subject] = await Promise.all([opening, given ?? client.manifest(repository, digest)]);
      const bundle = bundleFor(digest, tags.image, key.sign, key.publicKeyPem);
      const referrer = referrerFor({ mediaType: subject.mediaType, digest, size: subject.size }, bundle);
      await Promise.all([EMPTY_CONFIG, bundle].map((blob) => client.putBlob(repository, blob)));
      const written = await client.putReferrer(repository, referrer, OCI_MANIFEST);
      if (!written.listed)
        await listUnderTag(digest, {
          mediaType: OCI_MANIFEST,
          digest: written.digest,
          size: referrer.length,
          artifactType: BUNDLE_MEDIA_TYPE,
        });
      // Found again the way cosign v3 finds it, before anything is reported signed.
      if (!(await read(digest)))
        throw new RegistryError(
          `The bundle of ${where} was written (${written.digest}), but neither the referrers API nor the referrers tag ${referrersTag(digest)} lists it: no consumer could find it. Nothing more was written.`,
        );
      return `${where} (bundle referrer ${written.digest})`;
    },
  };
}
