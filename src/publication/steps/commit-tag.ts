import type { PublicationContext, Written } from '../context.js';
import type { Write } from '../plan.js';
import { taken } from '../readings.js';
import { shaRef } from '../tags.js';

/**
 * The image (or index) under the commit tag. Built and pushed when no image of this commit is
 * in the registry (unless another run of this commit pushed the tag while this one built: a
 * commit tag is never overwritten); else a copy inside the registry of the image published.
 */
export async function writeCommitTag(
  context: PublicationContext,
  image: string,
  write: Write,
  settle: (written: Written) => Promise<string>,
): Promise<string> {
  const { tags, registry, writer, phase } = context;
  // skopeo is made ready, and logs in while the image builds; a refusal or a re-run with
  // nothing to write never gets this far.
  await writer.prepare();
  if (image !== 'build')
    return phase('Push the commit tag', async () => {
      await writer.copy(image, shaRef(tags));
      // A repair means runs interleaved: the other may still be writing.
      return settle({ digest: image, interleaved: write.repair === true });
    });
  const built = await writer.build();
  return phase('Push the commit tag', async () => {
    const meanwhile = await registry.read(tags.sha);
    if (meanwhile.exists)
      throw taken(
        `${shaRef(tags)} was pushed by another run while this one was building (${meanwhile.digest}); it was left as it is.`,
        shaRef(tags),
        meanwhile.digest,
      );
    const digest = await writer.push(built, shaRef(tags));
    context.pushed(digest);
    return settle({ digest, interleaved: false });
  }).finally(() => writer.discard(built));
}
