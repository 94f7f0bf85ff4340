/**
 * The spool: an append-only JSONL file beside the ledger that takes what cannot be written now
 * (ledger locked past the timeout, native binding missing). Whoever next opens the ledger drains it;
 * every spooled event is idempotent (keyed), so a drain that is interrupted and repeated is harmless.
 */
import { appendFileSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const SPOOL_FILE = 'spool.jsonl';
/** A `.draining` file older than this was left by a drainer that died; it is taken over. */
const STALE_DRAIN_MS = 60_000;

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
  failed: number;
}

/**
 * Takes the spool (an atomic rename, so two drainers never take the same lines), applies each
 * event, and puts back any that fail so they are tried again next time.
 */
export function spoolDrain(ledgerPath: string, apply: (event: Record<string, unknown>) => void): DrainResult {
  const dir = dirname(ledgerPath);
  const taken: string[] = [];
  const mine = join(dir, `spool.${process.pid}.${Date.now()}.draining`);
  try {
    renameSync(join(dir, SPOOL_FILE), mine);
    taken.push(mine);
  } catch {
    // No spool, or another process took it.
  }
  for (const name of safeList(dir)) {
    if (!name.endsWith('.draining')) continue;
    const p = join(dir, name);
    if (p === mine) continue;
    try {
      if (Date.now() - statSync(p).mtimeMs < STALE_DRAIN_MS) continue;
      const again = join(dir, `spool.${process.pid}.${Date.now()}.${taken.length}.draining`);
      renameSync(p, again);
      taken.push(again);
    } catch {
      // Gone meanwhile: its drainer finished.
    }
  }

  const result: DrainResult = { applied: 0, failed: 0 };
  for (const file of taken) {
    const putBack: string[] = [];
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      let event: Record<string, unknown>;
      try {
        event = JSON.parse(line) as Record<string, unknown>;
      } catch {
        // A torn line (a writer killed mid-write) cannot be applied; keep it for a person to read.
        appendFileSync(join(dir, 'spool.rejected.jsonl'), `${line}\n`, { mode: 0o600 });
        result.failed++;
        continue;
      }
      try {
        apply(event);
        result.applied++;
      } catch {
        putBack.push(line);
        result.failed++;
      }
    }
    if (putBack.length > 0) appendFileSync(join(dir, SPOOL_FILE), `${putBack.join('\n')}\n`, { mode: 0o600 });
    unlinkSync(file);
  }
  return result;
}

/** Whether anything waits in the spool (cheap: one stat). */
export function spoolPending(ledgerPath: string): boolean {
  return (statSync(spoolPath(ledgerPath), { throwIfNoEntry: false })?.size ?? 0) > 0;
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
