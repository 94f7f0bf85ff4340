/**
 * e2e 4: installed as users install it — `claude plugin marketplace add <a clone>` + `claude plugin
 * install` into a fresh HOME (and a fresh cache directory: no SQLite driver built yet) — then a
 * session whose first action is what `/sprint-budget:sprint` does first: `sprint-budget create …`
 * through the Bash tool, found on PATH through the installed plugin's bin/.
 *
 * Seen with Claude Code 2.1.332: install copies the plugin to its cache and runs `npm ci
 * --ignore-scripts` there, so the cache's better-sqlite3 has no binding; and for a marketplace that
 * is a local directory, Claude Code reads the plugin in place (its hooks and its bin/ are the
 * clone's, which has no node_modules at all). SessionStart, finding no driver for this Node, starts
 * the one-time build in the background (no ledger yet); the first command waits for it, then
 * creates the sprint; the session's spend is then recorded in full. The build is real: npm installs
 * better-sqlite3 from the plugin's lockfile and compiles it (2-3 minutes here).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindingTarget } from '../../src/install/binding';
import { type FakeApi, startFakeApi, toolResultText } from '../../scripts/fake-api.mjs';
import { type ClaudeRun, type Project, measured, runClaude, servedBilling, tempHome } from '../helpers/claude';
import { tempProject } from '../helpers/cli';
import { spoolEmpty } from '../helpers/hooks';
import { type Installed, claudePluginView, installFromMarketplace } from '../helpers/marketplace';

const BUILD_LIMIT_MS = 8 * 60_000; // compiling better-sqlite3 from source takes 2-3 minutes here
const CREATE = 'sprint-budget create "Install e2e sprint" --budget 1M';

async function waitFor(what: string, limitMs: number, done: () => boolean): Promise<void> {
  for (const until = Date.now() + limitMs; !done(); ) {
    if (Date.now() > until) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

describe('installed from a marketplace into a fresh HOME, first command in a session', () => {
  let api: FakeApi;
  let home: string;
  let cache: string;
  let dir: string;
  let installed: Installed;
  let run: ClaudeRun;

  beforeAll(async () => {
    api = await startFakeApi(
      [
        { name: 'sub', marker: 'E2E-INSTALL-SUB', turns: [{ text: 'sub done', usage: { input_tokens: 500, output_tokens: 20 } }] },
        {
          name: 'main',
          marker: 'E2E-INSTALL',
          turns: [
            // As a model following the command text would: the first command may build the driver, so a long timeout.
            { tools: [{ name: 'Bash', input: { command: CREATE, timeout: 600_000 } }], usage: { input_tokens: 1000, output_tokens: 40 } },
            { tools: [{ name: 'Bash', input: { command: 'command -v sprint-budget' } }], usage: { input_tokens: 1050, output_tokens: 30 } },
            {
              tools: [{ name: 'Agent', input: { description: 'sub', prompt: 'E2E-INSTALL-SUB say hi', subagent_type: 'general-purpose', run_in_background: false } }],
              usage: { input_tokens: 1100, output_tokens: 41 },
            },
            { text: 'Done.', usage: { input_tokens: 1200, output_tokens: 42 } },
          ],
        },
      ],
      { label: 'install' },
    );
    home = tempHome();
    cache = join(home, '.cache');
    dir = tempProject('sb-e2e-');
    installed = await installFromMarketplace(home, dir, api.url);
    run = await runClaude('E2E-INSTALL: work', { cwd: dir, home, apiUrl: api.url, pluginDir: null, env: { XDG_CACHE_HOME: cache } });
  }, BUILD_LIMIT_MS);
  afterAll(async () => {
    await api?.close();
    for (const d of [home, installed?.repo]) if (d) rmSync(d, { recursive: true, force: true });
  });

  const target = () => bindingTarget({ XDG_CACHE_HOME: cache });
  const toolResult = (step: number) => toolResultText(api.requests, api.served().find((s) => s.script === 'main' && s.step === step)?.toolUseIds[0] as string);

  it('the install left no working binding: the cache has better-sqlite3 uncompiled, the clone none at all', () => {
    expect(installed.installPath).toContain(join(home, '.claude/plugins/cache'));
    expect(existsSync(join(installed.installPath, 'node_modules/better-sqlite3/package.json'))).toBe(true);
    expect(existsSync(join(installed.installPath, 'node_modules/better-sqlite3/build'))).toBe(false);
    // Only the runtime dependency was installed, not the repository's development tools.
    expect(existsSync(join(installed.installPath, 'node_modules/vitest'))).toBe(false);
    expect(existsSync(join(installed.repo, 'node_modules'))).toBe(false);
    expect(run.result?.is_error, run.stderr).toBe(false);
    expect(api.served().map((s) => `${s.script}:${s.step}`)).toEqual(['main:0', 'main:1', 'main:2', 'sub:0', 'main:3']);
  });

  it("SessionStart of the plugin Claude Code reads (the clone's) started the one build, with no ledger yet", async () => {
    const view = await claudePluginView(home, dir, installed.id);
    expect(view?.readFromFolder).toBe(join(installed.repo, 'plugin'));
    const log = readFileSync(join(target().dir, 'build.log'), 'utf8');
    const started = log.split('\n').filter((l) => l.includes(' building better-sqlite3 '));
    expect(started).toHaveLength(1);
    expect(started[0]).toMatch(new RegExp(`started by ${join(installed.repo, 'plugin/dist/hooks/session-start.cjs')}$`));
    // From the plugin's lockfile (the clone has no node_modules), in staging, then compiled and checked.
    expect(log).toContain(` npm ci --omit=dev --ignore-scripts=false --foreground-scripts --no-audit --no-fund in ${join(target().dir, 'build')} (from ${join(installed.repo, 'plugin')})\n`);
    expect(log).toMatch(new RegExp(`repaired in \\d+ s: ${target().file}\\n$`));
    expect(existsSync(join(installed.repo, 'plugin/node_modules'))).toBe(false);
  });

  it("the first command, the installed plugin's CLI, waited for that build and then created the sprint", () => {
    const created = toolResult(0) ?? '';
    expect(created).toMatch(
      new RegExp(`sprint-budget: waiting for the SQLite driver build for Node ${process.version.replaceAll('.', '\\.')} \\(ABI ${process.versions.modules}\\) already under way, started \\d+ s ago`),
    );
    expect(created).toMatch(/^sb-[a-z0-9]{6}$/m);
    expect(toolResult(1)?.trim()).toBe(join(installed.repo, 'plugin/bin/sprint-budget'));
    expect(existsSync(join(dir, '.sprint-budget/ledger.db'))).toBe(true);
  });

  it('the spend from the moment create attached the session is recorded in full', async () => {
    await waitFor('the spool to be applied', 60_000, () => spoolEmpty({ project: dir }));
    const sprintId = /^(sb-[a-z0-9]{6})$/m.exec(toolResult(0) ?? '')?.[1] as string;
    const project: Project = { dir, home, sprintId };
    // The response that asked for `create` was made before the session was attached: it is not the sprint's.
    const served = api.served().filter((s) => !(s.script === 'main' && s.step === 0));
    expect(measured(project)).toMatchObject({
      billing: servedBilling(served),
      byAgentType: { main: servedBilling(served, 'main'), 'general-purpose': servedBilling(served, 'sub') },
    });
  });
});
