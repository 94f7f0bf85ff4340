/**
 * The entry point of plugin/dist/cached-run.cjs: runs a hook's bundle through V8's code cache. A
 * hook lives a few dozen milliseconds, and compiling its bundle is a measurable share of them.
 * Node 20 has no module.enableCompileCache, so the cache is kept here, in Claude Code's persistent
 * per-plugin directory ($CLAUDE_PLUGIN_DATA), in a directory per bundle, one file named by the
 * bundle's size and mtime and Node's version. V8 rejects a cache made by another build of itself; a missing or
 * rejected cache is written when the hook exits, holding every function the run compiled. Without
 * CLAUDE_PLUGIN_DATA (a hook run by hand) nothing is cached, and caching never fails a hook.
 */
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';

/** The bundle's cache file, or null when there is no place to keep one. */
function cachePath(file: string, env: NodeJS.ProcessEnv): string | null {
  const data = env.CLAUDE_PLUGIN_DATA?.trim();
  if (!data) return null;
  const st = statSync(file);
  return join(data, 'v8-cache', basename(file, '.cjs'), `${st.size}-${Math.trunc(st.mtimeMs)}-${process.version}.bin`);
}

/** Writes the cache atomically, and drops the caches of the bundle's other builds (beside it). */
function save(path: string, script: Script): void {
  try {
    const dir = dirname(path);
    mkdirSync(dir, { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, script.createCachedData());
    renameSync(tmp, path);
    for (const f of readdirSync(dir)) if (f.endsWith('.bin') && f !== basename(path)) rmSync(join(dir, f), { force: true });
  } catch {
    // A cache is an optimisation: without it the next hook compiles, as this one did.
  }
}

/** Runs the CommonJS bundle at `file` as `require` would, compiled from its code cache when there is one. */
export function runCached(file: string, env: NodeJS.ProcessEnv = process.env): void {
  const source = readFileSync(file, 'utf8');
  let path: string | null = null;
  let cached: Buffer | undefined;
  try {
    path = cachePath(file, env);
    if (path) cached = readFileSync(path);
  } catch {
    // No cache yet.
  }
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData: cached });
  if (path && (!cached || script.cachedDataRejected)) {
    const target = path;
    process.once('exit', () => save(target, script));
  }
  const module = { exports: {} };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
}
