/**
 * Opening the ledger: one SQLite file in WAL mode with a generous busy timeout, foreign keys on,
 * file mode 0600, migrated under a transaction after a backup copy.
 *
 * A damaged ledger is never written further: after an unclean shutdown (a write-ahead log left
 * behind and idle) its integrity is checked before anything else; damage found then, or by SQLite
 * at any time, is marked beside it (`ledger.db.damaged`), and every later open refuses it with one
 * line naming the way to recover (`sprint-budget doctor` says how: the newest backup restored by hand).
 */
import { chmodSync, closeSync, constants, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, statfsSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { type Db, type Statement, openSqlite, requireBinding } from '../install/binding';
import { DiskFullError, SprintBudgetError, diskFull, firstLine } from '../platform/errors';
import { MIGRATIONS, SCHEMA_VERSION } from './schema';

export const BUSY_TIMEOUT_MS = 10_000;

export class LedgerError extends SprintBudgetError {}

/** The ledger stayed locked past the busy timeout. */
export class LedgerBusyError extends LedgerError {}

/** The ledger is damaged: it is left as it is, and nothing more is written to it. */
export class LedgerDamagedError extends LedgerError {}

/** Beside a damaged ledger: why it was found damaged, and when. */
export function damagedMarker(path: string): string {
  return `${path}.damaged`;
}

/** A write-ahead log idle this long at open was left by a process that did not close the ledger. */
const UNCLEAN_AFTER_MS = 60_000;

function isDamage(err: unknown): boolean {
  const code = sqliteCode(err);
  return code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB' || code?.startsWith('SQLITE_CORRUPT_') === true;
}

/** Why the ledger was found damaged (the mark beside it), or null when it was not. */
export function damagedReason(path: string): string | null {
  return existsSync(damagedMarker(path)) ? firstLine(readFileSync(damagedMarker(path), 'utf8')) : null;
}

/** The newest automatic backup beside the ledger (`ledger.db.*.bak`), or null. */
export function newestBackup(path: string): string | null {
  const dir = dirname(path);
  let backups: string[] = [];
  try {
    backups = readdirSync(dir).filter((f) => f.startsWith(`${basename(path)}.`) && f.endsWith('.bak'));
  } catch {
    return null;
  }
  const newest = backups.map((f) => ({ f, at: statSync(join(dir, f)).mtimeMs })).sort((a, b) => b.at - a.at)[0];
  return newest ? join(dir, newest.f) : null;
}

export interface Restored {
  /** The backup now in the ledger's place. */
  backup: string;
  /** Where the damaged ledger (and its -wal, -shm) was kept. */
  aside: string;
}

/**
 * Puts the newest automatic backup in the place of a ledger marked damaged; the damaged files are
 * kept beside it, renamed, never deleted. Null when the ledger is not marked or there is no backup.
 */
export function restoreDamagedLedger(path: string, now: number = Date.now()): Restored | null {
  const backup = newestBackup(path);
  if (!backup || damagedReason(path) === null) return null;
  const aside = `${path}.damaged-${new Date(now).toISOString().replace(/[:.]/g, '-')}`;
  for (const suffix of ['', '-wal', '-shm']) if (existsSync(path + suffix)) renameSync(path + suffix, aside + suffix);
  copyFileSync(backup, path, constants.COPYFILE_EXCL);
  chmodSync(path, 0o600);
  unlinkSync(damagedMarker(path));
  return { backup, aside };
}

/** Where to find how to recover a damaged ledger: the doctor, and the newest automatic backup beside it. */
function recovery(path: string): string {
  const backup = newestBackup(path);
  return `sprint-budget doctor says how to recover it${backup ? ` from the backup ${backup} (doctor --fix puts it in place)` : ''}`;
}

function damaged(path: string, why: string): LedgerDamagedError {
  return new LedgerDamagedError(`ledger ${path} is damaged (${why}); it is left as it is and nothing more is written to it; ${recovery(path)}`);
}

/** Marks the ledger damaged (once: the first reason stays) and says so. */
function markDamaged(path: string, why: string): LedgerDamagedError {
  try {
    writeFileSync(damagedMarker(path), `${why}\n${new Date().toISOString()}\n`, { flag: 'wx', mode: 0o600 });
  } catch {
    // Marked already, or the mark cannot be written: the next open checks again.
  }
  return damaged(path, why);
}

/**
 * An error met while working on the ledger at `path`, as it is to be reported: damage SQLite found
 * is marked (nothing more is written) and said with the way to recover; a full disk names the file.
 */
export function ledgerFailure(path: string, err: unknown): unknown {
  if (isDamage(err)) return markDamaged(path, firstLine(err));
  // SQLite says "disk I/O error" when its shared-memory file cannot grow: the file system says why.
  if (sqliteCode(err)?.startsWith('SQLITE_IOERR') && noSpaceLeft(dirname(path))) return new DiskFullError(path);
  return diskFull(err, path) ?? err;
}

function noSpaceLeft(dir: string): boolean {
  try {
    return statfsSync(dir).bavail === 0;
  } catch {
    return false;
  }
}

/**
 * A check of every page, through a read-only connection: one that writes would copy the log into a
 * damaged file when it closes. Throws when the ledger is damaged.
 */
function checkIntegrity(path: string): void {
  let found: unknown;
  try {
    const db = openSqlite(path, { readonly: true, fileMustExist: true });
    try {
      found = db.pragma('quick_check(1)', { simple: true });
    } finally {
      db.close();
    }
  } catch (err) {
    if (isDamage(err)) throw markDamaged(path, firstLine(err));
    // Not checked (the log cannot be read without writing): the open goes on, and SQLite meets any damage.
    return;
  }
  if (found !== 'ok') throw markDamaged(path, `integrity check after an unclean shutdown: ${String(found).replace(/\s+/g, ' ')}`);
}

/** Whether the ledger's last writer left without closing it: its write-ahead log is there, and idle. */
function uncleanShutdown(path: string): boolean {
  const wal = statSync(`${path}-wal`, { throwIfNoEntry: false });
  return wal !== undefined && wal.size > 0 && Date.now() - wal.mtimeMs > UNCLEAN_AFTER_MS;
}

/** A SQLite error code, if the error carries one. */
export function sqliteCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function isBusy(err: unknown): boolean {
  const code = sqliteCode(err);
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || code?.startsWith('SQLITE_BUSY_') === true;
}

export interface Ledger {
  readonly db: Db;
  readonly path: string;
  /** A statement prepared once per process. */
  stmt(sql: string): Statement;
  /** Runs fn in an IMMEDIATE transaction: the write lock is taken up front, so no upgrade can fail. */
  write<T>(fn: () => T): T;
  close(): void;
}

export interface OpenOptions {
  /** Create the file (and its directory) when missing; otherwise a missing ledger is an error. */
  create?: boolean;
  /** How long a write waits for another writer (default BUSY_TIMEOUT_MS); hooks wait less, then spool. */
  busyTimeoutMs?: number;
}

export function openLedger(path: string, opts: OpenOptions = {}): Ledger {
  // Before any file is made: a missing binding is reported as such.
  requireBinding();
  const marked = damagedReason(path);
  if (marked !== null) throw damaged(path, marked);
  const existed = existsSync(path);
  if (!existed) {
    if (!opts.create) throw new LedgerError(`no ledger at ${path}`);
    try {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      // Create the file ourselves so it is born 0600; SQLite gives -wal/-shm the same mode.
      closeSync(openSync(path, 'wx', 0o600));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw ledgerFailure(path, err);
    }
  }
  if (existed && uncleanShutdown(path)) checkIntegrity(path);

  const timeout = opts.busyTimeoutMs ?? BUSY_TIMEOUT_MS;
  let db: Db;
  try {
    // better-sqlite3 sets SQLite's busy timeout from this option (sqlite3_busy_timeout).
    db = openSqlite(path, { timeout });
  } catch (err) {
    if (err instanceof SprintBudgetError) throw err;
    throw new LedgerError(`cannot open ledger ${path}: ${firstLine(err)}`);
  }

  try {
    if (db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, path);
  } catch (err) {
    db.close();
    if (isBusy(err)) throw new LedgerBusyError(`ledger ${path} stayed locked for ${timeout / 1000}s`);
    const failure = ledgerFailure(path, err);
    if (failure instanceof SprintBudgetError) throw failure;
    throw new LedgerError(`cannot open ledger ${path}: ${firstLine(err)}`);
  }
  if (!existed) {
    try {
      chmodSync(path, 0o600);
    } catch {
      // Another process created it and owns it: its mode was set there.
    }
  }

  const cache = new Map<string, Statement>();
  return {
    db,
    path,
    stmt(sql) {
      let s = cache.get(sql);
      if (!s) {
        s = db.prepare(sql);
        cache.set(sql, s);
      }
      return s;
    },
    write(fn) {
      return db.transaction(fn).immediate();
    },
    close() {
      db.close();
    },
  };
}

function migrate(db: Db, path: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current === SCHEMA_VERSION) return;
  if (current > SCHEMA_VERSION) {
    throw new LedgerError(`ledger ${path} has schema ${current}, newer than this sprint-budget (${SCHEMA_VERSION}); upgrade the plugin`);
  }
  if (current > 0) backup(db, `${path}.v${current}.bak`);
  db.transaction(() => {
    // Another process may have migrated while we waited for the lock.
    const now = db.pragma('user_version', { simple: true }) as number;
    for (let v = now; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v] as string);
    if (now < SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

/** A copy of the ledger at `target`, made whole or not at all (a full disk leaves no partial copy to be taken for a backup). */
function backup(db: Db, target: string): void {
  if (existsSync(target)) return;
  const tmp = `${target}.${process.pid}.tmp`;
  try {
    db.prepare('VACUUM INTO ?').run(tmp);
    chmodSync(tmp, 0o600);
    renameSync(tmp, target);
  } catch (err) {
    rmSync(tmp, { force: true });
    if (existsSync(target)) return;
    throw diskFull(err, tmp) ?? new LedgerError(`cannot back up ledger before migrating it: ${firstLine(err)}`);
  }
}
