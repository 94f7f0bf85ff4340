/**
 * The entry point of plugin/dist/cached-run.cjs: runs a program's bundle (the CLI's, a hook's)
 * through V8's code cache (why: docs/performance.md, "Code cache"). Where Node has
 * module.enableCompileCache (22.1 and later), Node keeps the cache; on Node 20 it is kept here. Either
 * way in Claude Code's persistent per-plugin directory ($CLAUDE_PLUGIN_DATA) when it gives one, else
 * in the user's cache directory ($XDG_CACHE_HOME or ~/.cache, under sprint-budget/).
 *
 * Compiled code is run as it is read, so the cache is trusted only in a directory of the user's
 * alone: each directory from the cache's root down is made 0700, and one that is a symlink, not the
 * user's, or writable by group or others is refused (the run goes uncached). Nothing is written or
 * deleted outside them.
 *
 * The Node 20 cache: a directory per bundle, one file named by the bundle's size and mtime and
 * Node's version, for the CLI by the command too (each command compiles its own functions), and by
 * Node's flags when it was started with any. V8 rejects a cache made by another build of itself or
 * under other flags (hooks.json starts hooks with --liftoff-only: a hook run by hand without it
 * keeps a cache of its own instead of replacing Claude Code's at every switch). V8 does not check a
 * cache's bytes (a damaged cache crashes the process that loads it), so the file holds the cache
 * twice and is used only when both copies are the same: comparing them is native and costs far less
 * than a checksum computed here would (docs/performance.md). A missing, damaged or rejected cache is
 * written anew when the program exits, holding every function the run compiled. Caching never fails
 * a run.
 */
import { closeSync, lstatSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { openRegular } from '../platform/files';

/** The directories of the cache, from the first one this plugin names down to its root; null when there is no place for them. */
function cacheDirs(env: NodeJS.ProcessEnv): string[] | null {
  const data = env.CLAUDE_PLUGIN_DATA?.trim();
  if (data) return [data, join(data, 'v8-cache')];
  const base = env.XDG_CACHE_HOME?.trim() || (env.HOME?.trim() ? join(env.HOME.trim(), '.cache') : null);
  if (!base) return null;
  const mine = join(base, 'sprint-budget');
  return [mine, join(mine, 'v8-cache')];
}

/**
 * Makes `dirs` (each inside the one before) as directories of the user's alone (0700), or finds
 * them so; false when one is a symlink, not a directory, not the user's, or writable by others.
 */
function ownDirs(dirs: readonly string[]): boolean {
  const uid = process.getuid?.();
  for (const dir of dirs) {
    let st = lstatSync(dir, { throwIfNoEntry: false });
    if (!st) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      st = lstatSync(dir);
    }
    if (!st.isDirectory() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o022) !== 0) return false;
  }
  return true;
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

interface CacheFile {
  path: string;
  stamp: string;
}

/** The bundle's cache file and the build it is for, in a directory of the user's alone; null when there is none. */
function cacheFile(file: string, variant: string | undefined, env: NodeJS.ProcessEnv): CacheFile | null {
  const dirs = cacheDirs(env);
  if (!dirs) return null;
  const dir = join(dirs[dirs.length - 1] as string, basename(file, '.cjs'));
  if (!ownDirs([...dirs, dir])) return null;
  const stamp = buildStamp(file);
  const name = [stamp, variantName(variant), flagsName()].filter((part) => part !== null).join('.');
  return { path: join(dir, `${name}.bin`), stamp };
}

/** The cache in `path` when it is a regular file of the user's, holding two equal copies; else undefined. */
function readCache(path: string): Buffer | undefined {
  let opened: ReturnType<typeof openRegular>;
  try {
    opened = openRegular(path);
  } catch {
    return undefined;
  }
  const { fd, st } = opened;
  try {
    const uid = process.getuid?.();
    if ((uid !== undefined && st.uid !== uid) || (st.mode & 0o022) !== 0 || st.size % 2 !== 0) return undefined;
    const both = readFileSync(fd);
    const half = both.length / 2;
    const cache = both.subarray(0, half);
    return half > 0 && cache.equals(both.subarray(half)) ? cache : undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** A temporary file a writer that died left behind is dropped after this long. */
const TMP_ABANDONED_MS = 60_000;

/** Writes the cache (twice) atomically, and drops the bundle's other builds' caches and abandoned temporaries beside it. */
function save(cache: CacheFile, script: Script): void {
  const dir = dirname(cache.path);
  const tmp = `${cache.path}.${process.pid}.tmp`;
  try {
    const data = script.createCachedData();
    // `wx`: never through a file (or link) that is there already.
    writeFileSync(tmp, Buffer.concat([data, data]), { flag: 'wx', mode: 0o600 });
    renameSync(tmp, cache.path);
  } catch {
    // A cache is an optimisation: without it the next run compiles, as this one did. A full disk leaves no temporary.
    rmSync(tmp, { force: true });
    return;
  }
  try {
    const now = Date.now();
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      const old = f.endsWith('.bin') && !f.startsWith(`${cache.stamp}.`);
      if (old || (f.endsWith('.tmp') && now - lstatSync(p).mtimeMs > TMP_ABANDONED_MS)) rmSync(p, { force: true });
    }
  } catch {
    // What is left is dropped by a later save.
  }
}

/** The bundle compiled with `cached` when V8 takes it; null when it cannot be (then it compiles without). */
function compile(code: string, file: string, cached: Buffer | undefined): { script: Script; fresh: boolean } {
  if (cached) {
    try {
      const script = new Script(code, { filename: file, cachedData: cached });
      return { script, fresh: script.cachedDataRejected === true };
    } catch {
      // A cache V8 cannot even start on: compiled without it, and written anew.
    }
  }
  return { script: new Script(code, { filename: file }), fresh: true };
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
  let cache: CacheFile | null = null;
  try {
    cache = cacheFile(file, variant, env);
  } catch {
    // No place for a cache: the run goes uncached.
  }
  const { script, fresh } = compile(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, file, cache ? readCache(cache.path) : undefined);
  if (cache && fresh) {
    const made = cache;
    process.once('exit', () => save(made, script));
  }
  const module = { exports: {} };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(module.exports, module.exports, load, module, file, dirname(file));
}

/** Node 22.1 and later keep a compile cache themselves (module.enableCompileCache), checking its bytes. */
function hasCompileCache(): boolean {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 1);
}

/** Requires the bundle with Node's own compile cache on, kept in a directory of the user's alone (the same rules). */
function runWithCompileCache(file: string, load: NodeJS.Require, env: NodeJS.ProcessEnv): void {
  const dirs = cacheDirs(env);
  if (dirs) {
    try {
      const all = [...dirs, join(dirs[dirs.length - 1] as string, 'node-compile-cache')];
      if (ownDirs(all)) (process.getBuiltinModule('node:module') as { enableCompileCache?: (dir: string) => unknown }).enableCompileCache?.(all[all.length - 1] as string);
    } catch {
      // A cache is an optimisation: without it the bundle compiles, as it would anyway.
    }
  }
  load(file);
}
