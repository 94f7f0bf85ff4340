/**
 * Errors that carry their exit code. Entry points turn them into one line on stderr: exit 1 is a
 * negative answer (not found, nothing to do), exit 2 is an error (docs/spec.md, "Exit codes").
 */
export class SprintBudgetError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 2,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad arguments or input the user can fix. */
export class UsageError extends SprintBudgetError {}

/** A negative answer: nothing matched. */
export class NotFoundError extends SprintBudgetError {
  constructor(message: string) {
    super(message, 1);
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** The first line of an error's message: what a one-line report carries. */
export function firstLine(err: unknown): string {
  return errorMessage(err).split('\n')[0] || 'unknown error';
}
