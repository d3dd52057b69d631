import type { PublicationContext, Written } from '../context.js';
import { identitiesOf } from '../../signing/signatures.js';

/**
 * The signature of the image published, for pulls by the version tag and by the commit tag:
 * made after the commit tag holds the image and before the version tag is written, read back
 * and verified before the run goes on. Only the identities the `.sig` lacks are signed.
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
    const reference = await signatures.write(image, identitiesOf(context.tags));
    log(`${reference}: signed for ${identitiesOf(context.tags).join(' and ')}, verified.`);
    return settle({ digest: image, interleaved: false });
  });
}
