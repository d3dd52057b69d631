import type { PublicationContext, Written } from '../context.js';
import type { StepKind } from '../kinds.js';
import type { Plan, PlannedImage, Write } from '../plan.js';
import type { ToolNeeds } from '../../tools/job-image.js';
import { writeBundle } from './bundle.js';
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
  bundle: writeBundle,
  'version-tag': writeVersionTag,
  engine: loadIntoEngine,
};

/**
 * The tools a plan's writes run: buildx for what is built (the image, a part, the engine's
 * image), skopeo for what is pushed or copied (the version tag's copy too: it prepares skopeo,
 * which logs in). An index of parts and a signature (or bundle) are written by the action's own client; a
 * plan with nothing to write needs neither.
 */
export function toolsFor(plan: Plan): ToolNeeds {
  const built = plan.image.kind === 'build';
  // With one tag (no commit tag to write) the version tag's step builds.
  const first = plan.writes.some((write) => write.step === 'commit-tag') ? 'commit-tag' : 'version-tag';
  const builds = (write: Write) =>
    write.step === 'engine' || write.step === 'part' || (write.step === first && built);
  const pushes = (write: Write) =>
    write.step === 'part' ||
    write.step === 'version-tag' ||
    (write.step === 'commit-tag' && plan.image.kind !== 'assemble');
  return { buildx: plan.writes.some(builds), skopeo: plan.writes.some(pushes) };
}
