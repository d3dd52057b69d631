import type { PublicationContext, Written } from '../context.js';
import { heldAt, type PlannedImage } from '../plan.js';
import { writeBundleOf } from './signature.js';

/**
 * The Sigstore bundle of the image published, a referrer of its digest, before the version tag
 * is written. An image this run built or assembled got it before its tag named it (see
 * signBeforeTag); this step finds it and writes nothing, and adds it to an image of this commit
 * that has only the `.sig` (signed by a run that wrote no bundle).
 */
export async function writeBundle(
  context: PublicationContext,
  image: PlannedImage,
  _write: unknown,
  settle: (written: Written) => Promise<string>,
): Promise<PlannedImage> {
  if (!context.bundles) throw new Error('A bundle step without a signing key.');
  if (image.kind !== 'held') throw new Error('A bundle before the image is in the registry.');
  const { digest } = image;
  return context.phase('Sign (bundle)', async () => {
    await writeBundleOf(context, digest);
    return heldAt(await settle({ digest, interleaved: false }));
  });
}
