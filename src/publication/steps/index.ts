import type { PublicationContext, Written } from '../context.js';
import type { StepKind, Write } from '../plan.js';
import { writeCommitTag } from './commit-tag.js';
import { loadIntoEngine } from './load-into-engine.js';
import { writePart } from './part.js';
import { writeSignature } from './signature.js';
import { writeVersionTag } from './version-tag.js';

/**
 * Writes one object of the publication from `image` (a digest, or `build`), timing its own
 * phases, and returns what `settle` returns: the digest published. The executor's `settle`
 * proves the whole publication after the last write.
 */
export type Step = (
  context: PublicationContext,
  image: string,
  write: Write,
  settle: (written: Written) => Promise<string>,
) => Promise<string>;

/** Each kind of object the planner names, and the step that writes it. */
export const STEPS: Record<StepKind, Step> = {
  part: writePart,
  'commit-tag': writeCommitTag,
  signature: writeSignature,
  'version-tag': writeVersionTag,
  engine: loadIntoEngine,
};
