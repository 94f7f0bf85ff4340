/**
 * Reading one transcript file from where it was last left: only appended bytes, whole lines only.
 * A file that shrank, was replaced (new inode) or rewritten in place (the bytes before the cursor
 * changed) is read again from the start; keys make the second reading count nothing twice.
 * Only a regular file is opened (platform/files.ts); the work per line is bounded (a line longer
 * than MAX_LINE_BYTES is passed over, with a note); a deadline is checked between chunks.
 */
import { closeSync, readSync, statSync } from 'node:fs';
import { openRegular } from '../platform/files';
import { type Responses, type SkippedLine, mib, scanLines } from './responses';
import type { Walk } from './walk';

const CHUNK = 256 * 1024;
/**
 * The longest line read whole: a response line is far shorter (an API response's output is
 * bounded), so a longer line is a tool result or an attachment, passed over with a note.
 */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;
/** The bytes before a cursor that must be unchanged for it to stand: a line or more. */
const TAIL = 1024;

/** How far a transcript file has been read: its identity, size, and the offset of the last whole line. */
export interface Cursor {
  path: string;
  dev: number;
  ino: number;
  size: number;
  /** Byte offset just past the last complete line read. */
  offset: number;
  /** Lines read up to `offset` (for `<path>:<line>` origins). */
  lines: number;
  /** Hash of the bytes just before `offset`: if they change, the file was rewritten in place. */
  tail: string;
  /** With dev, ino and size: a file whose four are unchanged has nothing new (it is not even opened). */
  mtimeMs: number;
}

export interface FileRead {
  cursor: Cursor;
  /** Nothing changed since the cursor was written: the file was not opened. */
  unchanged: boolean;
  /** Bytes of whole lines read this time (a partial last line is left for next time). */
  bytes: number;
  /** Whether the file was read from the start although a cursor existed. */
  reset: boolean;
  /** The deadline came before the end of the file: the cursor holds what was read. */
  partial: boolean;
  /** Lines passed over, and why. */
  skipped: SkippedLine[];
}

export interface ReadOptions {
  /** Whether responses carry what is stored of them (see scanLines). */
  detail?: boolean;
  /** Stop between chunks once Date.now() passes this. */
  deadline?: number;
}

/**
 * A 53-bit hash of bytes (cyrb53): it only has to notice that the bytes before a cursor changed,
 * and costs no crypto setup on a path that runs once per file.
 */
function hashBytes(b: Buffer, from: number, to: number): string {
  let h1 = 0xdeadbeef ^ (to - from);
  let h2 = 0x41c6ce57 ^ (to - from);
  for (let i = from; i < to; i++) {
    const c = b[i] as number;
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16);
}

/** The last TAIL bytes before the read position, kept as lines are consumed. */
class Tail {
  readonly bytes = Buffer.allocUnsafe(TAIL);
  length = 0;

  /** Appends consumed bytes, keeping only the last TAIL. */
  push(src: Buffer, from: number, to: number): void {
    const n = to - from;
    // TypedArray's own set and copyWithin: Buffer#copy's argument checks cost more than these copies.
    if (n >= TAIL) {
      this.bytes.set(src.subarray(to - TAIL, to));
      this.length = TAIL;
      return;
    }
    const keep = Math.min(this.length, TAIL - n);
    this.bytes.copyWithin(0, this.length - keep, this.length);
    this.bytes.set(src.subarray(from, to), keep);
    this.length = keep + n;
  }

  /** Loads the bytes before `offset` from the file. */
  load(fd: number, offset: number): void {
    this.length = offset === 0 ? 0 : readSync(fd, this.bytes, 0, Math.min(TAIL, offset), offset - Math.min(TAIL, offset));
  }

  hash(): string {
    return this.length === 0 ? '' : hashBytes(this.bytes, 0, this.length);
  }
}

/** Where to resume: the cursor if the file is still the one it describes, else the start. */
function resumePoint(fd: number, prev: Cursor | null, dev: number, ino: number, size: number, tail: Tail): { offset: number; lines: number; reset: boolean } {
  if (!prev) return { offset: 0, lines: 0, reset: false };
  if (prev.dev === dev && prev.ino === ino && size >= prev.offset) {
    tail.load(fd, prev.offset);
    if (tail.hash() === prev.tail) return { offset: prev.offset, lines: prev.lines, reset: false };
  }
  tail.length = 0;
  return { offset: 0, lines: 0, reset: true };
}

const late = (deadline: number | undefined) => deadline !== undefined && Date.now() > deadline;

/**
 * Passes over the line starting at `offset`, longer than the buffer: its length with its newline,
 * 'open' when its end is not written yet, 'late' when the deadline came first. Its bytes go to `tail`.
 */
function passLongLine(fd: number, buf: Buffer, offset: number, size: number, tail: Tail, deadline: number | undefined): number | 'open' | 'late' {
  for (let at = offset; at < size; ) {
    if (late(deadline)) return 'late';
    const n = readSync(fd, buf, 0, Math.min(buf.length, size - at), at);
    if (n === 0) break;
    const nl = buf.subarray(0, n).indexOf(0x0a);
    if (nl >= 0) {
      tail.push(buf, 0, nl + 1);
      return at + nl + 1 - offset;
    }
    tail.push(buf, 0, n);
    at += n;
  }
  return 'open';
}

/**
 * Reads the file's new complete lines, keeping the responses found in `into`. Returns null when the
 * file does not exist (any more); throws when it cannot be read (NotRegularFileError for a FIFO, a
 * directory, ...; the system's error otherwise).
 */
export function readNewLines(walk: Walk, path: string, prev: Cursor | null, into: Responses, opts: ReadOptions = {}): FileRead | null {
  if (prev) {
    const seen = statSync(path, { throwIfNoEntry: false });
    if (!seen) return null;
    if (prev.dev === seen.dev && prev.ino === seen.ino && prev.size === seen.size && prev.mtimeMs === seen.mtimeMs) {
      return { cursor: prev, unchanged: true, bytes: 0, reset: false, partial: false, skipped: [] };
    }
  }
  let opened: ReturnType<typeof openRegular>;
  try {
    opened = openRegular(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const { fd, st } = opened;
  try {
    const size = st.size;
    const tail = new Tail();
    const start = resumePoint(fd, prev, st.dev, st.ino, size, tail);
    const skipped: SkippedLine[] = [];
    let offset = start.offset;
    let lines = start.lines;
    let partial = false;
    // The walk's own buffer: read straight where the walk reads. It grows (and stays grown) for a line longer than it.
    let buf = walk.buffer(CHUNK);
    let filled = 0;
    while (offset + filled < size) {
      if (late(opts.deadline)) {
        partial = true;
        break;
      }
      if (filled === buf.length) {
        if (buf.length < MAX_LINE_BYTES) {
          // One line longer than the buffer: grow it, keeping what was read.
          buf = walk.buffer(Math.min(buf.length * 2, MAX_LINE_BYTES));
        } else {
          const length = passLongLine(fd, buf, offset, size, tail, opts.deadline);
          if (length === 'late') partial = true;
          if (typeof length !== 'number') break;
          lines++;
          skipped.push({ line: lines, reason: `longer than ${mib(MAX_LINE_BYTES)} (${mib(length)}): not read; any response on it is not counted` });
          offset += length;
          filled = 0;
          continue;
        }
      }
      const n = readSync(fd, buf, filled, Math.min(buf.length - filled, size - offset - filled), offset + filled);
      if (n === 0) break;
      filled += n;
      const scan = scanLines(walk, buf, filled, lines, into, skipped, opts.detail);
      if (scan.consumed > 0) {
        tail.push(buf, 0, scan.consumed);
        buf.copyWithin(0, scan.consumed, filled);
        filled -= scan.consumed;
        offset += scan.consumed;
        lines += scan.lines;
      }
    }
    return {
      // A partial read keeps the size read up to: the file then looks changed, and the next read goes on.
      cursor: { path, dev: st.dev, ino: st.ino, size: partial ? offset : size, offset, lines, tail: tail.hash(), mtimeMs: st.mtimeMs },
      unchanged: false,
      bytes: offset - start.offset,
      reset: start.reset,
      partial,
      skipped,
    };
  } finally {
    closeSync(fd);
  }
}
