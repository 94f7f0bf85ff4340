/**
 * Reading one transcript file from where it was last left: only appended bytes, whole lines only.
 * A file that shrank, was replaced (new inode) or rewritten in place (the bytes before the cursor
 * changed) is read again from the start; keys make the second reading count nothing twice.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import type { Cursor } from '../ledger/cursors';
import { type TranscriptResponse, scanLines } from './transcript';

const CHUNK = 4 * 1024 * 1024;
/** The bytes before a cursor that must be unchanged for it to stand: a line or more. */
const TAIL = 1024;

let shared: Buffer | undefined;

function buffer(min: number): Buffer {
  if (!shared || shared.length < min) shared = Buffer.allocUnsafe(Math.max(min, CHUNK));
  return shared;
}

export interface FileRead {
  cursor: Cursor;
  /** Nothing changed since the cursor was written: the file was not opened. */
  unchanged: boolean;
  /** Bytes of whole lines read this time (a partial last line is left for next time). */
  bytes: number;
  /** Whether the file was read from the start although a cursor existed. */
  reset: boolean;
}

function tailHash(fd: number, offset: number): string {
  if (offset === 0) return '';
  const n = Math.min(TAIL, offset);
  const b = Buffer.alloc(n);
  readSync(fd, b, 0, n, offset - n);
  return createHash('sha1').update(b).digest('hex');
}

/** Where to resume: the cursor if the file is still the one it describes, else the start. */
function resumePoint(fd: number, prev: Cursor | null, dev: number, ino: number, size: number): { offset: number; lines: number; reset: boolean } {
  if (!prev) return { offset: 0, lines: 0, reset: false };
  const same = prev.dev === dev && prev.ino === ino && size >= prev.offset && tailHash(fd, prev.offset) === prev.tail;
  return same ? { offset: prev.offset, lines: prev.lines, reset: false } : { offset: 0, lines: 0, reset: true };
}

/**
 * Reads the file's new complete lines, calling onResponse for each response found.
 * Returns null when the file does not exist (any more).
 */
export function readNewLines(path: string, prev: Cursor | null, onResponse: (r: TranscriptResponse) => void): FileRead | null {
  const seen = statSync(path, { throwIfNoEntry: false });
  if (!seen) return null;
  if (prev && prev.dev === seen.dev && prev.ino === seen.ino && prev.size === seen.size && prev.mtimeMs === seen.mtimeMs) {
    return { cursor: prev, unchanged: true, bytes: 0, reset: false };
  }
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const st = fstatSync(fd);
    const size = st.size;
    const start = resumePoint(fd, prev, st.dev, st.ino, size);
    let offset = start.offset;
    let lines = start.lines;
    let buf = buffer(CHUNK);
    let filled = 0;
    while (offset + filled < size) {
      if (filled === buf.length) {
        // One line longer than the buffer: grow it, keeping what was read.
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, filled);
        buf = shared = bigger;
      }
      const n = readSync(fd, buf, filled, Math.min(buf.length - filled, size - offset - filled), offset + filled);
      if (n === 0) break;
      filled += n;
      const scan = scanLines(buf, filled, lines, onResponse);
      if (scan.consumed > 0) {
        buf.copy(buf, 0, scan.consumed, filled);
        filled -= scan.consumed;
        offset += scan.consumed;
        lines += scan.lines;
      }
    }
    return {
      cursor: { path, dev: st.dev, ino: st.ino, size, offset, lines, tail: tailHash(fd, offset), mtimeMs: st.mtimeMs },
      unchanged: false,
      bytes: offset - start.offset,
      reset: start.reset,
    };
  } finally {
    closeSync(fd);
  }
}
