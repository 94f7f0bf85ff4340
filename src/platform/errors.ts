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

/** The disk (or the user's quota) is full: what could not be written is named. */
export class DiskFullError extends SprintBudgetError {
  constructor(path: string) {
    super(`disk full: cannot write ${path}`);
  }
}

/** Whether `err` says the disk or the quota is full (a system error, or SQLite's). */
export function isDiskFull(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL';
}

/** `err` as a DiskFullError naming the file (the system's error names it; `path` otherwise), or null when the disk is not full. */
export function diskFull(err: unknown, path: string): DiskFullError | null {
  if (!isDiskFull(err)) return null;
  const named = (err as NodeJS.ErrnoException).path;
  return new DiskFullError(typeof named === 'string' ? named : path);
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** The first line of an error's message: what a one-line report carries. */
export function firstLine(err: unknown): string {
  return errorMessage(err).split('\n')[0] || 'unknown error';
}
