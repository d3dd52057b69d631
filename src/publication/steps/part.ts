import { UserError } from '../../errors.js';
import type { PublicationContext, Written } from '../context.js';
import {
  PartsMissing,
  assembleIndex,
  isOfPlatform,
  partTag,
  type PartDescriptor,
  type Parts,
} from '../parts.js';
import { foreignPart, type Write } from '../plan.js';
import { taken } from '../readings.js';
import { tagRef } from '../tags.js';

/**
 * One platform's part of the index, built natively by this job and pushed under its part tag,
 * unless another run of this job pushed it while this one built (a part tag is never
 * overwritten). It changes nothing in what the run publishes: the index comes after.
 */
export async function writePart(
  context: PublicationContext,
  image: string,
  write: Write,
  settle: (written: Written) => Promise<string>,
): Promise<string> {
  const { tags, registry, writer, phase, log } = context;
  const platform = write.platform;
  if (!platform) throw new Error('A part step without a platform.');
  const tag = partTag(tags.sha, platform);
  const reference = tagRef(tags, tag);
  await writer.prepare();
  const built = await writer.build(platform);
  return phase(`Push the ${platform} part`, async () => {
    const meanwhile = await registry.read(tag);
    if (meanwhile.exists)
      throw taken(
        `${reference} was pushed by another run while this one was building (${meanwhile.digest}); it was left as it is.`,
        reference,
        meanwhile.digest,
      );
    const digest = await writer.push(built, reference);
    context.pushed(digest);
    log(`${reference} -> ${digest}`);
    return settle({ digest: image, interleaved: false });
  }).finally(() => writer.discard(built));
}

/**
 * The index of every part, read now (after this job's own pushes): PartsMissing when one is
 * not there yet. Each part must be this commit's image of the platform its tag names.
 */
export async function indexOfParts(context: PublicationContext, parts: Parts): Promise<Buffer> {
  const { tags } = context;
  const held = await context.registry.readParts();
  const missing = parts.all.filter((platform) => !held[platform]?.exists);
  if (missing.length > 0)
    throw new PartsMissing(
      missing,
      parts.mine.map((platform) => {
        const part = held[platform];
        return { platform, digest: part?.exists ? part.digest : undefined };
      }),
    );
  const entries = parts.all.map((platform): PartDescriptor => {
    const part = held[platform];
    const reference = tagRef(tags, partTag(tags.sha, platform));
    if (!part?.exists) throw new Error(`${reference} vanished between two lines.`);
    if (part.revision !== tags.sha) throw foreignPart(part, platform, tags);
    if (!part.descriptor)
      throw new UserError(
        `${reference} (${part.digest}) is not one platform's image (an index?): a part is a single image manifest. ` +
          'Find out what pushed it; delete it in the registry if it is wrong, then run again.',
      );
    if (!isOfPlatform(part.descriptor, platform)) {
      const { os, architecture, variant } = part.descriptor.platform;
      throw new UserError(
        `${reference} (${part.digest}) holds an image of ${[os, architecture, variant].filter(Boolean).join('/')}, not of ${platform}. ` +
          'Find out what pushed it; delete it in the registry if it is wrong, then run again.',
      );
    }
    return part.descriptor;
  });
  return assembleIndex(entries, parts.annotations);
}
