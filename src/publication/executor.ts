import { TagTaken, tagTaken } from '../errors.js';
import { Result } from '../names.js';
import type { PublicationContext, Written } from './context.js';
import { PartsMissing } from './parts-missing.js';
import { digestHeld, samePlan, type Plan, type Write } from './plan.js';
import { lookUpBoth, requireThisCommit } from './readings.js';
import { STEPS, type Step } from './steps/index.js';
import { shaRef, versionRef, type TagState } from '../image/tags.js';

// The one executor: carries out a plan's writes in order through their steps, proves both
// tags after the last, and when another run took an object first, reads the registry again
// and carries out the new plan, never building twice. With platform parts, a job that finds
// parts missing after its own ends there: `part-pushed`.

/** What carrying out a plan ended with. */
export interface Outcome {
  result: Result;
  /** What both tags name (`part-pushed`: this job's part); none when nothing reached the registry. */
  digest?: string;
  reason: string;
  /** `part-pushed`: the platforms whose parts are not in the registry yet. */
  missing?: string[];
}

/** How many times a run plans, when other runs keep taking its objects first. */
export const MAX_PLANS = 4;
/** How long a run that saw another run of its commit interleave waits before its last look. */
export const SETTLE_MS = 2000;

/**
 * Carries out `first`; when another run takes an object first (TagTaken), reads the registry
 * again (`readAgain`) and carries out the new plan. The other run's image may be this commit's
 * (two re-runs of one commit), so the run converges instead of failing. The refusal stands
 * when the new plan would build what this run built (its image or part went unpublished: never
 * build twice), or is the plan just tried (the registry did not move: a policy refused the
 * write). With platform parts, a job that finds parts missing ends with `part-pushed`.
 * `steps` names the step of each kind the plans write: STEPS, or more where kinds were added.
 */
export async function publish(
  first: Plan,
  context: PublicationContext,
  readAgain: () => Promise<Plan>,
  steps: Readonly<Record<string, Step>> = STEPS,
): Promise<Outcome> {
  let plan = first;
  // The parts this run has started to build: a new plan must not build them again.
  const started = new Set<string>();
  for (let attempt = 1; ; attempt++) {
    try {
      return { ...(await carryOut(plan, context, started, steps)), reason: plan.reason };
    } catch (error) {
      if (error instanceof PartsMissing) return partPushed(error, context);
      if (!(error instanceof TagTaken) || attempt === MAX_PLANS) throw error;
      const { reference, digest } = error.taken;
      context.log(
        `${reference} was taken by another run${digest ? ` (${digest})` : ''}. Reading the registry again.`,
      );
      const next = await readAgain();
      if (rebuilds(next, started) || samePlan(next, plan)) throw error;
      plan = next;
      context.log(plan.reason);
    }
  }
}

/** The part a write builds, if it builds one (the image is never built twice: see rebuilds). */
function partBuiltBy(write: Write): string | undefined {
  return write.step === 'part' ? `part ${write.platform}` : undefined;
}

/**
 * A new plan that would build what this run has built already (its image or part went
 * unpublished: never build twice). A plan that builds the image is one: a run plans again only
 * after an object was taken, and the object a build is for was taken by then. A plan that
 * builds a part this run built is one too.
 */
function rebuilds(next: Plan, started: Set<string>): boolean {
  if (next.image.kind === 'build') return true;
  return next.writes.some((write) => {
    const built = partBuiltBy(write);
    return built !== undefined && started.has(built);
  });
}

/** This job's parts are out, others not yet: the job that pushes the last one publishes. */
function partPushed({ missing, mine }: PartsMissing, context: PublicationContext): Outcome {
  const these = mine.map((part) => `${part.platform} (${part.digest})`).join(', ');
  return {
    result: Result.PartPushed,
    digest: mine[0]?.digest,
    missing,
    reason:
      `This job's part${mine.length > 1 ? 's are' : ' is'} in the registry: ${these}. ` +
      `Still missing: ${missing.join(', ')}. The job that pushes the last part assembles the index and publishes ${versionRef(context.tags)}.`,
  };
}

/** The plan's writes in order; the last one's `settle` proves both tags when a tag was written over or the version tag written. */
async function carryOut(
  plan: Plan,
  context: PublicationContext,
  started: Set<string>,
  steps: Readonly<Record<string, Step>>,
): Promise<Omit<Outcome, 'reason'>> {
  if (plan.writes.length === 0) return { result: Result.AlreadyPublished, digest: digestHeld(plan.image) };
  const wroteVersion = plan.writes.some((write) => write.step === 'version-tag');
  const needsProof = wroteVersion || plan.writes.some((write) => write.repair);
  let image = plan.image;
  for (const [index, write] of plan.writes.entries()) {
    const built = partBuiltBy(write);
    if (built) started.add(built);
    const last = index === plan.writes.length - 1;
    image = await steps[write.step](context, image, write, async (written) =>
      last && needsProof ? prove(written, wroteVersion, context) : written.digest,
    );
  }
  if (plan.writes.some((write) => write.step === 'engine')) return { result: Result.Built };
  const fresh = plan.image.kind !== 'held';
  return { result: fresh ? Result.Pushed : Result.Completed, digest: digestHeld(image) };
}

/**
 * After the last write, on a registry that may let tags be overwritten: the version tag must
 * hold the digest (else another run wrote it meanwhile and the registry is read again), and so
 * must the commit tag. Where another run of this commit pushed the commit tag after this run
 * chose its image, that image is the one published: the version tag this run has just written
 * gives way to it (a version tag this run did not write never does). An image of another
 * commit is never used. Once runs have interleaved, the other may still be writing what it
 * decided before: the run waits a moment and looks again. Returns the digest both tags name.
 */
async function prove(written: Written, wroteVersion: boolean, context: PublicationContext): Promise<string> {
  const { tags, writer } = context;
  let { digest, interleaved } = written;
  if (tags.oneTag) return versionHolds(digest, context);
  let commit = await commitTagOnceVersionHolds(digest, context);
  if (commit.exists && commit.digest !== digest) {
    if (!wroteVersion)
      throw tagTaken(
        `${shaRef(tags)} moved to ${commit.digest} while this run pointed it at ${digest}.`,
        shaRef(tags),
        commit.digest,
      );
    const theirs = await requireThisCommit(commit.digest, digest, context);
    context.log(
      `${shaRef(tags)} now holds another image of this commit (${theirs}), pushed last by another run at the same time (this registry lets tags be overwritten): ` +
        `the commit tag decides, so ${versionRef(tags)} gives way to it.`,
    );
    digest = theirs;
    await writer.copy(digest, versionRef(tags));
    interleaved = true;
  } else if (!commit.exists) {
    context.log(`${shaRef(tags)} is gone (deleted meanwhile?): pushing it again.`);
    await writer.copy(digest, shaRef(tags));
  }
  if (interleaved) {
    await context.sleep(SETTLE_MS);
    commit = await commitTagOnceVersionHolds(digest, context);
    if (!commit.exists || commit.digest !== digest)
      throw tagTaken(
        `${shaRef(tags)} moved again while the runs settled (${commit.exists ? commit.digest : 'gone'}).`,
        shaRef(tags),
        commit.exists ? commit.digest : undefined,
      );
  }
  context.log(`${versionRef(tags)} and ${shaRef(tags)} -> ${digest}`);
  return digest;
}

/** With one tag, the proof is the version tag holding the image pushed (one look-up). */
async function versionHolds(published: string, context: PublicationContext): Promise<string> {
  const version = await context.registry.lookUp(context.tags.version);
  if (!version.exists || version.digest !== published)
    throw tagTaken(
      `${versionRef(context.tags)} points at ${version.exists ? version.digest : 'nothing'} after the push, not at ${published}: another run wrote it at the same time (this registry lets tags be overwritten).`,
      versionRef(context.tags),
      version.exists ? version.digest : undefined,
    );
  context.log(`${versionRef(context.tags)} -> ${published}`);
  return published;
}

/** Both tags, looked up at once: the version tag must hold `published`; the commit tag is returned. */
async function commitTagOnceVersionHolds(published: string, context: PublicationContext): Promise<TagState> {
  const { version, commit } = await lookUpBoth(context);
  if (!version.exists || version.digest !== published)
    throw tagTaken(
      `${versionRef(context.tags)} points at ${version.exists ? version.digest : 'nothing'} after the push, not at ${published}: another run wrote it at the same time (this registry lets tags be overwritten).`,
      versionRef(context.tags),
      version.exists ? version.digest : undefined,
    );
  return commit;
}
