import type { PublicationContext, Written } from '../context.js';

/** Without `push`: the image is built and loaded into the engine under its local tags. Nothing reaches the registry. */
export async function loadIntoEngine(
  context: PublicationContext,
  image: string,
  _write: unknown,
  settle: (written: Written) => Promise<string>,
): Promise<string> {
  await context.writer.load();
  return settle({ digest: image, interleaved: false });
}
