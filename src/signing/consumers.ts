import { RegistryError } from '../errors.js';
import { publishedRefs, type Tags } from '../image/tags.js';
import type { Bundles } from './bundles.js';
import type { Signatures } from './signatures.js';

// After the version tag, each format is read the way its consumer reads it, before the run is
// called a success: a signature that no consumer finds leaves the image unsigned for them,
// however green the job.

/** What the check reads through: the formats the run wrote, and an index's platform images. */
export interface ConsumerReads {
  tags: Tags;
  signatures?: Signatures;
  bundles?: Bundles;
  /** The platform images of an index (none for an image): a pull of one checks that image's `.sig`. */
  imagesOf: (digest: string) => Promise<string[]>;
}

/**
 * podman, skopeo and CRI-O pull by a tag and look for the `.sig` of the digest it names, signed
 * for that tag (for an index, of the platform image they pull too); cosign 3 lists the digest's
 * referrers (the API, else the referrers tag) for a bundle of the key. Each format written must
 * be found so; else an error naming the format and the tag.
 */
export async function checkAsConsumers(reads: ConsumerReads, digest: string): Promise<string[]> {
  const { tags, signatures, bundles } = reads;
  const found: string[] = [];
  const [sigMissing, bundleFound] = await Promise.all([
    signatures && missingSig(reads, signatures, digest),
    bundles?.read(digest),
  ]);
  if (sigMissing)
    throw new RegistryError(
      `The \`sig\` format: a pull of ${sigMissing.reference} finds no \`.sig\` of this key for ${sigMissing.digest}, so podman, skopeo and CRI-O would take it for unsigned. ` +
        'The image is published; run the job again to sign what is missing.',
    );
  if (signatures) found.push(`sig (${publishedRefs(tags).join(', ')})`);
  if (bundles && !bundleFound)
    throw new RegistryError(
      `The \`bundle\` format: neither the referrers API nor the referrers tag of ${tags.image}@${digest} lists a bundle of this key, so cosign 3 would find ${publishedRefs(tags)[0]} unsigned. ` +
        'The image is published; run the job again to sign what is missing.',
    );
  if (bundles) found.push(`bundle (${tags.image}@${digest})`);
  return found;
}

/** The first pull (by a tag, of the whole or of one platform) whose `.sig` lacks this key's signature. */
async function missingSig(
  { tags, imagesOf }: ConsumerReads,
  signatures: Signatures,
  digest: string,
): Promise<{ reference: string; digest: string } | undefined> {
  const digests = [digest, ...(await imagesOf(digest))];
  const read = await Promise.all(digests.map((each) => signatures.read(each)));
  for (const reference of publishedRefs(tags))
    for (const state of read)
      if (!state.identities.includes(reference)) return { reference, digest: state.digest };
  return undefined;
}
