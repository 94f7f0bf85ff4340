/**
 * What could not be read: a transcript file (line 0 in the table: the whole file, retried on every
 * read until it reads) or one line of it (passed over for good). Noted once per path and line,
 * with the last reason; told to the user once (`reported_at`), shown by `state` and `ingest`.
 */
import type { Ledger } from './db';

export interface UnreadNote {
  path: string;
  /** Null: the whole file. */
  line: number | null;
  reason: string;
}

export interface StoredUnreadNote extends UnreadNote {
  /** When it was first noted (epoch ms). */
  since: number;
}

interface Row {
  path: string;
  line: number;
  reason: string;
  first_at: number;
}

const toNote = (r: Row): StoredUnreadNote => ({ path: r.path, line: r.line === 0 ? null : r.line, reason: r.reason, since: r.first_at });

/** Notes (or notes again) what could not be read. Call inside a write transaction. */
export function putUnread(l: Ledger, notes: readonly UnreadNote[], now: number): void {
  const stmt = l.stmt(
    `INSERT INTO unread (path, line, reason, first_at, last_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (path, line) DO UPDATE SET reason = excluded.reason, last_at = excluded.last_at`,
  );
  for (const n of notes) stmt.run(n.path, n.line ?? 0, n.reason, now, now);
}

/** The files noted as unreadable (line 0). */
export function unreadFiles(l: Ledger): Set<string> {
  const rows = l.stmt('SELECT path FROM unread WHERE line = 0').all() as { path: string }[];
  return new Set(rows.map((r) => r.path));
}

/** The file read: its whole-file note goes. Call inside a write transaction. */
export function clearUnreadFile(l: Ledger, path: string): void {
  l.stmt('DELETE FROM unread WHERE path = ? AND line = 0').run(path);
}

/** The file is read again from its start: the notes of its lines are made again as it is read. */
export function clearUnreadLines(l: Ledger, path: string): void {
  l.stmt('DELETE FROM unread WHERE path = ? AND line > 0').run(path);
}

/** The notes about these files, oldest first. */
export function unreadOf(l: Ledger, paths: ReadonlySet<string>): StoredUnreadNote[] {
  const rows = l.stmt('SELECT path, line, reason, first_at FROM unread ORDER BY first_at, path, line').all() as Row[];
  return rows.filter((r) => paths.has(r.path)).map(toNote);
}

/** The notes about these files not told to the user yet, marked as told now. */
export function takeUnreported(l: Ledger, paths: ReadonlySet<string>, now: number): StoredUnreadNote[] {
  const pending = () =>
    (l.stmt('SELECT path, line, reason, first_at FROM unread WHERE reported_at IS NULL ORDER BY first_at, path, line').all() as Row[]).filter((r) => paths.has(r.path));
  // Most runs have nothing to tell: no write lock for them. Told once: marked under the lock.
  if (pending().length === 0) return [];
  return l.write(() => {
    const mine = pending();
    const mark = l.stmt('UPDATE unread SET reported_at = ? WHERE path = ? AND line = ?');
    for (const r of mine) mark.run(now, r.path, r.line);
    return mine.map(toNote);
  });
}
