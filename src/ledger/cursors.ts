/** How far each transcript file has been read: identity, size, offset of the last whole line. */
import type { Ledger } from './db';

export interface Cursor {
  path: string;
  dev: number;
  ino: number;
  size: number;
  /** Byte offset just past the last complete line read. */
  offset: number;
  /** Lines read up to `offset` (for `<path>:<line>` origins). */
  lines: number;
  /** Hex of the bytes just before `offset`: if they change, the file was rewritten in place. */
  tail: string;
}

export function getCursor(l: Ledger, path: string): Cursor | null {
  return (l.stmt('SELECT path, dev, ino, size, offset, lines, tail FROM cursors WHERE path = ?').get(path) as Cursor | undefined) ?? null;
}

export function getCursors(l: Ledger): Map<string, Cursor> {
  const rows = l.stmt('SELECT path, dev, ino, size, offset, lines, tail FROM cursors').all() as Cursor[];
  return new Map(rows.map((c) => [c.path, c]));
}

export function putCursor(l: Ledger, c: Cursor, now: number): void {
  l.stmt(
    `INSERT INTO cursors (path, dev, ino, size, offset, lines, tail, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (path) DO UPDATE SET dev = excluded.dev, ino = excluded.ino, size = excluded.size,
       offset = excluded.offset, lines = excluded.lines, tail = excluded.tail, updated_at = excluded.updated_at`,
  ).run(c.path, c.dev, c.ino, c.size, c.offset, c.lines, c.tail, now);
}
