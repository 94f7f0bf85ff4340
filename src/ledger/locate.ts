/**
 * Where the ledger lives: the nearest `.sprint-budget/ledger.db` above the working directory. A
 * ledger found that way (or made there) is never reached through a symlink: one would put the
 * ledger, and the modes set on it, outside the project. A path the user names is followed.
 */
import { type Stats, existsSync, lstatSync, readlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { SprintBudgetError } from '../platform/errors';

export const LEDGER_DIR = '.sprint-budget';
export const LEDGER_FILE = 'ledger.db';

/** A ledger found (or to be made) in a project is reached through a symlink. */
export class LedgerSymlinkError extends SprintBudgetError {
  constructor(
    /** The ledger's path as found (through the symlink). */
    readonly ledger: string,
    link: string,
  ) {
    super(`${link} is a symlink (to ${readlinkSync(link)}): a ledger found in a project is not followed through one; name it with --db or SPRINT_BUDGET_DB to use it`);
  }
}

function walkUp(start: string, found: (dir: string) => boolean): string | null {
  let dir = resolve(start);
  for (;;) {
    if (found(dir)) return dir;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** What is at `path`, not following a symlink there; refused when it is one (on the way to `ledger`). */
function entry(path: string, ledger: string): Stats | undefined {
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (st?.isSymbolicLink()) throw new LedgerSymlinkError(ledger, path);
  return st;
}

/** Whether `dir` holds a ledger (one look at most levels: they have no `.sprint-budget`); throws when it is reached through a symlink. */
function holdsLedger(dir: string): boolean {
  const ledgerDir = join(dir, LEDGER_DIR);
  const ledger = join(ledgerDir, LEDGER_FILE);
  if (!entry(ledgerDir, ledger)) return false;
  return entry(ledger, ledger)?.isFile() === true;
}

/** The nearest existing ledger at or above `cwd`, or null. */
export function findLedger(cwd: string): string | null {
  const dir = walkUp(cwd, holdsLedger);
  return dir === null ? null : join(dir, LEDGER_DIR, LEDGER_FILE);
}

/** Where a new ledger goes: the git root (a `.git` directory or file), else `cwd` itself. */
export function newLedgerPath(cwd: string): string {
  const root = walkUp(cwd, (d) => existsSync(join(d, '.git'))) ?? resolve(cwd);
  holdsLedger(root);
  return join(root, LEDGER_DIR, LEDGER_FILE);
}

export interface LedgerLocation {
  path: string;
  /** Where the path came from: flag, environment, found by walking up, or new. */
  origin: 'flag' | 'env' | 'found' | 'new';
}

/** `--db` beats `SPRINT_BUDGET_DB` beats walking up; a new ledger goes to the git root. */
export function locateLedger(cwd: string, flag: string | undefined, env: NodeJS.ProcessEnv): LedgerLocation {
  if (flag) return { path: resolve(cwd, flag), origin: 'flag' };
  if (env.SPRINT_BUDGET_DB) return { path: resolve(cwd, env.SPRINT_BUDGET_DB), origin: 'env' };
  const found = findLedger(cwd);
  if (found) return { path: found, origin: 'found' };
  return { path: newLedgerPath(cwd), origin: 'new' };
}

/** The project a ledger belongs to: the directory holding `.sprint-budget/`. */
export function projectOf(ledgerPath: string): string {
  const dir = dirname(ledgerPath);
  return dir.endsWith(LEDGER_DIR) ? dirname(dir) : dir;
}
