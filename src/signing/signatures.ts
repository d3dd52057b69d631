import { UserError, RegistryError, TagTaken } from '../errors.js';
import { publishedRefs, type Tags } from '../image/tags.js';
import { DIGEST } from '../image/digest.js';
import type { RegistryClient } from '../registry/client.js';
import type { SigningKey } from './key.js';
import { OCI_MANIFEST } from '../image/media-types.js';
import {
  SIGNATURE_ANNOTATION,
  SIGNATURE_MEDIA_TYPE,
  configFor,
  layerFor,
  manifestFor,
  payloadFor,
  readPayload,
  signatureRef,
  signatureTag,
  type SignatureLayer,
} from './signature.js';

/** What the `.sig` of a digest holds: the identities this key signed it for (verified), and every layer. */
export interface SignatureState {
  digest: string;
  /** The tagged references a signature of this key binds the digest to, each verified. */
  identities: string[];
  /** Every layer there, ours and others', kept as they are when one is added. */
  layers: SignatureLayer[];
  /** The `.sig` tag exists (adding to it is an update of the tag). */
  exists: boolean;
}

/** Reads and writes this run's signatures: the publication's signature step goes through here. */
export interface Signatures {
  read(digest: string): Promise<SignatureState>;
  /**
   * Signs `digest` for each identity it lacks, writes the `.sig`, reads it back; returns its
   * reference. Writes nothing when the `.sig` holds every identity already.
   */
  write(digest: string, identities: string[]): Promise<string>;
}

/** The identities a published digest is signed for: pulls by the version tag and by the commit tag (when there is one). */
export function identitiesOf(tags: Tags): string[] {
  return publishedRefs(tags);
}

/**
 * The `.sig` of this run's digests through the registry client. `opening` is the key being
 * opened (scrypt runs while the registry is read): it is awaited only where a signature is
 * verified or made.
 */
export function registrySignatures(
  client: RegistryClient,
  tags: Tags,
  opening: Promise<SigningKey>,
): Signatures {
  const repository = tags.repository;
  const read = async (digest: string): Promise<SignatureState> => {
    const manifest = await client.manifestIfAny(repository, signatureTag(digest));
    if (!manifest) return { digest, identities: [], layers: [], exists: false };
    const layers = Array.isArray(manifest.json.layers) ? (manifest.json.layers as SignatureLayer[]) : [];
    const key = await opening;
    // Each payload read at once; every signature verified against this key's public key.
    const verified = await Promise.all(
      layers.map(async (layer) => {
        const signature = layer?.annotations?.[SIGNATURE_ANNOTATION];
        if (layer?.mediaType !== SIGNATURE_MEDIA_TYPE || typeof signature !== 'string') return undefined;
        // A layer whose payload cannot be read (a malformed digest, no such blob, too large) is
        // no signature of this key; it is kept as it is, and stops nothing.
        if (typeof layer.digest !== 'string' || !DIGEST.test(layer.digest)) return undefined;
        const payload = await client.signaturePayload(repository, layer.digest);
        if (!payload) return undefined;
        const said = readPayload(payload);
        return said?.digest === digest && key.verify(payload, Buffer.from(signature, 'base64'))
          ? said.reference
          : undefined;
      }),
    );
    const identities = verified.filter((identity): identity is string => identity !== undefined);
    return { digest, identities, layers, exists: true };
  };
  return {
    read,
    write: async (digest, identities) => {
      const reference = signatureRef(tags, digest);
      const [before, key] = await Promise.all([read(digest), opening]);
      // A .sig that holds every identity already (verified by the read) is not written again: on
      // a registry that withholds `update`, a PUT of the same tag would be refused.
      if (identities.every((identity) => before.identities.includes(identity))) return reference;
      const added = identities
        .filter((identity) => !before.identities.includes(identity))
        .map((identity) => {
          const payload = payloadFor(identity, digest);
          return { payload, layer: layerFor(payload, key.sign(payload)) };
        });
      // Others' layers are kept as they are; an entry that is no layer at all (not an object, or
      // a digest no registry could hold) is dropped, or the registry would refuse the manifest.
      const kept = before.layers.filter(
        (layer) => layer !== null && typeof layer === 'object' && DIGEST.test(String(layer.digest)),
      );
      const layers = [...kept, ...added.map(({ layer }) => layer)];
      const config = configFor(layers);
      // The payloads and the configuration go up at once; the manifest only after all of them.
      await Promise.all(
        [...added.map(({ payload }) => payload), config].map((blob) => client.putBlob(repository, blob)),
      );
      try {
        await client.putManifest(repository, signatureTag(digest), manifestFor(config, layers), OCI_MANIFEST);
      } catch (error) {
        if (!(error instanceof TagTaken)) throw error;
        // Refused because another run wrote the .sig since it was read (two jobs signing one
        // index, two re-runs): what it wrote may hold every identity this run needs.
        const now = before.exists ? before : await read(digest);
        if (identities.every((identity) => now.identities.includes(identity))) return reference;
        if (now.exists)
          throw new UserError(
            `${reference} already holds ${now.layers.length} other signature(s), and the registry refuses to update that tag (403: the identity lacks \`update\`). ` +
              'Nothing more was written, and the version tag is not written unsigned: give the CI identity `update` on signature tags, or remove the other signatures.',
            { cause: error },
          );
        throw error;
      }
      // Read back and verified against the public key, before anything is reported signed.
      const after = await read(digest);
      const missing = identities.filter((identity) => !after.identities.includes(identity));
      if (missing.length > 0)
        throw new RegistryError(
          `${reference} was written, but reading it back finds no valid signature for ${missing.join(', ')}. Nothing more was written.`,
        );
      return reference;
    },
  };
}
