/**
 * Installing the plugin as users do, with the real `claude`: `claude plugin marketplace add <a clone
 * of this repository>` then `claude plugin install`, into a private HOME.
 */
import { copyFileSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execaSync } from 'execa';
import { REPO } from './cli';
import { claudeEnv, runClaudeRaw } from './claude';

/** The repository as a clone has it: its files, without node_modules or anything ignored. */
export function exportCheckout(): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'sb-repo-')));
  const files = execaSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO }).stdout;
  for (const f of files.split('\0').filter(Boolean)) {
    if (!existsSync(join(REPO, f))) continue; // deleted in the work tree
    if (lstatSync(join(REPO, f)).isSymbolicLink() && statSync(join(REPO, f)).isDirectory()) continue; // a work tree's link to shared node_modules
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    cpSync(join(REPO, f), join(dir, f));
  }
  return dir;
}

export interface Installed {
  /** The clone the marketplace was added from. */
  repo: string;
  /** `sprint-budget@<marketplace>`. */
  id: string;
  /** Where `claude plugin install` put its copy (installed_plugins.json's installPath). */
  installPath: string;
}

/**
 * Adds this repository as a marketplace and installs the plugin from it into `home`. A user's
 * machine has its npm configuration; the private HOME would lose it: here it sets nodedir=/usr, without
 * which node-gyp tries to download Node's headers (no network for that here).
 */
export async function installFromMarketplace(home: string, cwd: string, apiUrl = 'http://127.0.0.1:9'): Promise<Installed> {
  const npmrc = join(homedir(), '.npmrc');
  if (existsSync(npmrc) && !existsSync(join(home, '.npmrc'))) copyFileSync(npmrc, join(home, '.npmrc'));
  const env = claudeEnv(home, apiUrl);
  const repo = exportCheckout();
  const market = JSON.parse(readFileSync(join(repo, '.claude-plugin/marketplace.json'), 'utf8')) as { name: string; plugins: { name: string }[] };
  const id = `${market.plugins[0]?.name}@${market.name}`;
  for (const args of [['plugin', 'marketplace', 'add', repo], ['plugin', 'install', id]]) {
    const r = await runClaudeRaw(args, { cwd, env });
    if (r.code !== 0) throw new Error(`claude ${args.join(' ')} failed: ${r.stdout}${r.stderr}`);
  }
  const installed = JSON.parse(readFileSync(join(home, '.claude/plugins/installed_plugins.json'), 'utf8')) as { plugins: Record<string, { installPath: string }[]> };
  return { repo, id, installPath: installed.plugins[id]?.[0]?.installPath as string };
}

/** `claude plugin list --json`'s view of the plugin: Claude Code's own answer to "enabled, read from where". */
export async function claudePluginView(home: string, cwd: string, id: string): Promise<{ enabled: boolean; readFromFolder?: string } | undefined> {
  const r = await runClaudeRaw(['plugin', 'list', '--json'], { cwd, env: claudeEnv(home, 'http://127.0.0.1:9') });
  return (JSON.parse(r.stdout) as { id: string; enabled: boolean; readFromFolder?: string }[]).find((p) => p.id === id);
}
