/**
 * Repairing better-sqlite3's native binding. `claude plugin install` runs `npm ci --ignore-scripts`
 * in the plugin's cache directory, so the addon arrives uncompiled and the first hook finds no
 * binding. One process takes a lock file and starts the rebuild in a detached worker (it outlives the
 * hook, which must answer at once); the worker runs `npm rebuild better-sqlite3`, checks the result
 * in a fresh process, records a failure for people to read, and releases the lock.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { errorMessage } from './errors';

const LOCK = '.sprint-budget-repair.lock';
const LOG = '.sprint-budget-repair.log';
const FAILED = '.sprint-budget-repair.failed';
/** A lock older than this was left by a worker that died: a compile takes minutes, not this long. */
const STALE_LOCK_MS = 20 * 60_000;
/** After a failed repair, hooks do not start another one for this long (each costs minutes of CPU). */
const RETRY_AFTER_MS = 60 * 60_000;

export interface RepairPaths {
  /** The directory whose node_modules holds the broken better-sqlite3: where `npm rebuild` runs. */
  root: string;
  lock: string;
  log: string;
  failed: string;
}

/** Where the better-sqlite3 that this code loads lives, or null when it is not installed at all. */
export function repairPaths(from: string = import.meta.url): RepairPaths | null {
  let entry: string;
  try {
    entry = createRequire(from).resolve('better-sqlite3');
  } catch {
    return null;
  }
  // <root>/node_modules/better-sqlite3/lib/index.js → <root>
  let dir = dirname(entry);
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  const root = dirname(dirname(dir));
  return { root, lock: join(root, LOCK), log: join(root, LOG), failed: join(root, FAILED) };
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
  const probe = spawnSync(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], { cwd: root, stdio: 'ignore' });
  return probe.status === 0;
}

/**
 * The worker's job: rebuild, check, record the outcome, release the lock. Returns whether the
 * binding works now. npm's output goes to the log beside the lock.
 */
export function runRepair(paths: RepairPaths): boolean {
  const log = openSync(paths.log, 'a', 0o600);
  try {
    writeFileSync(log, `${new Date().toISOString()} npm rebuild better-sqlite3 in ${paths.root}\n`);
    // --ignore-scripts=false: the rebuild *is* the install script, whatever the user's npm config says.
    const r = spawnSync('npm', ['rebuild', 'better-sqlite3', '--ignore-scripts=false'], {
      cwd: paths.root,
      stdio: ['ignore', log, log],
    });
    const ok = r.status === 0 && bindingWorks(paths.root);
    const outcome = ok ? 'repaired' : `failed: ${r.error ? errorMessage(r.error) : `npm exited ${r.status ?? r.signal}`}`;
    writeFileSync(log, `${new Date().toISOString()} ${outcome}\n`);
    if (ok) rmQuiet(paths.failed);
    else writeFileSync(paths.failed, `npm rebuild better-sqlite3 ${outcome} (log: ${paths.log})\n`, { mode: 0o600 });
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
