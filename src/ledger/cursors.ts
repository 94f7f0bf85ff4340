/** How far each transcript file has been read: identity, size, offset of the last whole line. */
import type { Cursor } from '../transcripts/file-reader';
import type { Ledger } from './db';

export function getCursor(l: Ledger, path: string): Cursor | null {
  return (l.stmt('SELECT path, dev, ino, size, offset, lines, tail, mtime_ms AS mtimeMs FROM cursors WHERE path = ?').get(path) as Cursor | undefined) ?? null;
}

export function getCursors(l: Ledger): Map<string, Cursor> {
  const rows = l.stmt('SELECT path, dev, ino, size, offset, lines, tail, mtime_ms AS mtimeMs FROM cursors').all() as Cursor[];
  return new Map(rows.map((c) => [c.path, c]));
}

/** The file is read again from its start next time (its lines passed over may count now). */
export function forgetCursor(l: Ledger, path: string): void {
  l.stmt('DELETE FROM cursors WHERE path = ?').run(path);
}

/**
 * Stores a file's cursor. A concurrent reader may have gone further in the same file: its cursor is
 * never moved back, unless this read started over (`reset`: the file was truncated or rewritten).
 */
export function putCursor(l: Ledger, c: Cursor, reset: boolean, now: number): void {
  l.stmt(
    `INSERT INTO cursors (path, dev, ino, size, offset, lines, tail, mtime_ms, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (path) DO UPDATE SET dev = excluded.dev, ino = excluded.ino, size = excluded.size,
       offset = excluded.offset, lines = excluded.lines, tail = excluded.tail, mtime_ms = excluded.mtime_ms,
       updated_at = excluded.updated_at
     WHERE ? OR cursors.dev <> excluded.dev OR cursors.ino <> excluded.ino OR excluded.offset >= cursors.offset`,
  ).run(c.path, c.dev, c.ino, c.size, c.offset, c.lines, c.tail, c.mtimeMs, now, reset ? 1 : 0);
}
