import type { PublicationContext } from '../context.js';
import { lastLook } from '../readings.js';
import { tagRef } from '../../image/tags.js';
import { identitiesOf } from '../../signing/signatures.js';
import { signBeforeTag, signs } from './signature.js';

/**
 * Builds the image and pushes it under `tag`, its first tag (the commit tag, or with one tag
 * the version tag), after a last look that the tag is still free: one another run pushed while
 * this one built is left as it is (TagTaken: the executor reads again). With a key, the image
 * is signed before its tag names it: an unsigned image under a tag is then never one a run
 * with this key pushed. Returns the digest the registry holds.
 */
export async function pushBuild(
  context: PublicationContext,
  tag: string,
  phaseName: string,
): Promise<string> {
  const { tags, writer, phase } = context;
  const reference = tagRef(tags, tag);
  const built = await writer.build();
  try {
    const staged =
      signs(context) &&
      (await phase('Sign before the push', async () => {
        const ready = await writer.stage(built);
        await signBeforeTag(context, ready, ready.platforms, identitiesOf(tags));
        return ready;
      }));
    return await phase(phaseName, async () => {
      await lastLook(
        context,
        tag,
        (theirs) =>
          `${reference} was pushed by another run while this one was building (${theirs}); it was left as it is.`,
      );
      const digest = staged
        ? await writer.pushStaged(staged, reference)
        : await writer.push(built, reference);
      context.pushed(digest);
      return digest;
    });
  } finally {
    await writer.discard(built);
  }
}
