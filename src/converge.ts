import { TagTaken } from './errors.js';
import type { Result } from './names.js';
import type { Plan } from './policy.js';

/** What carrying out a plan ended with. */
export interface Outcome {
  result: Result;
  digest: string;
}

export interface Convergence {
  /** Carries out a plan; throws TagTaken when another run took a tag first. */
  publish: (plan: Plan) => Promise<Outcome>;
  /** Reads the registry again and decides anew. */
  decideAgain: () => Promise<Plan>;
  log: (line: string) => void;
}

/** How many times a run decides what to write, when other runs keep taking its tags first. */
export const MAX_DECISIONS = 4;

/**
 * Carries out the plan; when another run takes a tag first, decides again and carries out the
 * new plan. The other run's image may be this commit's (two re-runs of one commit), so the run
 * converges instead of failing, and never rebuilds. The refusal stands when the new plan would
 * build, or is the plan just tried (the registry did not move: a policy refused the write).
 */
export async function converge(
  plan: Plan,
  { publish, decideAgain, log }: Convergence,
): Promise<Outcome & { reason: string }> {
  for (let decision = 1; ; decision++) {
    try {
      return { ...(await publish(plan)), reason: plan.reason };
    } catch (error) {
      if (!(error instanceof TagTaken) || decision === MAX_DECISIONS) throw error;
      const { reference, digest } = error.taken;
      log(
        `${reference} was taken by another run${digest ? ` (${digest})` : ''}. Reading the registry again.`,
      );
      const next = await decideAgain();
      if (next.kind === 'build-and-push' || samePlan(next, plan)) throw error;
      plan = next;
      log(plan.reason);
    }
  }
}

function samePlan(a: Plan, b: Plan): boolean {
  return a.kind === b.kind && digestOf(a) === digestOf(b);
}

function digestOf(plan: Plan): string | undefined {
  return plan.kind === 'build-and-push' ? undefined : plan.digest;
}
