import { RegistryError, UserError } from '../../errors.js';
import type { PublicationContext } from '../context.js';
import { PartsMissing } from '../parts-missing.js';
import {
  assembleIndex,
  isOfPlatform,
  partRef,
  partTag,
  type PartDescriptor,
  type Parts,
} from '../../image/parts.js';
import type { PlannedImage, Write } from '../plan.js';
import { FIND_OUT, foreignPart, unsignedImage } from '../refusals.js';
import type { Tags } from '../../image/tags.js';
import { signBeforeTag, signs } from './signature.js';
import { identitiesOf } from '../../signing/signatures.js';

/** What a part is signed for: its own tag, and both tags of the index it will be in. */
export function partIdentities(tags: Tags, platform: string): string[] {
  return [partRef(tags, platform), ...identitiesOf(tags)];
}

/**
 * One platform's part of the index, built natively by this job and pushed under its part tag,
 * unless another run of this job pushed it while this one built (a part tag is never
 * overwritten: theirs is kept). It changes nothing in what the run publishes: the index comes after.
 */
export async function writePart(
  context: PublicationContext,
  image: PlannedImage,
  write: Write,
): Promise<PlannedImage> {
  const { tags, registry, writer, phase, log } = context;
  const platform = write.platform;
  if (!platform) throw new Error('A part step without a platform.');
  const tag = partTag(tags.sha, platform);
  const reference = partRef(tags, platform);
  await writer.prepare();
  const built = await writer.build(platform);
  return phase(`Push the ${platform} part`, async () => {
    const meanwhile = await registry.read(tag);
    if (meanwhile.exists) {
      if (meanwhile.revision !== tags.sha) throw foreignPart(meanwhile, platform, tags);
      log(
        `${reference} was pushed by another run of this job while this one was building (${meanwhile.digest}): it is kept.`,
      );
    } else if (signs(context)) {
      // Signed before its tag names it, for its part tag and for both tags of the index it will
      // be in: the job that assembles the index then has nothing to add to this .sig.
      const staged = await writer.stage(built);
      await signBeforeTag(context, staged, [], partIdentities(tags, platform));
      const digest = await writer.pushStaged(staged, reference);
      context.pushed(digest);
      log(`${reference} -> ${digest}`);
    } else {
      const digest = await writer.push(built, reference);
      context.pushed(digest);
      log(`${reference} -> ${digest}`);
    }
    return image;
  }).finally(() => writer.discard(built));
}

/**
 * The index of every part, read now (after this job's own pushes). Every part there must be
 * this commit's image of the platform its tag names, whichever job pushed it; then, when one
 * is not there yet, PartsMissing. This job's own parts must read back: a registry that does
 * not show a part just pushed is not trusted to say what is missing.
 */
export async function indexOfParts(context: PublicationContext, parts: Parts): Promise<Buffer> {
  const { tags } = context;
  const held = await context.registry.readParts();
  const entries = parts.all.flatMap((platform): PartDescriptor[] => {
    const part = held[platform];
    if (!part?.exists) return [];
    const reference = partRef(tags, platform);
    if (part.revision !== tags.sha) throw foreignPart(part, platform, tags);
    if (part.signed === false) throw unsignedImage(`${reference} (the ${platform} part)`, part.digest);
    if (!part.descriptor)
      throw new UserError(
        `${reference} (${part.digest}) is not one platform's image (an index?): a part is a single image manifest. ` +
          FIND_OUT,
      );
    if (!isOfPlatform(part.descriptor, platform)) {
      const { os, architecture, variant } = part.descriptor.platform;
      throw new UserError(
        `${reference} (${part.digest}) holds an image of ${[os, architecture, variant].filter(Boolean).join('/')}, not of ${platform}. ` +
          FIND_OUT,
      );
    }
    return [part.descriptor];
  });
  const missing = parts.all.filter((platform) => !held[platform]?.exists);
  const lost = parts.mine.filter((platform) => missing.includes(platform));
  if (lost.length > 0)
    throw new RegistryError(
      `${lost.map((platform) => partRef(tags, platform)).join(', ')} ${lost.length > 1 ? 'were' : 'was'} pushed by this run, but the registry reads ${lost.length > 1 ? 'them' : 'it'} back absent (a cache in front of it, or deleted meanwhile?). ` +
        'Nothing more was written; run the job again.',
    );
  if (missing.length > 0) {
    // Every part of this job is there (else `lost` above).
    const mine = parts.mine.flatMap((platform) => {
      const part = held[platform];
      return part?.exists ? [{ platform, digest: part.digest }] : [];
    });
    throw new PartsMissing(missing, mine);
  }
  return assembleIndex(entries, parts.annotations);
}
