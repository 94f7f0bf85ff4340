/**
 * Errors that carry their exit code. Entry points turn them into one line on stderr:
 * exit 1 is a negative answer (not found, nothing to do), exit 2 is an error (SPEC 5).
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

/**
 * The exit code a SprintBudgetError carries, recognised by shape rather than class: the triage
 * command is a bundle of its own, with its own copy of these classes.
 */
export function exitCodeOf(err: unknown): 1 | 2 | null {
  const code = (err as { exitCode?: unknown } | null)?.exitCode;
  return err instanceof Error && (code === 1 || code === 2) ? code : null;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
