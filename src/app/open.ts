/** Opening the project's ledger for a command: locate it, open it, drain what the spool holds. */
import { NotFoundError } from '../lib/errors';
import { type Ledger, openLedger } from '../ledger/db';
import { locateLedger } from '../ledger/locate';
import { spoolDrain, spoolPending } from '../ledger/spool';
import { applySpooled } from './spooled';

export interface OpenRequest {
  cwd: string;
  db?: string | undefined;
  env: NodeJS.ProcessEnv;
  /** Create the ledger when this project has none (only `create` does). */
  create?: boolean;
}

export function openProjectLedger(req: OpenRequest): Ledger {
  const loc = locateLedger(req.cwd, req.db, req.env);
  if (loc.origin === 'new' && !req.create) {
    throw new NotFoundError(`no sprint-budget ledger at or above ${req.cwd} (start a sprint: sprint-budget create "<title>")`);
  }
  const l = openLedger(loc.path, { create: req.create === true });
  drainSpool(l);
  return l;
}

/** Applies what waited in the ledger's spool (cheap when nothing does: one stat). */
export function drainSpool(l: Ledger): void {
  if (spoolPending(l.path)) spoolDrain(l.path, (event) => applySpooled(l, event));
}
