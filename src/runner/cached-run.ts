/**
 * The entry point of plugin/dist/cached-run.cjs: runs a program's bundle (the CLI's, a hook's)
 * through V8's code cache (why: docs/performance.md, "Code cache"). Where Node has
 * module.enableCompileCache (22.1 and later), Node keeps the cache; on Node 20 it is kept here. Either
 * way in Claude Code's persistent per-plugin directory ($CLAUDE_PLUGIN_DATA) when it gives one, else
 * in the user's cache directory ($XDG_CACHE_HOME or ~/.cache, under sprint-budget/).
 *
 * The Node 20 cache: a directory per bundle, one file named by the bundle's size and mtime and
 * Node's version, for the CLI by the command too (each command compiles its own functions), and by
 * Node's flags when it was started with any. V8 rejects a cache made by another build of itself or
 * under other flags (hooks.json starts hooks with --liftoff-only: a hook run by hand without it
 * keeps a cache of its own instead of replacing Claude Code's at every switch). A missing or
 * rejected cache is written when the program exits, holding every function the run compiled.
 * Caching never fails a run.
 */
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';

/** Where caches are kept, or null when there is no place for them. */
function cacheRoot(env: NodeJS.ProcessEnv): string | null {
  const data = env.CLAUDE_PLUGIN_DATA?.trim();
  if (data) return join(data, 'v8-cache');
  const xdg = env.XDG_CACHE_HOME?.trim();
  if (xdg) return join(xdg, 'sprint-budget', 'v8-cache');
  const home = env.HOME?.trim();
  return home ? join(home, '.cache', 'sprint-budget', 'v8-cache') : null;
}

/** What names a build of a bundle: its caches of other builds are dropped. */
function buildStamp(file: string): string {
  const st = statSync(file);
  return `${st.size}-${Math.trunc(st.mtimeMs)}-${process.version}`;
}

/** A cache variant as it may appear in a file name (a command name), else none. */
function variantName(variant: string | undefined): string | null {
  return variant && /^[a-z][a-z-]{0,31}$/.test(variant) ? variant : null;
}

/** Node's flags (process.execArgv) as a short name, or null when it was started with none. */
function flagsName(): string | null {
  const flags = process.execArgv.join('\0');
  if (!flags) return null;
  // FNV-1a: a name, not a secret; node:crypto would cost more than the cache saves.
  let h = 0x811c9dc5;
  for (let i = 0; i < flags.length; i++) h = Math.imul(h ^ flags.charCodeAt(i), 0x01000193);
  return `f${(h >>> 0).toString(16).padStart(8, '0')}`;
}

/** The bundle's cache file and the build it is for, or null when there is no place to keep one. */
function cacheFile(file: string, variant: string | undefined, env: NodeJS.ProcessEnv): { path: string; stamp: string } | null {
  const root = cacheRoot(env);
  if (!root) return null;
  const stamp = buildStamp(file);
  const name = [stamp, variantName(variant), flagsName()].filter((part) => part !== null).join('.');
  return { path: join(root, basename(file, '.cjs'), `${name}.bin`), stamp };
}

/** Writes the cache atomically, and drops the caches of the bundle's other builds (beside it). */
function save(path: string, stamp: string, script: Script): void {
  try {
    const dir = dirname(path);
    // Compiled code is run as it is read: the directory is the user's alone.
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, script.createCachedData());
    renameSync(tmp, path);
    for (const f of readdirSync(dir)) if (f.endsWith('.bin') && !f.startsWith(`${stamp}.`)) rmSync(join(dir, f), { force: true });
  } catch {
    // A cache is an optimisation: without it the next run compiles, as this one did.
  }
}

/**
 * Runs the CommonJS bundle at `file` as `require` would, compiled from its code cache when there is
 * one; `variant` (the CLI's command) keeps a cache of its own. `load` is the `require` of the stub
 * beside the bundle, which resolves as the bundle's own would (and needs no node:module, whose
 * loading costs a hook about a millisecond).
 */
export function runCached(file: string, load: NodeJS.Require, variant?: string, env: NodeJS.ProcessEnv = process.env): void {
  if (hasCompileCache()) {
    runWithCompileCache(file, load, env);
    return;
  }
  const source = readFileSync(file, 'utf8');
  let cache: { path: string; stamp: string } | null = null;
  let cached: Buffer | undefined;
  try {
    cache = cacheFile(file, variant, env);
    if (cache) cached = readFileSync(cache.path);
  } catch {
    // No cache yet.
  }
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData: cached });
  if (cache && (!cached || script.cachedDataRejected)) {
    const { path, stamp } = cache;
    process.once('exit', () => save(path, stamp, script));
  }
  const module = { exports: {} };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(module.exports, module.exports, load, module, file, dirname(file));
}

/** Node 22.1 and later keep a compile cache themselves (module.enableCompileCache). */
function hasCompileCache(): boolean {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 1);
}

/** Requires the bundle with Node's own compile cache on, kept in a directory of the user's alone. */
function runWithCompileCache(file: string, load: NodeJS.Require, env: NodeJS.ProcessEnv): void {
  const root = cacheRoot(env);
  if (root) {
    try {
      const dir = join(root, 'node-compile-cache');
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      (process.getBuiltinModule('node:module') as { enableCompileCache?: (dir: string) => unknown }).enableCompileCache?.(dir);
    } catch {
      // A cache is an optimisation: without it the bundle compiles, as it would anyway.
    }
  }
  load(file);
}
