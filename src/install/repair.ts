/**
 * Repairing better-sqlite3's native binding. `claude plugin install` runs `npm ci --ignore-scripts`
 * in the plugin's cache directory, so the addon arrives uncompiled and the first hook finds no
 * binding; a plugin run in place from a marketplace directory (a clone) may have no node_modules at
 * all. One process takes a lock file and starts the repair in a detached worker (it outlives the
 * hook, which must answer at once); the worker runs npm, checks the result in a fresh process,
 * records a failure for people to read, and releases the lock.
 */
import { closeSync, existsSync, openSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childProcess } from '../platform/builtin';
import { errorMessage } from '../platform/errors';

const LOCK = '.sprint-budget-repair.lock';
const LOG = '.sprint-budget-repair.log';
const FAILED = '.sprint-budget-repair.failed';
/** A lock older than this was left by a worker that died: a compile takes minutes, not this long. */
const STALE_LOCK_MS = 20 * 60_000;
/** After a failed repair, hooks do not start another one for this long (each costs minutes of CPU). */
const RETRY_AFTER_MS = 60 * 60_000;

export interface RepairPaths {
  /** Where npm runs: the directory whose node_modules holds (or will hold) better-sqlite3. */
  root: string;
  /** What npm is asked to do there. */
  npmArgs: string[];
  lock: string;
  log: string;
  failed: string;
}

/** The nearest directory at or above `dir` with a package.json. */
function packageDir(dir: string): string | null {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, 'package.json'))) return d;
    if (dirname(d) === d) return null;
  }
}

function paths(root: string, npmArgs: string[]): RepairPaths {
  return { root, npmArgs, lock: join(root, LOCK), log: join(root, LOG), failed: join(root, FAILED) };
}

/**
 * What repairs the better-sqlite3 this code loads: its binding rebuilt where it is installed, or,
 * in a plugin directory with no node_modules at all, the production dependencies installed (with
 * their install scripts, which build the binding). Null when neither applies safely (a
 * node_modules without better-sqlite3 is someone's partial install: not ours to change).
 */
export function repairPaths(from: string = import.meta.url): RepairPaths | null {
  try {
    // <root>/node_modules/better-sqlite3/lib/index.js → <root>
    const { createRequire } = process.getBuiltinModule('node:module');
    const pkg = packageDir(dirname(createRequire(from).resolve('better-sqlite3')));
    return pkg ? paths(dirname(dirname(pkg)), ['rebuild', 'better-sqlite3', '--ignore-scripts=false']) : null;
  } catch {
    const plugin = packageDir(dirname(fileURLToPath(from)));
    if (!plugin || existsSync(join(plugin, 'node_modules'))) return null;
    // The plugin's own package.json lists its runtime dependencies only, pinned by its lockfile.
    return paths(plugin, ['ci', '--omit=dev', '--ignore-scripts=false', '--no-audit', '--no-fund']);
  }
}

export type RepairState =
  /** This process took the lock and started the worker. */
  | { state: 'started'; paths: RepairPaths }
  /** Another process's worker is at it. */
  | { state: 'running'; paths: RepairPaths }
  /** The last attempt failed recently; no new one is started until RETRY_AFTER_MS has passed. */
  | { state: 'failed'; paths: RepairPaths; reason: string }
  /** better-sqlite3 is not installed at all: nothing to rebuild. */
  | { state: 'unavailable' };

function ageMs(path: string, now: number): number | null {
  try {
    return now - statSync(path).mtimeMs;
  } catch {
    return null;
  }
}

function takeLock(lock: string, now: number): boolean {
  try {
    const fd = openSync(lock, 'wx', 0o600);
    writeFileSync(fd, `${process.pid} ${new Date(now).toISOString()}\n`);
    closeSync(fd);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return false;
  }
}

/** Starts a repair unless one is running or failed recently; `start` launches the detached worker. */
export function requestRepair(start: () => void, now: number = Date.now(), paths: RepairPaths | null = repairPaths()): RepairState {
  if (!paths) return { state: 'unavailable' };
  const failedAge = ageMs(paths.failed, now);
  if (failedAge !== null && failedAge < RETRY_AFTER_MS) {
    return { state: 'failed', paths, reason: readFileSync(paths.failed, 'utf8').trim() };
  }
  if (!takeLock(paths.lock, now)) {
    const lockAge = ageMs(paths.lock, now);
    if (lockAge === null || lockAge < STALE_LOCK_MS) return { state: 'running', paths };
    // Its worker died: take the lock over (unlink + exclusive create, so only one process wins).
    try {
      unlinkSync(paths.lock);
    } catch {
      // Someone else took it over first.
    }
    if (!takeLock(paths.lock, now)) return { state: 'running', paths };
  }
  try {
    start();
  } catch (err) {
    unlinkSync(paths.lock);
    throw err;
  }
  return { state: 'started', paths };
}

/** Whether better-sqlite3 loads and opens a database, asked of a fresh Node process. */
function bindingWorks(root: string): boolean {
  const probe = childProcess().spawnSync(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], { cwd: root, stdio: 'ignore' });
  return probe.status === 0;
}

/**
 * The worker's job: run npm, check, record the outcome, release the lock. Returns whether the
 * binding works now. npm's output goes to the log beside the lock.
 */
export function runRepair(paths: RepairPaths): boolean {
  const log = openSync(paths.log, 'a', 0o600);
  try {
    const command = `npm ${paths.npmArgs.join(' ')}`;
    writeFileSync(log, `${new Date().toISOString()} ${command} in ${paths.root}\n`);
    // --ignore-scripts=false: building the binding *is* an install script, whatever the user's npm config says.
    const r = childProcess().spawnSync('npm', paths.npmArgs, { cwd: paths.root, stdio: ['ignore', log, log] });
    const ok = r.status === 0 && bindingWorks(paths.root);
    const outcome = ok ? 'repaired' : `failed: ${r.error ? errorMessage(r.error) : r.status === 0 ? 'better-sqlite3 still does not load' : `npm exited ${r.status ?? r.signal}`}`;
    writeFileSync(log, `${new Date().toISOString()} ${outcome}\n`);
    if (ok) rmQuiet(paths.failed);
    else writeFileSync(paths.failed, `${command} ${outcome} (log: ${paths.log})\n`, { mode: 0o600 });
    return ok;
  } finally {
    closeSync(log);
    rmQuiet(paths.lock);
  }
}

function rmQuiet(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}
