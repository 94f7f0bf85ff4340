/**
 * better-sqlite3's native binding: where it is, loading it, and opening SQLite through it. Its
 * JavaScript is bundled with this code; only the compiled binding is loaded, by better-sqlite3's
 * documented `nativeBinding` option. A binding is compiled for one Node ABI
 * (`process.versions.modules`), so the plugin keeps one per ABI in the user's cache directory and
 * builds the missing one on first need (./repair.ts): two Node versions work side by side. Where
 * and why: docs/design.md, "Binding repair".
 */
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';
import { version as BETTER_SQLITE3_VERSION } from 'better-sqlite3/package.json';
import { SprintBudgetError, errorMessage } from '../platform/errors';

export type Db = BetterSqlite3.Database;
export type Statement = BetterSqlite3.Statement;

export const BINDING_FILE = 'better_sqlite3.node';

/** The binding this process needs: better-sqlite3's version, and this Node's ABI, platform and arch. */
export interface BindingTarget {
  version: string;
  node: string;
  abi: string;
  /** `node-v<ABI>-<platform>-<arch>`, as prebuilt binaries are named. */
  name: string;
  /** The directory that holds it (with its build's lock, log and failure note). */
  dir: string;
  file: string;
}

/** There is no binding this Node can load (none built for its ABI yet, or one that fails to load). */
export class BindingMissingError extends SprintBudgetError {
  constructor(
    readonly target: BindingTarget,
    /** Each binding found that did not load: its file and Node's full reason. */
    readonly failures: readonly { file: string; reason: string }[],
  ) {
    const why = failures.length
      ? failures.map((f) => `${f.file} cannot be loaded: ${f.reason}`).join('; ')
      : `none built yet (${target.file})`;
    super(`no better-sqlite3 binding for Node ${target.node} (ABI ${target.abi}, ${process.platform}-${process.arch}): ${why}`);
  }
}

/** Where bindings are kept: the user's cache directory, shared by the hooks, the CLI and every install of the plugin. */
export function bindingsRoot(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME?.trim();
  const cache = xdg && isAbsolute(xdg) ? xdg : join(env.HOME?.trim() || homedir(), '.cache');
  return join(cache, 'sprint-budget', 'bindings', `better-sqlite3-${BETTER_SQLITE3_VERSION}`);
}

export function bindingTarget(env: NodeJS.ProcessEnv = process.env): BindingTarget {
  const abi = process.versions.modules;
  const name = `node-v${abi}-${process.platform}-${process.arch}`;
  const dir = join(bindingsRoot(env), name);
  return { version: BETTER_SQLITE3_VERSION, node: process.version, abi, name, dir, file: join(dir, BINDING_FILE) };
}

const NODE_MODULES_BINDING = join('node_modules', 'better-sqlite3', 'build', 'Release', BINDING_FILE);

/**
 * A binding built in place, in the nearest node_modules above this file (a checkout after `npm
 * install`, or a plugin directory after `npm rebuild`): for whichever Node built it.
 */
export function installedBinding(from: string = fileURLToPath(import.meta.url)): string | null {
  for (let d = dirname(from); ; d = dirname(d)) {
    const file = join(d, NODE_MODULES_BINDING);
    if (existsSync(file)) return file;
    if (dirname(d) === d) return null;
  }
}

/** Node's reason, on one line and whole: a binding for another ABI says which it was built for. */
function loadFailure(err: unknown): string | null {
  const code = (err as NodeJS.ErrnoException).code;
  if (code !== 'ERR_DLOPEN_FAILED' && code !== 'MODULE_NOT_FOUND') return null;
  return errorMessage(err)
    .replace(/\s*\n\s*/g, ' ')
    .trim()
    .replace(/\.$/, '');
}

let loaded: string | null = null;
/**
 * Bindings that failed to load in this process, by file and version of it, with Node's reason: a
 * second attempt at the same file would only say "Module did not self-register", hiding the first
 * reason (the ABI it was built for).
 */
const failed = new Map<string, string>();

/**
 * The binding this process uses, loaded (once): the one built for this ABI, else one built in
 * place that this Node can load. Throws BindingMissingError, with every reason, when there is none.
 */
export function requireBinding(env: NodeJS.ProcessEnv = process.env): string {
  if (loaded) return loaded;
  const target = bindingTarget(env);
  const failures: { file: string; reason: string }[] = [];
  for (const file of [target.file, installedBinding()]) {
    if (!file) continue;
    let st;
    try {
      st = statSync(file, { throwIfNoEntry: false });
    } catch (err) {
      // A cache this user may not read (another user's, or a loop): the next candidate may serve.
      failures.push({ file, reason: `not readable (${(err as NodeJS.ErrnoException).code ?? errorMessage(err)})` });
      continue;
    }
    if (!st) continue;
    const version = `${file}\0${st.size}\0${st.mtimeMs}`;
    let reason = failed.get(version);
    if (reason === undefined) {
      try {
        // Loads it (Node keeps it for the process) and checks it opens a database.
        new Database(':memory:', { nativeBinding: file }).close();
        loaded = file;
        return file;
      } catch (err) {
        const why = loadFailure(err);
        if (why === null) throw err;
        failed.set(version, why);
        reason = why;
      }
    }
    failures.push({ file, reason });
  }
  throw new BindingMissingError(target, failures);
}

/** A SQLite connection through the plugin's driver: the ledger, or another tool's database. */
export function openSqlite(path: string, options: BetterSqlite3.Options = {}): Db {
  return new Database(path, { ...options, nativeBinding: requireBinding() });
}
