/**
 * Not every part of the index is in the registry yet: the job ends with `part-pushed`, and
 * the job that pushes the last part publishes. Carries what the job can report of its own.
 */
export class PartsMissing extends Error {
  constructor(
    readonly missing: string[],
    /** This job's parts: each platform and the digest its tag holds. */
    readonly mine: { platform: string; digest: string }[],
  ) {
    super(`Parts missing: ${missing.join(', ')}`);
    this.name = 'PartsMissing';
  }
}
