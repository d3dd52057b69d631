/** A failure the user can act on: its message is shown as it is, as the step's one error. */
export class UserError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UserError';
  }
}

/** One or more inputs are invalid; the message names each of them. */
export class InputError extends UserError {
  constructor(readonly problems: string[]) {
    super(
      problems.length === 1
        ? `Invalid input: ${problems[0]}`
        : `Invalid inputs:\n${problems.map((p) => `- ${p}`).join('\n')}`,
    );
    this.name = 'InputError';
  }
}

/** The registry answered in a way the action cannot act on safely; nothing was written. */
export class RegistryError extends UserError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RegistryError';
  }
}

/**
 * A tag this run meant to write was taken first (the registry refused the write with 403, or
 * the last look before the write found it): the registry's state has moved on, so the run
 * reads it again and decides anew.
 */
export class TagTaken extends UserError {
  constructor(
    message: string,
    /** What was taken: the tag's reference, and the digest found there when the run looked. */
    readonly taken: { reference: string; digest?: string },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TagTaken';
  }
}

/** `reference` taken by another run (holding `digest` when it looked): the run reads again and plans anew. */
export function tagTaken(message: string, reference: string, digest?: string): TagTaken {
  return new TagTaken(message, { reference, digest });
}

/** A tool exited non-zero; `detail` is the end of its output, secrets scrubbed. */
export class ToolError extends UserError {
  constructor(
    readonly command: string,
    readonly exitCode: number,
    readonly detail: string,
  ) {
    super(`\`${command}\` failed with exit code ${exitCode}:\n${detail}`);
    this.name = 'ToolError';
  }
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
