/**
 * better-sqlite3's native binding: where it is, and opening SQLite through it. Its JavaScript is
 * bundled with this code; only the compiled binding is loaded from the plugin's node_modules, by
 * better-sqlite3's documented `nativeBinding` option. A binding that is missing or cannot be loaded
 * is reported as such (the plugin repairs it: ./repair.ts) instead of crashing.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';
import { SprintBudgetError, firstLine } from '../platform/errors';

export type Db = BetterSqlite3.Database;
export type Statement = BetterSqlite3.Statement;

/** better-sqlite3's compiled binding is missing or cannot be loaded (a plugin install that skipped install scripts). */
export class BindingMissingError extends SprintBudgetError {}

const BINDING = join('node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');

/** The binding in the nearest node_modules above this file, where an install or `npm rebuild` puts it. */
export function bindingFile(from: string = fileURLToPath(import.meta.url)): string | null {
  for (let d = dirname(from); ; d = dirname(d)) {
    const file = join(d, BINDING);
    if (existsSync(file)) return file;
    if (dirname(d) === d) return null;
  }
}

/** Throws BindingMissingError when there is no binding to load. */
export function requireBinding(): string {
  const file = bindingFile();
  if (!file) throw new BindingMissingError(`better-sqlite3 binding missing: no ${BINDING} above the plugin`);
  return file;
}

/** A SQLite connection through the plugin's driver: the ledger, or another tool's database. */
export function openSqlite(path: string, options: BetterSqlite3.Options = {}): Db {
  const nativeBinding = requireBinding();
  try {
    return new Database(path, { ...options, nativeBinding });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_DLOPEN_FAILED' || code === 'MODULE_NOT_FOUND') {
      throw new BindingMissingError(`better-sqlite3 binding cannot be loaded by Node ${process.version} (ABI ${process.versions.modules}): ${firstLine(err)}`);
    }
    throw err;
  }
}
