/**
 * Whether a ledger can be written now, asked without changing it (`doctor`): the file and its
 * directory writable (SQLite writes `-wal` and `-shm` beside it), a readable database of a schema this
 * plugin knows, and the write lock obtainable (taken and given back at once).
 */
import { accessSync, constants } from 'node:fs';
import { dirname } from 'node:path';
import { BindingMissingError, openSqlite } from '../install/binding';
import { firstLine } from '../platform/errors';
import { isBusy, sqliteCode } from './db';
import { SCHEMA_VERSION } from './schema';

export type LedgerProbe =
  | { state: 'writable'; schema: number }
  /** Another process holds the write lock past the wait. */
  | { state: 'busy' }
  /** Made by a newer sprint-budget: this one refuses to open it. */
  | { state: 'newer'; schema: number }
  /** The files are writable; the database was not opened: no SQLite driver for this Node. */
  | { state: 'no-driver' }
  | { state: 'unusable'; reason: string };

export function probeLedger(path: string, timeoutMs = 2_000): LedgerProbe {
  for (const [what, p] of [
    ['the ledger', path],
    ['its directory', dirname(path)],
  ] as const) {
    try {
      accessSync(p, constants.R_OK | constants.W_OK);
    } catch (err) {
      return { state: 'unusable', reason: `${what} is not writable (${firstLine(err)})` };
    }
  }
  let db;
  try {
    db = openSqlite(path, { timeout: timeoutMs, fileMustExist: true });
  } catch (err) {
    if (err instanceof BindingMissingError) return { state: 'no-driver' };
    return { state: 'unusable', reason: firstLine(err) };
  }
  try {
    const schema = db.pragma('user_version', { simple: true }) as number;
    if (schema > SCHEMA_VERSION) return { state: 'newer', schema };
    db.exec('BEGIN IMMEDIATE');
    db.exec('ROLLBACK');
    return { state: 'writable', schema };
  } catch (err) {
    if (isBusy(err)) return { state: 'busy' };
    const code = sqliteCode(err);
    return { state: 'unusable', reason: code === 'SQLITE_NOTADB' ? 'not a SQLite database' : firstLine(err) };
  } finally {
    db.close();
  }
}
