/**
 * What Claude Code's own files say about this plugin: where it is installed
 * (`<plugins dir>/installed_plugins.json`), whether it is enabled (`enabledPlugins` in the settings
 * files, the most specific scope winning: user < project < local < managed), and whether plugin hooks
 * run at all (`disableAllHooks`; managed `allowManagedHooksOnly`). Read, never written: enabling a
 * plugin is Claude Code's job (`claude plugin enable`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PLUGIN_NAME = 'sprint-budget';

export type SettingsScope = 'user' | 'project' | 'local' | 'managed';

/** The plugin folder this code runs from (the nearest with `.claude-plugin/plugin.json` above it), or null. */
export function ownPluginRoot(from: string = fileURLToPath(import.meta.url)): string | null {
  for (let d = dirname(from); ; d = dirname(d)) {
    if (existsSync(join(d, '.claude-plugin', 'plugin.json'))) return d;
    if (dirname(d) === d) return null;
  }
}

/**
 * A hooks.json's command hooks: each event's Node and the flags it starts the hook's bundle with,
 * directly (`node <flags> <bundle>.cjs`) or through a wrapper that ends in `exec node "$@"`
 * (`sh run-when.sh <mode> <flags> <bundle>.cjs`): the flags are the options just before the bundle.
 */
export function hookCommands(hooksJson: string): { event: string; node: string; flags: string[] }[] {
  const config = readJson(hooksJson);
  const hooks = isRecord(config) && isRecord(config.hooks) ? config.hooks : {};
  const found: { event: string; node: string; flags: string[] }[] = [];
  for (const [event, entries] of Object.entries(hooks)) {
    for (const entry of Array.isArray(entries) ? entries : []) {
      for (const h of isRecord(entry) && Array.isArray(entry.hooks) ? entry.hooks : []) {
        if (!isRecord(h) || h.type !== 'command') continue;
        const command = text(h.command);
        if (!command) continue;
        const args = Array.isArray(h.args) ? h.args.filter((a): a is string => typeof a === 'string') : [];
        const bundle = args.findIndex((a) => a.endsWith('.cjs'));
        let first = bundle;
        while (first > 0 && (args[first - 1] as string).startsWith('-')) first--;
        found.push({ event, node: basename(command) === 'node' ? command : 'node', flags: bundle === -1 ? [] : args.slice(first, bundle) });
      }
    }
  }
  return found;
}

/** Where Claude Code keeps plugins: `$CLAUDE_CODE_PLUGIN_CACHE_DIR`, else `<config dir>/plugins`. */
export function pluginsDir(configDir: string, env: NodeJS.ProcessEnv): string {
  return env.CLAUDE_CODE_PLUGIN_CACHE_DIR?.trim() || join(configDir, 'plugins');
}

/** The settings files, least specific first. */
export function settingsFiles(configDir: string, projectDir: string, platform: NodeJS.Platform = process.platform): { scope: SettingsScope; path: string }[] {
  const managed = platform === 'darwin' ? '/Library/Application Support/ClaudeCode/managed-settings.json' : '/etc/claude-code/managed-settings.json';
  return [
    { scope: 'user', path: join(configDir, 'settings.json') },
    { scope: 'project', path: join(projectDir, '.claude', 'settings.json') },
    { scope: 'local', path: join(projectDir, '.claude', 'settings.local.json') },
    { scope: 'managed', path: managed },
  ];
}

export interface PluginInstall {
  /** `sprint-budget@<marketplace>`. */
  id: string;
  scope: string;
  version: string | null;
  installPath: string;
  /**
   * Where Claude Code reads the plugin from (its hooks, its bin/): the install path, except for a
   * marketplace that is a local directory, whose plugin is read in place (seen with 2.1.332:
   * `claude plugin list --json` gives it as `readFromFolder`).
   */
  readFrom: string;
}

export interface PluginStatus {
  /** Installs that apply to the project: user-wide, or made for this project. */
  installs: PluginInstall[];
  /** The install that is enabled, and the settings file that enables it. */
  enabled: { install: PluginInstall; by: string } | null;
  /** The most specific settings file that sets `disableAllHooks` (or managed `allowManagedHooksOnly`), when it turns hooks off. */
  hooksOffBy: string | null;
  /** Settings files that exist but are not JSON objects (Claude Code ignores them too). */
  unreadable: string[];
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function text(v: unknown): string | null {
  return typeof v === 'string' && v ? v : null;
}

/** A directory marketplace's plugin folder, from known_marketplaces.json and its marketplace.json; else null. */
function directoryPlugin(plugins: string, marketplace: string): string | null {
  try {
    const known = readJson(join(plugins, 'known_marketplaces.json'));
    const source = isRecord(known) && isRecord(known[marketplace]) ? known[marketplace].source : null;
    if (!isRecord(source) || source.source !== 'directory') return null;
    const dir = text(source.path);
    if (!dir) return null;
    const manifest = readJson(join(dir, '.claude-plugin', 'marketplace.json'));
    const entry = isRecord(manifest) && Array.isArray(manifest.plugins) ? manifest.plugins.find((p) => isRecord(p) && p.name === PLUGIN_NAME) : null;
    const rel = isRecord(entry) ? text(entry.source) : null;
    return rel ? join(dir, rel) : null;
  } catch {
    return null;
  }
}

function installsOf(plugins: string, projectDir: string): PluginInstall[] {
  let raw: unknown;
  try {
    raw = readJson(join(plugins, 'installed_plugins.json'));
  } catch {
    return [];
  }
  const all = isRecord(raw) && isRecord(raw.plugins) ? raw.plugins : {};
  const installs: PluginInstall[] = [];
  for (const [id, entries] of Object.entries(all)) {
    if (!id.startsWith(`${PLUGIN_NAME}@`) || !Array.isArray(entries)) continue;
    for (const e of entries) {
      if (!isRecord(e)) continue;
      const installPath = text(e.installPath);
      const projectPath = text(e.projectPath);
      if (!installPath || (projectPath !== null && projectPath !== projectDir)) continue;
      const marketplace = id.slice(PLUGIN_NAME.length + 1);
      installs.push({ id, scope: text(e.scope) ?? 'user', version: text(e.version), installPath, readFrom: directoryPlugin(plugins, marketplace) ?? installPath });
    }
  }
  return installs;
}

export function pluginStatus(opts: { configDir: string; projectDir: string; env: NodeJS.ProcessEnv }): PluginStatus {
  const installs = installsOf(pluginsDir(opts.configDir, opts.env), opts.projectDir);
  const unreadable: string[] = [];
  const enabledIn = new Map<string, { on: boolean; by: string }>();
  let hooksOffBy: string | null = null;
  for (const { scope, path } of settingsFiles(opts.configDir, opts.projectDir)) {
    if (!existsSync(path)) continue;
    let s: unknown;
    try {
      s = readJson(path);
    } catch {
      s = null;
    }
    if (!isRecord(s)) {
      unreadable.push(path);
      continue;
    }
    if (isRecord(s.enabledPlugins)) {
      for (const [id, on] of Object.entries(s.enabledPlugins)) if (typeof on === 'boolean') enabledIn.set(id, { on, by: path });
    }
    if (typeof s.disableAllHooks === 'boolean') hooksOffBy = s.disableAllHooks ? path : null;
    if (scope === 'managed' && s.allowManagedHooksOnly === true) hooksOffBy = path;
  }
  let enabled: PluginStatus['enabled'] = null;
  for (const install of installs) {
    const e = enabledIn.get(install.id);
    if (e?.on) {
      enabled = { install, by: e.by };
      break;
    }
  }
  return { installs, enabled, hooksOffBy, unreadable };
}
