// The re-decision loop on its own: publish and the registry's next answer are scripted, so each
// row says what a run does when another run takes its tags first.
import { describe, expect, test } from '@jest/globals';
import { converge, MAX_DECISIONS, type Outcome } from '../../src/converge.js';
import { TagTaken, UserError } from '../../src/errors.js';
import { Result } from '../../src/names.js';
import type { Plan } from '../../src/policy.js';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const build: Plan = { kind: 'build-and-push', reason: 'build' };
const tagVersion = (digest: string): Plan => ({
  kind: 'tag-version',
  digest,
  reason: `tag version ${digest}`,
});
const tagCommit = (digest: string): Plan => ({ kind: 'tag-commit', digest, reason: `tag commit ${digest}` });
const nothing = (digest: string): Plan => ({ kind: 'nothing', digest, reason: `nothing ${digest}` });
const taken = () => new TagTaken('taken. More words.', { reference: 'r/a:v1', digest: B });

/** Runs the loop: `publish` fails with each of `failures` in turn, then succeeds; `next` are the re-decisions. */
async function run(first: Plan, failures: Error[], next: Plan[]) {
  const published: Plan[] = [];
  const log: string[] = [];
  let decided = 0;
  const outcome = converge(first, {
    publish: async (plan): Promise<Outcome> => {
      published.push(plan);
      const failure = failures.shift();
      if (failure) throw failure;
      return { result: Result.Completed, digest: plan.kind === 'build-and-push' ? A : plan.digest };
    },
    decideAgain: async () => {
      const plan = next[decided++];
      if (!plan) throw new Error('decided more often than scripted');
      return plan;
    },
    log: (line) => log.push(line),
  });
  return { outcome: await outcome.catch((error: unknown) => error), published, log, decided: () => decided };
}

describe('converge', () => {
  test('a plan carried out at once: its outcome with its reason, the registry not read again', async () => {
    const { outcome, published, decided } = await run(build, [], []);
    expect(outcome).toEqual({ result: Result.Completed, digest: A, reason: 'build' });
    expect(published).toEqual([build]);
    expect(decided()).toBe(0);
  });

  test.each<[string, Plan, Plan]>([
    ['the version tag was taken by this commit: nothing left to do', tagVersion(A), nothing(B)],
    ['the commit tag was taken: point the version at it', build, tagVersion(B)],
    ['the version tag was taken: add the missing commit tag', tagVersion(A), tagCommit(B)],
  ])('%s', async (_, first, second) => {
    const { outcome, published, log } = await run(first, [taken()], [second]);
    expect(outcome).toEqual({
      result: Result.Completed,
      digest: second.kind === 'build-and-push' ? A : second.digest,
      reason: second.reason,
    });
    expect(published).toEqual([first, second]);
    expect(log).toEqual([
      `r/a:v1 was taken by another run (${B}). Reading the registry again.`,
      second.reason,
    ]);
  });

  test('a tag taken without a digest known is logged without one', async () => {
    const error = new TagTaken('refused', { reference: 'r/a:v1' });
    const { log } = await run(tagVersion(A), [error], [nothing(A)]);
    expect(log[0]).toBe('r/a:v1 was taken by another run. Reading the registry again.');
  });

  test.each<[string, Plan, Plan]>([
    ['the new plan would build: never a second build', tagVersion(A), build],
    [
      'the same kind and digest again: the registry did not move, a policy refused the write',
      tagVersion(A),
      { ...tagVersion(A), reason: 'worded otherwise' },
    ],
  ])('the refusal stands when %s', async (_, first, second) => {
    const error = taken();
    const { outcome, published } = await run(first, [error], [second]);
    expect(outcome).toBe(error);
    expect(published).toEqual([first]);
  });

  test('a plan of another kind on the same digest is followed', async () => {
    const { outcome, published } = await run(tagVersion(A), [taken()], [tagCommit(A)]);
    expect(outcome).toMatchObject({ digest: A, reason: tagCommit(A).reason });
    expect(published).toEqual([tagVersion(A), tagCommit(A)]);
  });

  test('a plan of the same kind on another digest is followed', async () => {
    const { outcome } = await run(tagVersion(A), [taken()], [tagVersion(B)]);
    expect(outcome).toMatchObject({ digest: B });
  });

  test(`gives up after ${MAX_DECISIONS} decisions, with the last refusal`, async () => {
    const errors = Array.from({ length: MAX_DECISIONS }, taken);
    const plans = [tagVersion(B), tagVersion(A), tagVersion(B), tagVersion(A)];
    const { outcome, published, decided } = await run(tagVersion(A), [...errors], plans);
    expect(outcome).toBe(errors[MAX_DECISIONS - 1]);
    expect(published).toHaveLength(MAX_DECISIONS);
    expect(decided()).toBe(MAX_DECISIONS - 1);
  });

  test('any other failure stops the run at once', async () => {
    const error = new UserError('the registry is down');
    const { outcome, decided } = await run(build, [error], []);
    expect(outcome).toBe(error);
    expect(decided()).toBe(0);
  });
});
