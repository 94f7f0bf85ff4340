/**
 * e2e 4: installed as users install it — `claude plugin marketplace add <repo dir>` + `claude plugin
 * install` into a fresh HOME — the plugin has no working better-sqlite3. Seen with Claude Code 2.1.332:
 * install copies the plugin (plugin/) to its cache and runs `npm ci --ignore-scripts` there with the
 * plugin's own package.json and lockfile (better-sqlite3 and nothing else), so the cache's
 * better-sqlite3 has no binding; and for a marketplace that is a local directory, the hooks then run
 * from that directory itself (CLAUDE_PLUGIN_ROOT = <clone>/plugin), a clone with no node_modules. Either way the first hook of the next session starts the one-time repair in the
 * background, no event is lost meanwhile, and the session's spend is recorded in full.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli';
import { type FakeApi, startFakeApi } from '../../scripts/fake-api.mjs';
import { spoolEmpty } from '../helpers/hooks';
import { type ClaudeRun, type Project, claudeEnv, measured, projectWithSprint, runClaude, runClaudeRaw, servedBilling } from '../helpers/claude';

/** The repository as a clone has it: its files, without node_modules or anything ignored. */
function exportCheckout(): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'sb-repo-')));
  const files = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO, encoding: 'utf8' });
  for (const f of files.stdout.split('\0').filter(Boolean)) {
    if (!existsSync(join(REPO, f))) continue; // deleted in the work tree
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    cpSync(join(REPO, f), join(dir, f));
  }
  return dir;
}

async function waitFor(what: string, limitMs: number, done: () => boolean): Promise<void> {
  const until = Date.now() + limitMs;
  while (!done()) {
    if (Date.now() > until) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

const REBUILD_LIMIT_MS = 8 * 60_000; // compiling better-sqlite3 from source takes 2-3 minutes here

describe('installed from a marketplace into a fresh HOME', () => {
  let api: FakeApi;
  let project: Project;
  let repo: string;
  let cacheDir: string;
  let run: ClaudeRun;

  beforeAll(async () => {
    api = await startFakeApi([
      { name: 'sub', marker: 'E2E-INSTALL-SUB', turns: [{ text: 'sub done', usage: { input_tokens: 500, output_tokens: 20 } }] },
      {
        name: 'main',
        marker: 'E2E-INSTALL',
        turns: [
          { tools: [{ name: 'Bash', input: { command: 'echo working' } }], usage: { input_tokens: 1000, output_tokens: 40 } },
          {
            tools: [{ name: 'Agent', input: { description: 'sub', prompt: 'E2E-INSTALL-SUB say hi', subagent_type: 'general-purpose', run_in_background: false } }],
            usage: { input_tokens: 1100, output_tokens: 41 },
          },
          { text: 'Done.', usage: { input_tokens: 1200, output_tokens: 42 } },
        ],
      },
    ], { label: 'install' });
    project = projectWithSprint(['Install e2e sprint', '--budget', '1M']);
    // A user's machine has its npm configuration; the temporary HOME would lose it. Here it sets
    // nodedir=/usr, without which node-gyp tries to download Node's headers (no network here).
    const npmrc = join(homedir(), '.npmrc');
    if (existsSync(npmrc)) copyFileSync(npmrc, join(project.home, '.npmrc'));

    const env = claudeEnv(project.home, api.url);
    repo = exportCheckout();
    const market = JSON.parse(readFileSync(join(repo, '.claude-plugin/marketplace.json'), 'utf8')) as { name: string; plugins: { name: string }[] };
    const plugin = market.plugins[0]?.name as string;
    const add = await runClaudeRaw(['plugin', 'marketplace', 'add', repo], { cwd: project.dir, env });
    expect(add.code, add.stdout + add.stderr).toBe(0);
    const install = await runClaudeRaw(['plugin', 'install', `${plugin}@${market.name}`], { cwd: project.dir, env });
    expect(install.code, install.stdout + install.stderr).toBe(0);
    const installed = JSON.parse(readFileSync(join(project.home, '.claude/plugins/installed_plugins.json'), 'utf8')) as {
      plugins: Record<string, { installPath: string }[]>;
    };
    cacheDir = installed.plugins[`${plugin}@${market.name}`]?.[0]?.installPath as string;

    run = await runClaude('E2E-INSTALL: work', { cwd: project.dir, home: project.home, apiUrl: api.url, pluginDir: null });
  }, REBUILD_LIMIT_MS);
  afterAll(async () => {
    await api?.close();
    for (const dir of [project?.home, repo]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Where the hooks ran from: the directory that holds the repair's log or lock. */
  const pluginRoot = () => [join(repo, 'plugin'), cacheDir].find((d) => existsSync(join(d, '.sprint-budget-repair.log'))) as string;
  const lock = () => join(pluginRoot(), '.sprint-budget-repair.lock');

  it('the install left no working binding, and the first hook started the repair', () => {
    expect(cacheDir).toContain(join(project.home, '.claude/plugins/cache'));
    expect(existsSync(join(cacheDir, 'node_modules/better-sqlite3/package.json'))).toBe(true);
    expect(existsSync(join(cacheDir, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'))).toBe(false);
    // Only the runtime dependency was installed, not the repository's development tools.
    expect(existsSync(join(cacheDir, 'node_modules/@anthropic-ai'))).toBe(false);
    expect(existsSync(join(cacheDir, 'node_modules/vitest'))).toBe(false);
    expect(pluginRoot()).toBeDefined();
    expect(run.result?.is_error, run.stderr).toBe(false);
    expect(api.served().map((s) => `${s.script}:${s.step}`)).toEqual(['main:0', 'main:1', 'sub:0', 'main:2']);
  });

  it(
    'the repair builds the binding once, and the queued events give the full spend',
    async () => {
      await waitFor('the binding repair', REBUILD_LIMIT_MS, () => !existsSync(lock()));
      const log = readFileSync(join(pluginRoot(), '.sprint-budget-repair.log'), 'utf8');
      expect(log.split('\n').filter((l) => / npm (rebuild|ci) /.test(l)), 'one repair').toHaveLength(1);
      expect(log).toMatch(/repaired\n$/);
      expect(existsSync(join(pluginRoot(), 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'))).toBe(true);
      await waitFor('the spool to be applied', 60_000, () => spoolEmpty({ project: project.dir }));
      const served = api.served();
      expect(measured(project)).toMatchObject({
        billing: servedBilling(served),
        byAgentType: { main: servedBilling(served, 'main'), 'general-purpose': servedBilling(served, 'sub') },
      });
    },
    REBUILD_LIMIT_MS + 60_000,
  );
});
