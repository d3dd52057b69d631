import type { PublicationContext, Written } from '../context.js';
import { heldAt, type PlannedImage } from '../plan.js';
import { identitiesOf, type Signatures } from '../../signing/signatures.js';
import type { Subject } from '../../signing/bundle.js';

/**
 * The signature of the image published, for pulls by the version tag and by the commit tag,
 * before the version tag is written, read back and verified before the run goes on. An image
 * this run built or assembled was signed before its tag named it (see the commit-tag and part
 * steps); this step finds that signature whole and writes nothing, and adds an identity an image
 * of this commit signed by this key lacks (another version of the same commit).
 */
export async function writeSignature(
  context: PublicationContext,
  image: PlannedImage,
  _write: unknown,
  settle: (written: Written) => Promise<string>,
): Promise<PlannedImage> {
  const { signatures, phase } = context;
  if (!signatures) throw new Error('A signature step without a signing key.');
  if (image.kind !== 'held') throw new Error('A signature before the image is in the registry.');
  const { digest } = image;
  return phase('Sign', async () => {
    const platforms = await context.registry.imagesOf(digest);
    await signImage(context, signatures, digest, platforms, identitiesOf(context.tags));
    return heldAt(await settle({ digest, interleaved: false }));
  });
}

/**
 * Signs `digest` for `identities`, each .sig read back and verified: for an index, its platform
 * images first (a client pulling one platform, such as skopeo, podman or CRI-O, checks that
 * image's signature; cosign the index's), then the index, whose signature is the one a re-run
 * reads to know the whole is signed. Only what a .sig lacks is written.
 */
export async function signImage(
  context: PublicationContext,
  signatures: Signatures,
  digest: string,
  platforms: string[],
  identities: string[],
): Promise<string> {
  await Promise.all(platforms.map((platform) => signatures.write(platform, identities)));
  if (platforms.length > 0) context.log(`The index's ${platforms.length} platform images: signed, verified.`);
  const reference = await signatures.write(digest, identities);
  context.log(`${reference}: signed for ${identities.join(' and ')}, verified.`);
  return reference;
}

/** Whether the run signs: a `.sig`, a bundle referrer, or both. */
export function signs(context: PublicationContext): boolean {
  return context.signatures !== undefined || context.bundles !== undefined;
}

/**
 * Signs an image this run built or assembled before any tag names it, in every format the run
 * writes: the `.sig` of `subject` and of its `platforms` for `identities`, and a bundle referrer
 * of `subject` (named by its digest, media type and size, as it is not in the registry yet).
 */
export async function signBeforeTag(
  context: PublicationContext,
  subject: Subject,
  platforms: string[],
  identities: string[],
): Promise<void> {
  const { signatures, bundles } = context;
  await Promise.all([
    signatures && signImage(context, signatures, subject.digest, platforms, identities),
    bundles && writeBundleOf(context, subject.digest, subject),
  ]);
}

/** The bundle referrer of `digest`, written unless this key's is there, found again as cosign 3 finds it. */
export async function writeBundleOf(
  context: PublicationContext,
  digest: string,
  subject?: Subject,
): Promise<void> {
  if (!context.bundles) return;
  context.log(`${await context.bundles.write(digest, subject)}: bundle verified, listed.`);
}
