/**
 * Building the missing better-sqlite3 binding for the running Node (./binding.ts says where it goes).
 * `claude plugin install` runs `npm ci --ignore-scripts` in the plugin's cache directory, so the
 * addon arrives uncompiled; a plugin run in place from a marketplace directory (a clone) may have no
 * node_modules at all; and a user who changes Node needs a binding for its ABI. One process takes the
 * target's lock file and starts the build in a detached worker (it outlives a hook, which must answer
 * at once, and a command the user interrupts); whoever needs the binding meanwhile waits for the lock
 * (the CLI) or queues its events (the hooks). The worker builds in a staging directory beside the
 * target, never in the plugin's own node_modules: npm rebuilds from the plugin's copy of
 * better-sqlite3 (prebuilt download first, else a compile), or installs it from the plugin's
 * lockfile; the result is checked in a fresh process of the same Node and moved into place. A
 * failure is noted beside the target, so the hooks do not start a build that costs minutes on every
 * event. Why it is built this way: docs/design.md, "Binding repair".
 */
import { closeSync, copyFileSync, cpSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { delimiter, dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childProcess } from '../platform/builtin';
import { errorMessage } from '../platform/errors';
import { sleepSync } from '../platform/sleep';
import { BINDING_FILE, type BindingTarget, bindingTarget } from './binding';

/** A lock older than this was left by a worker that died: a compile takes minutes, not this long. */
export const STALE_LOCK_MS = 20 * 60_000;
/** After a failed build, hooks and commands do not start another one for this long (each costs minutes of CPU). */
const RETRY_AFTER_MS = 60 * 60_000;

/** What a build of the binding starts from. */
export type RepairSource =
  /** The plugin's own copy of better-sqlite3 (installed without its install script): rebuilt in staging. */
  | { kind: 'rebuild'; pkg: string }
  /** No copy at all: better-sqlite3 installed in staging from the plugin's package.json and lockfile. */
  | { kind: 'install'; project: string };

export interface RepairPlan {
  target: BindingTarget;
  source: RepairSource;
  lock: string;
  log: string;
  failed: string;
  staging: string;
}

/** The nearest better-sqlite3 package above `from` that can be built: the bundled version, with its sources. */
function packageToRebuild(from: string, version: string): string | null {
  for (let d = dirname(from); ; d = dirname(d)) {
    const pkg = join(d, 'node_modules', 'better-sqlite3');
    try {
      const { version: found } = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { version?: unknown };
      if (found === version && existsSync(join(pkg, 'binding.gyp'))) return pkg;
    } catch {
      // No package here.
    }
    if (dirname(d) === d) return null;
  }
}

/** The nearest directory above `from` whose package.json and lockfile pin better-sqlite3: the plugin's root. */
function projectToInstall(from: string): string | null {
  for (let d = dirname(from); ; d = dirname(d)) {
    try {
      const pkg = JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')) as { dependencies?: Record<string, unknown> };
      if (pkg.dependencies?.['better-sqlite3'] && existsSync(join(d, 'package-lock.json'))) return d;
    } catch {
      // No package.json here.
    }
    if (dirname(d) === d) return null;
  }
}

/** How the binding for this Node would be built, or null when nothing to build it from is there. */
export function repairPlan(env: NodeJS.ProcessEnv = process.env, from: string = fileURLToPath(import.meta.url)): RepairPlan | null {
  const target = bindingTarget(env);
  const pkg = packageToRebuild(from, target.version);
  const project = pkg ? null : projectToInstall(from);
  const source: RepairSource | null = pkg ? { kind: 'rebuild', pkg } : project ? { kind: 'install', project } : null;
  if (!source) return null;
  const at = (name: string) => join(target.dir, name);
  return { target, source, lock: at('build.lock'), log: at('build.log'), failed: at('build.failed'), staging: at('build') };
}

export type RepairState =
  /** This process took the lock and started the worker. */
  | { state: 'started'; plan: RepairPlan }
  /** Another process's worker is at it (since `sinceMs`). */
  | { state: 'running'; plan: RepairPlan; sinceMs: number }
  /** The last attempt failed recently; no new one is started until RETRY_AFTER_MS has passed. */
  | { state: 'failed'; plan: RepairPlan; reason: string }
  /** Nothing to build from: better-sqlite3 and the plugin's lockfile are both missing. */
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

/** When the build under way started (its lock's time), or null when none is. */
export function repairRunningSince(plan: RepairPlan, now: number = Date.now()): number | null {
  const age = ageMs(plan.lock, now);
  return age === null || age >= STALE_LOCK_MS ? null : now - age;
}

/** The last failure's note, when it is recent enough to hold back a new attempt. */
export function recentFailure(plan: RepairPlan, now: number = Date.now()): string | null {
  const age = ageMs(plan.failed, now);
  if (age === null || age >= RETRY_AFTER_MS) return null;
  try {
    return readFileSync(plan.failed, 'utf8').trim();
  } catch {
    return null;
  }
}

export interface RepairRequest {
  now?: number;
  plan?: RepairPlan | null;
  /** Start even after a recent failure (`doctor --fix`: someone asked). */
  force?: boolean;
}

/** Starts a build unless one is running or failed recently; `start` launches the detached worker. */
export function requestRepair(start: () => void, req: RepairRequest = {}): RepairState {
  const now = req.now ?? Date.now();
  const plan = req.plan === undefined ? repairPlan() : req.plan;
  if (!plan) return { state: 'unavailable' };
  const failure = req.force ? null : recentFailure(plan, now);
  if (failure !== null) return { state: 'failed', plan, reason: failure };
  mkdirSync(plan.target.dir, { recursive: true, mode: 0o700 });
  if (!takeLock(plan.lock, now)) {
    const lockAge = ageMs(plan.lock, now);
    if (lockAge === null || lockAge < STALE_LOCK_MS) return { state: 'running', plan, sinceMs: now - (lockAge ?? 0) };
    // Its worker died: take the lock over (unlink + exclusive create, so only one process wins).
    rmSync(plan.lock, { force: true });
    if (!takeLock(plan.lock, now)) return { state: 'running', plan, sinceMs: now };
  }
  try {
    start();
  } catch (err) {
    rmSync(plan.lock, { force: true });
    throw err;
  }
  return { state: 'started', plan };
}

/**
 * Waits while a build holds the lock (polling; the worker is another process), up to when its lock
 * would count as stale. `tick` is called at each poll with the seconds waited.
 */
export function waitForRepair(plan: RepairPlan, tick: (seconds: number) => void = () => {}, pollMs = 500): void {
  const start = Date.now();
  while (repairRunningSince(plan) !== null) {
    tick(Math.round((Date.now() - start) / 1000));
    sleepSync(pollMs);
  }
}

/** The running Node's own headers (`<prefix>/include/node`), as node-gyp needs them to build for it. */
function ownHeaders(): string | null {
  const prefix = dirname(dirname(process.execPath));
  try {
    const h = readFileSync(join(prefix, 'include', 'node', 'node_version.h'), 'utf8');
    const part = (name: string) => new RegExp(`#define ${name} (\\d+)`).exec(h)?.[1];
    const version = `v${part('NODE_MAJOR_VERSION')}.${part('NODE_MINOR_VERSION')}.${part('NODE_PATCH_VERSION')}`;
    return version === process.version ? prefix : null;
  } catch {
    return null;
  }
}

/**
 * npm's environment: this Node first on PATH, as `node` alone (npm, prebuild-install and node-gyp
 * run on it, so they build for its ABI; npm itself is the user's), its own headers when it ships
 * them (no download, and never another version's from the user's npm config), and the plugin's
 * node_modules/.bin (better-sqlite3's install script runs prebuild-install from there). Node's own
 * directory comes last, for an npm installed only beside it.
 */
function buildEnv(plan: RepairPlan): NodeJS.ProcessEnv {
  const nodeBin = join(plan.staging, 'node-bin');
  mkdirSync(nodeBin);
  symlinkSync(process.execPath, join(nodeBin, 'node'));
  const path = [nodeBin];
  if (plan.source.kind === 'rebuild') path.push(join(dirname(plan.source.pkg), '.bin'));
  path.push(process.env.PATH ?? '', dirname(process.execPath));
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: path.join(delimiter) };
  const headers = ownHeaders();
  if (headers) env.npm_config_nodedir = headers;
  return env;
}

/** Lays out the staging directory and says what npm is asked to do in it. */
function stage(plan: RepairPlan): string[] {
  rmSync(plan.staging, { recursive: true, force: true });
  mkdirSync(join(plan.staging, 'node_modules'), { recursive: true });
  const { source, target } = plan;
  // Building the binding *is* better-sqlite3's install script: --ignore-scripts=false whatever the
  // user's npm config says, and allowed by name where npm asks for that (npm 11's allowScripts).
  const allowScripts = { 'better-sqlite3': true };
  const writePackage = (pkg: Record<string, unknown>) => writeFileSync(join(plan.staging, 'package.json'), `${JSON.stringify({ ...pkg, allowScripts })}\n`);
  if (source.kind === 'rebuild') {
    const buildDir = `${sep}better-sqlite3${sep}build`;
    cpSync(source.pkg, join(plan.staging, 'node_modules', 'better-sqlite3'), { recursive: true, filter: (src) => !src.includes(buildDir) });
    writePackage({ private: true, dependencies: { 'better-sqlite3': target.version } });
    return ['rebuild', 'better-sqlite3', '--ignore-scripts=false', '--foreground-scripts'];
  }
  writePackage(JSON.parse(readFileSync(join(source.project, 'package.json'), 'utf8')) as Record<string, unknown>);
  copyFileSync(join(source.project, 'package-lock.json'), join(plan.staging, 'package-lock.json'));
  return ['ci', '--omit=dev', '--ignore-scripts=false', '--foreground-scripts', '--no-audit', '--no-fund'];
}

/** Whether the built binding loads and opens a database, asked of a fresh process of this Node; else Node's reason. */
function probe(plan: RepairPlan, built: string): string | null {
  const pkg = join(plan.staging, 'node_modules', 'better-sqlite3');
  const script =
    `try { new (require(${JSON.stringify(pkg)}))(':memory:', { nativeBinding: ${JSON.stringify(built)} }).close() }` +
    ` catch (e) { process.stderr.write(String(e && e.message)); process.exit(1) }`;
  const r = childProcess().spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  if (r.status === 0) return null;
  return (r.stderr || r.error?.message || `exit ${r.status ?? r.signal}`).replace(/\s*\n\s*/g, ' ').trim();
}

/**
 * The worker's job: build, check, move into place, record the outcome, release the lock. Returns
 * whether the binding is in place. npm's output goes to the log beside the target.
 */
export function runRepair(plan: RepairPlan): boolean {
  const started = Date.now();
  const log = openSync(plan.log, 'a', 0o600);
  const note = (line: string) => writeSync(log, `${new Date().toISOString()} ${line}\n`);
  try {
    const { target } = plan;
    note(`building better-sqlite3 ${target.version} for Node ${target.node} (ABI ${target.abi}, ${process.execPath}); started by ${process.argv[1] ?? '?'}`);
    let outcome: string | null;
    try {
      const args = stage(plan);
      note(`npm ${args.join(' ')} in ${plan.staging}${plan.source.kind === 'rebuild' ? ` (from ${plan.source.pkg})` : ` (from ${plan.source.project})`}`);
      const r = childProcess().spawnSync('npm', args, { cwd: plan.staging, env: buildEnv(plan), stdio: ['ignore', log, log] });
      const built = join(plan.staging, 'node_modules', 'better-sqlite3', 'build', 'Release', BINDING_FILE);
      if (r.error) outcome = `npm could not run: ${errorMessage(r.error)}`;
      else if (r.status !== 0) outcome = `npm exited ${r.status ?? r.signal}`;
      else if (!existsSync(built)) outcome = `npm built no ${BINDING_FILE}`;
      else outcome = probe(plan, built);
      if (outcome === null) {
        const tmp = `${target.file}.${process.pid}.tmp`;
        copyFileSync(built, tmp);
        renameSync(tmp, target.file);
      }
    } catch (err) {
      outcome = errorMessage(err);
    }
    const seconds = Math.round((Date.now() - started) / 1000);
    if (outcome === null) {
      note(`repaired in ${seconds} s: ${target.file}`);
      rmSync(plan.failed, { force: true });
      return true;
    }
    note(`failed after ${seconds} s: ${outcome}`);
    writeFileSync(plan.failed, `building better-sqlite3 for Node ${target.node} (ABI ${target.abi}) failed: ${outcome} (log: ${plan.log})\n`, { mode: 0o600 });
    return false;
  } finally {
    closeSync(log);
    rmSync(plan.staging, { recursive: true, force: true });
    rmSync(plan.lock, { force: true });
  }
}
