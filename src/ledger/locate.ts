/** Where the ledger lives: the nearest `.sprint-budget/ledger.db` above the working directory. */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const LEDGER_DIR = '.sprint-budget';
export const LEDGER_FILE = 'ledger.db';

function walkUp(start: string, found: (dir: string) => boolean): string | null {
  let dir = resolve(start);
  for (;;) {
    if (found(dir)) return dir;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** The nearest existing ledger at or above `cwd`, or null. */
export function findLedger(cwd: string): string | null {
  const dir = walkUp(cwd, (d) => isFile(join(d, LEDGER_DIR, LEDGER_FILE)));
  return dir === null ? null : join(dir, LEDGER_DIR, LEDGER_FILE);
}

/** Where a new ledger goes: the git root (a `.git` directory or file), else `cwd` itself. */
export function newLedgerPath(cwd: string): string {
  const root = walkUp(cwd, (d) => existsSync(join(d, '.git'))) ?? resolve(cwd);
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

function isFile(p: string): boolean {
  return statSync(p, { throwIfNoEntry: false })?.isFile() === true;
}
