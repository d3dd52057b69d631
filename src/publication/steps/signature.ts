import type { PublicationContext, Written } from '../context.js';
import { identitiesOf } from '../../signing/signatures.js';

/**
 * The signature of the image published, for pulls by the version tag and by the commit tag:
 * made after the commit tag holds the image and before the version tag is written, read back
 * and verified before the run goes on. Only the identities the `.sig` lacks are signed. An
 * index's platform images are signed first, then the index: a client pulling one platform
 * (skopeo, podman, CRI-O) checks the signature of that image, cosign the index's; the index's
 * signature, written last, is the one a re-run reads to know the whole is signed.
 */
export async function writeSignature(
  context: PublicationContext,
  image: string,
  _write: unknown,
  settle: (written: Written) => Promise<string>,
): Promise<string> {
  const { signatures, phase, log } = context;
  if (!signatures) throw new Error('A signature step without a signing key.');
  return phase('Sign', async () => {
    const identities = identitiesOf(context.tags);
    const platforms = await context.registry.imagesOf(image);
    await Promise.all(platforms.map((digest) => signatures.write(digest, identities)));
    if (platforms.length > 0) log(`The index's ${platforms.length} platform images: signed, verified.`);
    const reference = await signatures.write(image, identities);
    log(`${reference}: signed for ${identitiesOf(context.tags).join(' and ')}, verified.`);
    return settle({ digest: image, interleaved: false });
  });
}
