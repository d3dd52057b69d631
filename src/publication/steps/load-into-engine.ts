import type { PublicationContext } from '../context.js';
import type { PlannedImage } from '../plan.js';

/** Without `push`: the image is built and loaded into the engine under its local tags. Nothing reaches the registry. */
export async function loadIntoEngine(
  context: PublicationContext,
  image: PlannedImage,
): Promise<PlannedImage> {
  await context.writer.load();
  return image;
}
