/**
 * Opening the ledger: one SQLite file in WAL mode with a generous busy timeout, foreign keys on,
 * file mode 0600, migrated under a transaction after a backup copy.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { type Db, type Statement, openSqlite, requireBinding } from '../install/binding';
import { SprintBudgetError, firstLine } from '../platform/errors';
import { MIGRATIONS, SCHEMA_VERSION } from './schema';

export const BUSY_TIMEOUT_MS = 10_000;

export class LedgerError extends SprintBudgetError {}

/** The ledger stayed locked past the busy timeout. */
export class LedgerBusyError extends LedgerError {}

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
  const existed = existsSync(path);
  if (!existed) {
    if (!opts.create) throw new LedgerError(`no ledger at ${path}`);
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    try {
      // Create the file ourselves so it is born 0600; SQLite gives -wal/-shm the same mode.
      closeSync(openSync(path, 'wx', 0o600));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }

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
    const code = sqliteCode(err);
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      throw new LedgerError(`ledger ${path} is not a readable SQLite database (${firstLine(err)}); it was left untouched`);
    }
    if (isBusy(err)) throw new LedgerBusyError(`ledger ${path} stayed locked for ${timeout / 1000}s`);
    if (err instanceof SprintBudgetError) throw err;
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

function backup(db: Db, target: string): void {
  if (existsSync(target)) return;
  try {
    db.prepare('VACUUM INTO ?').run(target);
    chmodSync(target, 0o600);
  } catch (err) {
    if (!existsSync(target)) throw new LedgerError(`cannot back up ledger before migrating it: ${firstLine(err)}`);
  }
}
