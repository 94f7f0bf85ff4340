/**
 * Opening files this plugin did not write (transcripts, their .meta.json, the spool): regular files
 * only. A FIFO would block the opening process until a writer comes, and a device or a directory is
 * no transcript; each is refused with what it is, never read.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync, type Stats, statSync } from 'node:fs';

/** The file is not a regular file: what it is instead. */
export class NotRegularFileError extends Error {
  constructor(readonly kind: string) {
    super(`not a regular file: ${kind}`);
  }
}

function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isDirectory()) return 'a directory';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a file';
}

/** What `path` is when it exists and is not a regular file (`a FIFO`, ...); null for a regular file or nothing. */
export function nonRegularKind(path: string): string | null {
  const st = statSync(path, { throwIfNoEntry: false });
  return st && !st.isFile() ? kindOf(st) : null;
}

// Non-blocking: opening a FIFO returns at once (it would wait for a writer), so fstat can refuse it.
const READ_ONLY = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

/** Opens `path` for reading if it is a regular file (symlinks followed); throws NotRegularFileError otherwise. */
export function openRegular(path: string): { fd: number; st: Stats } {
  const fd = openSync(path, READ_ONLY);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new NotRegularFileError(kindOf(st));
    return { fd, st };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/** A regular file's text (see openRegular). */
export function readRegularText(path: string): string {
  const { fd } = openRegular(path);
  try {
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/** Why a file could not be read, in a few words: `ELOOP: too many symbolic links encountered`, `not a regular file: a FIFO`. */
export function fileErrorReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const message = e instanceof Error ? e.message : String(err);
  // Node's errno messages end with the call and the path (", open '/x'"): the path is said apart.
  const first = message.split('\n')[0] || 'unknown error';
  return e?.syscall ? first.replace(/, \w+ '.*$/, '') : first;
}
