/**
 * Who calls and in which project: the ledger a command works on (located, opened, the spool
 * drained), and the facts about the caller every decision records.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type Ledger, ledgerFailure, openLedger } from '../ledger/db';
import { locateLedger } from '../ledger/locate';
import { type DrainResult, spoolDrain, spoolPending } from '../ledger/spool';
import { actorName, claudeSessionId } from '../platform/env';
import { NotFoundError } from '../platform/errors';
import { applySpooled } from './spooled';

/** A command's caller: where it runs, which ledger it named, its environment. */
export interface Caller {
  cwd: string;
  /** `--db`: the ledger file, instead of the one found from `cwd`. */
  db?: string | undefined;
  env: NodeJS.ProcessEnv;
}

/** The Claude Code session the caller runs in, if any. */
export function callerSession(caller: Caller): string | null {
  return claudeSessionId(caller.env);
}

/** Who the caller is, for the sprint's history. */
export function callerActor(caller: Caller): string {
  return actorName(caller.env);
}

/** Opens the project's ledger (creating it only with `create`) and applies what waited in its spool. */
export function openProjectLedger(caller: Caller, opts: { create?: boolean } = {}): Ledger {
  const loc = locateLedger(caller.cwd, caller.db, caller.env);
  if (loc.origin === 'new' && !opts.create) {
    throw new NotFoundError(`no sprint-budget ledger at or above ${caller.cwd} (start a sprint: sprint-budget create "<title>")`);
  }
  const l = openLedger(loc.path, { create: opts.create === true });
  try {
    if (loc.origin === 'new') ignoreLedgerDir(dirname(loc.path));
    drainSpool(l);
  } catch (err) {
    l.close();
    throw ledgerFailure(l.path, err);
  }
  return l;
}

/** The ledger folder made at a project's root carries its own `.gitignore`, so it is never committed by accident. */
function ignoreLedgerDir(dir: string): void {
  try {
    writeFileSync(join(dir, '.gitignore'), '# sprint-budget: the ledger and its spool are local to this machine.\n*\n', { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

/** Runs `fn` on the project's ledger, closed afterwards whatever happens; its failures as ledgerFailure reports them. */
export function inProject<T>(caller: Caller, opts: { create?: boolean }, fn: (l: Ledger) => T): T {
  const l = openProjectLedger(caller, opts);
  try {
    return fn(l);
  } catch (err) {
    throw ledgerFailure(l.path, err);
  } finally {
    l.close();
  }
}

/**
 * Applies what waited in the ledger's spool, or was left by a drainer that is gone (cheap when
 * nothing does: one listing of the ledger's directory). With a deadline, what is not applied by then
 * waits (the result says so); null when nothing waited.
 */
export function drainSpool(l: Ledger, deadline?: number): DrainResult | null {
  return spoolPending(l.path) ? spoolDrain(l.path, (event) => applySpooled(l, event), deadline) : null;
}
