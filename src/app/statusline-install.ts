/**
 * `statusline --install` / `--uninstall`: the status line in the user's Claude Code settings
 * (`<config dir>/settings.json`, `statusLine`), since a plugin cannot set it itself. A copy of the
 * settings is kept before every change; a status line the user had is kept and run first (its output
 * first), never overwritten silently; uninstalling puts it back.
 *
 * Claude Code runs the command in a shell, without the plugin's variables or bin/ on PATH, and a
 * plugin update replaces the plugin's directory. So the command runs a small launcher kept beside
 * the settings, which runs this plugin's CLI, or once an update has moved it, the newest
 * sprint-budget in Claude Code's plugin cache.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError, errorMessage } from '../platform/errors';
import { claudeConfigDir } from '../transcripts/paths';

export interface StatusLineSetting {
  type?: string;
  command?: string;
  [k: string]: unknown;
}

/** What `--install` remembers, for `--uninstall`: the status line it found. */
interface InstallState {
  installed_at: string;
  previous: StatusLineSetting | null;
}

export interface InstallPaths {
  settings: string;
  launcher: string;
  state: string;
}

export function installPaths(env: NodeJS.ProcessEnv): InstallPaths {
  const dir = claudeConfigDir(env);
  return {
    settings: join(dir, 'settings.json'),
    launcher: join(dir, 'sprint-budget', 'statusline.cjs'),
    state: join(dir, 'sprint-budget', 'statusline.json'),
  };
}

/** This plugin's CLI: dist/cli.cjs beside the running bundle, or the checkout's plugin/dist when run from the sources. */
export function pluginCli(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [join(here, 'cli.cjs'), resolve(here, '../../plugin/dist/cli.cjs')]) if (existsSync(candidate)) return candidate;
  throw new UsageError('cannot find the plugin\'s dist/cli.cjs (run `npm run build` in a checkout)');
}

/** The launcher: runs `cli`, or the newest sprint-budget under `<config dir>/plugins/cache` once `cli` is gone. */
export function launcherSource(cli: string): string {
  return `"use strict";
// sprint-budget's status line, written by \`sprint-budget statusline --install\` (\`--uninstall\` removes it).
// Runs the plugin's CLI; once a plugin update has moved it, the newest sprint-budget in Claude Code's plugin cache.
const { existsSync, readdirSync } = require("node:fs");
const { join } = require("node:path");
function newest() {
  const cache = join(__dirname, "..", "plugins", "cache");
  const found = [];
  for (const market of existsSync(cache) ? readdirSync(cache) : []) {
    const dir = join(cache, market, "sprint-budget");
    for (const version of existsSync(dir) ? readdirSync(dir) : []) {
      const cli = join(dir, version, "dist", "cli.cjs");
      if (existsSync(cli)) found.push({ cli, v: version.split(/[.-]/).map((n) => Number(n) || 0) });
    }
  }
  found.sort((a, b) => { for (let i = 0; i < 4; i++) if ((a.v[i] || 0) !== (b.v[i] || 0)) return (b.v[i] || 0) - (a.v[i] || 0); return 0; });
  return found.length > 0 ? found[0].cli : null;
}
let cli = ${JSON.stringify(cli)};
if (!existsSync(cli)) cli = newest();
if (cli !== null) {
  process.argv.splice(2, 0, "statusline");
  require(cli);
}
`;
}

/** `'...'` for a POSIX shell. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The command Claude Code runs: colours on (it renders ANSI colours from a pipe), the previous status line first. */
export function statusCommand(launcher: string, previous: string | null, execPath: string): string {
  const cmd = `${shellQuote(execPath)} --liftoff-only ${shellQuote(launcher)} --color always`;
  return previous ? `${cmd} --with ${shellQuote(previous)}` : cmd;
}

/** A status line this plugin installed. */
export function isOurs(setting: unknown, paths: InstallPaths): boolean {
  const command = (setting as StatusLineSetting | null)?.command;
  return typeof command === 'string' && command.includes(shellQuote(paths.launcher));
}

function readSettings(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new UsageError(`cannot read ${path}: ${errorMessage(err)}`);
  }
  if (text.trim() === '') return {};
  try {
    const raw = JSON.parse(text) as unknown;
    if (raw && typeof raw === 'object' && !Array.isArray(raw)) return raw as Record<string, unknown>;
  } catch (err) {
    throw new UsageError(`${path} is not JSON (${errorMessage(err)}); it was left untouched`);
  }
  throw new UsageError(`${path} is not a JSON object; it was left untouched`);
}

function writeAtomically(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** A copy of the settings as they were, beside them; null when there were none. */
function backUp(settings: string, now: Date): string | null {
  if (!existsSync(settings)) return null;
  const backup = `${settings}.sprint-budget-${now.toISOString().replace(/[:.]/g, '-')}.bak`;
  copyFileSync(settings, backup);
  return backup;
}

export interface InstallResult {
  settings: string;
  backup: string | null;
  command: string;
  /** The status line that was there: kept, its output shown first. */
  combined: string | null;
  /** Already installed: the command was refreshed (a moved plugin, another node). */
  refreshed: boolean;
}

export function installStatusLine(env: NodeJS.ProcessEnv, now = new Date()): InstallResult {
  const paths = installPaths(env);
  const settings = readSettings(paths.settings);
  const current = settings.statusLine as StatusLineSetting | undefined;
  const refreshed = isOurs(current, paths);
  let previous: StatusLineSetting | null;
  if (refreshed) previous = readState(paths)?.previous ?? null;
  else {
    previous = current && typeof current === 'object' ? current : null;
    if (previous && (previous.type ?? 'command') !== 'command') {
      throw new UsageError(`${paths.settings} has a status line of type "${String(previous.type)}", which cannot be combined; it was left untouched`);
    }
    writeAtomically(paths.state, `${JSON.stringify({ installed_at: now.toISOString(), previous } satisfies InstallState, null, 2)}\n`);
  }
  writeAtomically(paths.launcher, launcherSource(pluginCli()));
  const before = typeof previous?.command === 'string' && previous.command.trim() !== '' ? previous.command : null;
  const command = statusCommand(paths.launcher, before, process.execPath);
  const backup = backUp(paths.settings, now);
  settings.statusLine = { ...(previous ?? {}), type: 'command', command };
  writeAtomically(paths.settings, `${JSON.stringify(settings, null, 2)}\n`);
  return { settings: paths.settings, backup, command, combined: before, refreshed };
}

function readState(paths: InstallPaths): InstallState | null {
  try {
    return JSON.parse(readFileSync(paths.state, 'utf8')) as InstallState;
  } catch {
    return null;
  }
}

export interface UninstallResult {
  settings: string;
  backup: string | null;
  /** What the status line is again: the one found at install, or none. */
  restored: StatusLineSetting | null;
}

export function uninstallStatusLine(env: NodeJS.ProcessEnv, now = new Date()): UninstallResult {
  const paths = installPaths(env);
  const settings = readSettings(paths.settings);
  if (!isOurs(settings.statusLine, paths)) {
    throw new UsageError(`the status line in ${paths.settings} is not sprint-budget's (changed since it was installed?); it was left as it is`);
  }
  const previous = readState(paths)?.previous ?? null;
  const backup = backUp(paths.settings, now);
  if (previous) settings.statusLine = previous;
  else delete settings.statusLine;
  writeAtomically(paths.settings, `${JSON.stringify(settings, null, 2)}\n`);
  rmSync(paths.launcher, { force: true });
  rmSync(paths.state, { force: true });
  return { settings: paths.settings, backup, restored: previous };
}
