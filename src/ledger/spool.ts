/**
 * The spool: an append-only JSONL file beside the ledger that takes what cannot be written now
 * (ledger locked past the timeout, native binding missing). Whoever next opens the ledger drains it;
 * every spooled event is idempotent (keyed), so a drain that is interrupted and repeated is harmless.
 *
 * A drainer takes the spool by renaming it to `spool.<pid>.<taken at>.<n>.draining` (atomic: two
 * drainers never take the same lines). Work a drainer left (it was killed, or could not put events
 * back) is taken over by the next drain as soon as that drainer's process is gone, or when it is very
 * old (its pid may be another process's by then).
 */
import { appendFileSync, linkSync, mkdirSync, readdirSync, renameSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readRegularText } from '../platform/files';

export const SPOOL_FILE = 'spool.jsonl';
const REJECTED_FILE = 'spool.rejected.jsonl';
/** A taken file this old is taken over even if a process with its drainer's pid lives. */
const ABANDONED_MS = 10 * 60_000;
const TAKEN = /^spool\.(\d+)\.(\d+)(?:\.\d+)?\.draining$/;

/** Thrown by an applier for an event that can never be applied: it is set aside, not put back. */
export class RejectedEvent extends Error {}

export function spoolPath(ledgerPath: string): string {
  return join(dirname(ledgerPath), SPOOL_FILE);
}

/** Appends one event as one line with O_APPEND: concurrent writers never interleave within a line. */
export function spoolAppend(ledgerPath: string, event: unknown): void {
  const path = spoolPath(ledgerPath);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  appendFileSync(path, `${JSON.stringify({ ...(event as object), spooled_at: Date.now() })}\n`, { mode: 0o600 });
}

export interface DrainResult {
  applied: number;
  /** Put back, to be tried again. */
  failed: number;
  /** Set aside for a person to read (spool.rejected.jsonl): torn lines, events that can never apply. */
  rejected: number;
  /** False when the deadline came first: the rest waits in the spool. */
  complete: boolean;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A taken file whose drainer is gone (or that is very old): work to take over. */
function abandoned(name: string, now: number): boolean {
  const m = TAKEN.exec(name);
  if (!m) return false;
  const pid = Number(m[1]);
  return pid !== process.pid && (!alive(pid) || now - Number(m[2]) > ABANDONED_MS);
}

let taking = 0;

/** Renames `from` to a name of this drainer's; null when it is gone (another drainer took it). */
function take(dir: string, from: string): string | null {
  const to = join(dir, `spool.${process.pid}.${Date.now()}.${taking++}.draining`);
  try {
    renameSync(join(dir, from), to);
    return to;
  } catch {
    return null;
  }
}

/** Gives back the lines of a taken file that were not applied: the file itself when it is all of them, else a copy. */
function putBack(dir: string, file: string, lines: string[], whole: boolean): void {
  if (whole) {
    try {
      // No byte written: a full disk cannot stop it. Fails when a new spool exists meanwhile.
      linkSync(file, join(dir, SPOOL_FILE));
      unlinkSync(file);
      return;
    } catch {
      // A new spool: append to it.
    }
  }
  // On failure (a full disk) the taken file stays, holding every line; it is taken over once this process is gone.
  appendFileSync(join(dir, SPOOL_FILE), `${lines.join('\n')}\n`, { mode: 0o600 });
  removeTaken(file);
}

function removeTaken(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Already gone.
  }
}

/**
 * Takes the spool and any abandoned work, applies each event, puts back any that fail so they are
 * tried again next time, and sets aside those that never can apply. With a deadline, events not
 * applied by then are put back unapplied.
 */
export function spoolDrain(ledgerPath: string, apply: (event: Record<string, unknown>) => void, deadline?: number): DrainResult {
  const dir = dirname(ledgerPath);
  const now = Date.now();
  const taken: string[] = [];
  const mine = take(dir, SPOOL_FILE);
  if (mine) taken.push(mine);
  for (const name of safeList(dir)) {
    if (!abandoned(name, now)) continue;
    const file = take(dir, name);
    if (file) taken.push(file);
  }

  const result: DrainResult = { applied: 0, failed: 0, rejected: 0, complete: true };
  for (const file of taken) {
    let text: string;
    try {
      text = readRegularText(file);
    } catch (err) {
      // Taken over by another drainer meanwhile: its work now.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    const lines = text.split('\n').filter((line) => line.trim());
    const again: string[] = [];
    const rejected: string[] = [];
    for (const line of lines) {
      if (deadline !== undefined && Date.now() > deadline) {
        result.complete = false;
        again.push(line);
        continue;
      }
      let event: Record<string, unknown>;
      try {
        event = JSON.parse(line) as Record<string, unknown>;
      } catch {
        // A torn line (a writer killed mid-write) cannot be applied; kept for a person to read.
        rejected.push(line);
        continue;
      }
      try {
        apply(event);
        result.applied++;
      } catch (err) {
        (err instanceof RejectedEvent ? rejected : again).push(line);
      }
    }
    if (rejected.length > 0) appendFileSync(join(dir, REJECTED_FILE), `${rejected.join('\n')}\n`, { mode: 0o600 });
    result.failed += again.length;
    result.rejected += rejected.length;
    if (again.length > 0) putBack(dir, file, again, again.length === lines.length);
    else removeTaken(file);
  }
  return result;
}

/** Whether anything waits: the spool, or work a drainer left (one listing of a directory of a few files). */
export function spoolPending(ledgerPath: string): boolean {
  const now = Date.now();
  return safeList(dirname(ledgerPath)).some((name) => name === SPOOL_FILE || abandoned(name, now));
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
