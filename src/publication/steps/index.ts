import type { PublicationContext, Written } from '../context.js';
import type { StepKind } from '../kinds.js';
import type { PlannedImage, Write } from '../plan.js';
import { writeCommitTag } from './commit-tag.js';
import { loadIntoEngine } from './load-into-engine.js';
import { writePart } from './part.js';
import { writeSignature } from './signature.js';
import { writeVersionTag } from './version-tag.js';

/**
 * Writes one object of the publication from `image` (held, or still to be built or assembled),
 * timing its own phases, and returns the image the next step writes from: held at the digest
 * `settle` returns once the image is in the registry. The executor's `settle` proves the whole
 * publication after the last write.
 */
export type Step = (
  context: PublicationContext,
  image: PlannedImage,
  write: Write,
  settle: (written: Written) => Promise<string>,
) => Promise<PlannedImage>;

/** Each kind of the table (kinds.ts), and the step that writes it. */
export const STEPS: Record<StepKind, Step> = {
  part: writePart,
  'commit-tag': writeCommitTag,
  signature: writeSignature,
  'version-tag': writeVersionTag,
  engine: loadIntoEngine,
};
