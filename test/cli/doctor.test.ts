/**
 * `sprint-budget doctor`, run as a process: each check on the real thing where it can be had here
 * (the real `claude` installs and disables the plugin, real Node rejects a bad flag, a real ledger is
 * locked), with a stand-in only where the real one cannot run here, said where it is used.
 */
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Check, CheckName } from '../../src/app/doctor';
import { bindingTarget, installedBinding, openSqlite } from '../../src/install/binding';
import { openLedger } from '../../src/ledger/db';
import { encodeProjectDir } from '../../src/transcripts/paths';
import { CLAUDE, claudeEnv, runClaudeRaw, tempHome } from '../helpers/claude';
import { PLUGIN, type RunResult, runCli, runProcess, tempProject } from '../helpers/cli';
import { claudePluginView, installFromMarketplace, type Installed } from '../helpers/marketplace';
import { pluginCopy, runCopyCli } from '../helpers/plugin-copy';

/** PATH without the checkout's node_modules/.bin (where the real `claude` is): this Node and the system's tools. */
const BARE_PATH = [dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(':');
/** PATH with the real `claude` 2.1.332 (the dev dependency) on it. */
const CLAUDE_PATH = `${dirname(CLAUDE)}:${BARE_PATH}`;

function doctor(args: string[], cwd: string, env: NodeJS.ProcessEnv): RunResult & { checks: Record<CheckName, Check>; ok: boolean } {
  const r = runCli(['doctor', '--json', ...args], { cwd, env: { PATH: BARE_PATH, ...env } });
  const report = JSON.parse(r.stdout) as { ok: boolean; checks: Check[] };
  return { ...r, ok: report.ok, checks: Object.fromEntries(report.checks.map((c) => [c.name, c])) as Record<CheckName, Check> };
}

describe('doctor', () => {
  let home: string;
  let project: string;
  let installed: Installed;

  beforeAll(async () => {
    home = tempHome();
    project = tempProject('sb-doctor-');
    installed = await installFromMarketplace(home, project);
  }, 120_000);

  /** A transcript of a session in the project, where Claude Code writes it. */
  function writeTranscript(h: string, dir: string): void {
    const projects = join(h, '.claude/projects', encodeProjectDir(dir));
    mkdirSync(projects, { recursive: true });
    writeFileSync(join(projects, '2f615247-9f0e-4d07-ade0-cad4d6e2665c.jsonl'), '{"type":"summary"}\n');
  }

  it('everything in place: one ok line per check, exit 0', () => {
    writeTranscript(home, project);
    expect(runCli(['create', 'Doctor sprint'], { cwd: project }).code).toBe(0);
    const r = runCli(['doctor'], { cwd: project, env: { HOME: home, PATH: CLAUDE_PATH } });
    expect(r.code, r.stdout).toBe(0);
    const lines = r.stdout.split('\n').filter(Boolean);
    expect(lines.slice(0, -1).map((l) => l.split(/\s+/).slice(0, 2).join(' '))).toEqual([
      'ok node',
      'ok binding',
      'ok node-flags',
      'ok hooks',
      'ok transcripts',
      'ok ledger',
      'ok claude-code',
    ]);
    expect(lines.at(-1)).toBe('Nothing to fix.');
    expect(r.stderr).toBe('');
  });

  it('node: this Node, its ABI and where it is', () => {
    const { checks } = doctor([], project, { HOME: home });
    expect(checks.node).toEqual({ name: 'node', status: 'ok', detail: `Node ${process.version} (ABI ${process.versions.modules}) at ${process.execPath}`, fix: null });
  });

  it('hooks: installed and enabled as Claude Code itself sees it, read from where Claude Code reads it', async () => {
    const { checks } = doctor([], project, { HOME: home });
    const view = await claudePluginView(home, project, installed.id);
    expect(view).toMatchObject({ enabled: true, readFromFolder: join(installed.repo, 'plugin') });
    expect(checks.hooks.status).toBe('ok');
    const events = Object.keys((JSON.parse(readFileSync(join(PLUGIN, 'hooks/hooks.json'), 'utf8')) as { hooks: Record<string, unknown> }).hooks);
    expect(checks.hooks.detail).toBe(
      `${installed.id} 0.1.0 (user) enabled in ${join(home, '.claude/settings.json')}; ${events.length} hooks (${events.join(', ')}) from ${join(installed.repo, 'plugin/hooks/hooks.json')}`,
    );
  });

  it('hooks: not installed, disabled with `claude plugin disable`, or every hook turned off in settings', async () => {
    const bare = tempHome();
    const none = doctor([], project, { HOME: bare });
    expect(none.code).toBe(1);
    expect(none.checks.hooks).toMatchObject({
      status: 'fail',
      detail: `sprint-budget is not installed in Claude Code (${join(bare, '.claude/plugins/installed_plugins.json')})`,
      fix: 'claude plugin marketplace add <marketplace>; claude plugin install sprint-budget@<marketplace>',
    });

    const h = tempHome();
    const other = tempProject('sb-doctor-');
    const inst = await installFromMarketplace(h, other);
    const off = await runClaudeRaw(['plugin', 'disable', inst.id], { cwd: other, env: claudeEnv(h, 'http://127.0.0.1:9') });
    expect(off.code, off.stderr).toBe(0);
    expect(await claudePluginView(h, other, inst.id)).toMatchObject({ enabled: false });
    expect(doctor([], other, { HOME: h }).checks.hooks).toMatchObject({ status: 'fail', detail: `${inst.id} is installed but not enabled`, fix: `claude plugin enable ${inst.id}` });

    expect((await runClaudeRaw(['plugin', 'enable', inst.id], { cwd: other, env: claudeEnv(h, 'http://127.0.0.1:9') })).code).toBe(0);
    expect(doctor([], other, { HOME: h }).checks.hooks.status).toBe('ok');
    // A project's own settings turn every hook off.
    mkdirSync(join(other, '.claude'));
    writeFileSync(join(other, '.claude/settings.json'), JSON.stringify({ disableAllHooks: true }));
    expect(doctor([], other, { HOME: h }).checks.hooks).toMatchObject({ status: 'fail', fix: `remove that setting from ${join(other, '.claude/settings.json')}` });
    // ...and the local settings, more specific, turn them back on.
    writeFileSync(join(other, '.claude/settings.local.json'), JSON.stringify({ disableAllHooks: false }));
    expect(doctor([], other, { HOME: h }).checks.hooks.status).toBe('ok');
    // A project disabling the plugin for itself.
    writeFileSync(join(other, '.claude/settings.local.json'), JSON.stringify({ enabledPlugins: { [inst.id]: false } }));
    expect(await claudePluginView(h, other, inst.id)).toMatchObject({ enabled: false });
    expect(doctor([], other, { HOME: h }).checks.hooks.status).toBe('fail');
  }, 120_000);

  it('node-flags: a flag in hooks.json this Node rejects disables every hook, and doctor says so', () => {
    // A plugin whose hooks.json passes a flag real Node rejects, as a Node without --liftoff-only would.
    const copy = pluginCopy({ modules: false, npm: 'fail' });
    const hooksJson = join(copy.root, 'hooks/hooks.json');
    writeFileSync(hooksJson, readFileSync(hooksJson, 'utf8').replaceAll('--liftoff-only', '--no-such-v8-flag'));
    const r = runCopyCli(copy, ['doctor', '--json'], project, { HOME: tempHome(), PATH: BARE_PATH });
    const check = (JSON.parse(r.stdout) as { checks: Check[] }).checks.find((c) => c.name === 'node-flags');
    expect(check).toEqual({
      name: 'node-flags',
      status: 'fail',
      detail: expect.stringMatching(/^`node --no-such-v8-flag -e 0` fails \(.*bad option: --no-such-v8-flag\): Claude Code starts every hook this way, so none of them runs$/),
      fix: 'install Node 22 or 24 (LTS) and put it first on PATH',
    });
    expect(r.code).toBe(1);
    expect(doctor([], project, { HOME: home }).checks['node-flags']).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^`node --liftoff-only -e 0` runs \(/) });
  });

  it('binding: missing for this Node says which Node and how to build it; --fix builds it', () => {
    const copy = pluginCopy({ modules: true, npm: 'rebuild' });
    const t = bindingTarget({ XDG_CACHE_HOME: copy.cache });
    const before = runCopyCli(copy, ['doctor', '--json'], project, { HOME: home, PATH: `${copy.env.PATH}` });
    expect(before.code).toBe(1);
    expect((JSON.parse(before.stdout) as { checks: Check[] }).checks.find((c) => c.name === 'binding')).toEqual({
      name: 'binding',
      status: 'fail',
      detail: `no better-sqlite3 binding for Node ${process.version} (ABI ${process.versions.modules}, ${process.platform}-${process.arch}): none built yet (${t.file})`,
      fix: 'sprint-budget doctor --fix (builds it: seconds with a prebuilt download, 2-5 minutes when it compiles)',
    });
    const fixed = runCopyCli(copy, ['doctor', '--fix', '--json'], project, { HOME: home });
    expect((JSON.parse(fixed.stdout) as { checks: Check[] }).checks.find((c) => c.name === 'binding')).toEqual({
      name: 'binding',
      status: 'ok',
      detail: `better-sqlite3 loads for Node ABI ${process.versions.modules} (${process.platform}-${process.arch}): ${t.file}`,
      fix: null,
    });
    expect(fixed.stderr).toMatch(/; building it now, once \(/);
  });

  it('binding: one that is being built is a warning, not something to fix', () => {
    const copy = pluginCopy({ modules: true, npm: 'rebuild' });
    const t = bindingTarget({ XDG_CACHE_HOME: copy.cache });
    mkdirSync(t.dir, { recursive: true });
    writeFileSync(join(t.dir, 'build.lock'), '1 elsewhere\n');
    const r = runCopyCli(copy, ['doctor', '--json'], project, { HOME: home });
    expect((JSON.parse(r.stdout) as { checks: Check[] }).checks.find((c) => c.name === 'binding')).toMatchObject({
      status: 'warn',
      detail: expect.stringMatching(/; being built for \d+ s \(log: .*build\.log\)$/),
    });
  });

  // A binding built for another Node, next to the CLI: its Node's full reason, not cut short. It takes
  // a Node other than the one that built the checkout's node_modules (CI runs this file on Node 22 and 24).
  const foreignBinding = (() => {
    const file = installedBinding(join(PLUGIN, 'dist/cli.bundle.cjs'));
    try {
      if (file) new Database(':memory:', { nativeBinding: file }).close();
      return null;
    } catch {
      return file;
    }
  })();
  it.skipIf(foreignBinding === null)('binding: one built for another Node is reported with which Node and why, in full', () => {
    const cache = mkdtempSync(join(tmpdir(), 'sb-cache-'));
    const { checks } = doctor([], project, { HOME: home, XDG_CACHE_HOME: cache });
    const file = foreignBinding as string;
    expect(checks.binding.status).toBe('fail');
    expect(checks.binding.detail).toMatch(
      new RegExp(
        `^no better-sqlite3 binding for Node ${process.version.replaceAll('.', '\\.')} \\(ABI ${process.versions.modules}, ${process.platform}-${process.arch}\\): ${file} cannot be loaded: ` +
          `The module '.*better_sqlite3\\.node' was compiled against a different Node\\.js version using NODE_MODULE_VERSION \\d+\\. This version of Node\\.js requires NODE_MODULE_VERSION ${process.versions.modules}\\. Please try re-compiling or re-installing the module \\(for instance, using \`npm rebuild\` or \`npm install\`\\)$`,
      ),
    );
  });

  it('transcripts: none for Claude Code at all, none yet for this project, found; and this session\'s own', () => {
    const h = tempHome();
    const dir = tempProject('sb-doctor-');
    expect(doctor([], dir, { HOME: h }).checks.transcripts).toMatchObject({ status: 'fail', detail: `no ${join(h, '.claude/projects')}: Claude Code has not run with this config directory` });
    mkdirSync(join(h, '.claude/projects'), { recursive: true });
    expect(doctor([], dir, { HOME: h }).checks.transcripts).toMatchObject({ status: 'warn', fix: null });
    writeTranscript(h, dir);
    expect(doctor([], dir, { HOME: h }).checks.transcripts).toEqual({
      name: 'transcripts',
      status: 'ok',
      detail: `${join(h, '.claude/projects', encodeProjectDir(dir))} (1 session)`,
      fix: null,
    });
    // Inside a Claude Code session, its own transcript must be there.
    expect(doctor([], dir, { HOME: h, CLAUDE_CODE_SESSION_ID: '2f615247-9f0e-4d07-ade0-cad4d6e2665c' }).checks.transcripts.status).toBe('ok');
    expect(doctor([], dir, { HOME: h, CLAUDE_CODE_SESSION_ID: 'aaaaaaaa-0000-0000-0000-000000000000' }).checks.transcripts).toMatchObject({
      status: 'fail',
      fix: "set CLAUDE_CONFIG_DIR to Claude Code's config directory if it is not ~/.claude",
    });
  });

  it('ledger: none yet, writable, locked by another writer, not a database, newer than this plugin', () => {
    const dir = tempProject('sb-doctor-');
    const ledger = join(dir, '.sprint-budget/ledger.db');
    expect(doctor([], dir, { HOME: home }).checks.ledger).toEqual({ name: 'ledger', status: 'ok', detail: `none yet; sprint-budget create makes ${ledger}`, fix: null });
    expect(runCli(['create', 'Ledger check'], { cwd: dir }).code).toBe(0);
    expect(doctor([], dir, { HOME: home }).checks.ledger).toMatchObject({ status: 'ok', detail: expect.stringMatching(new RegExp(`^${ledger} is writable \\(schema \\d+\\)$`)) });

    const holder = openLedger(ledger);
    holder.db.exec('BEGIN IMMEDIATE');
    try {
      expect(doctor([], dir, { HOME: home }).checks.ledger).toMatchObject({ status: 'warn', detail: `${ledger} is busy: another process holds its write lock` });
    } finally {
      holder.db.exec('ROLLBACK');
      holder.close();
    }

    const db = openSqlite(ledger);
    db.pragma('user_version = 999');
    db.close();
    expect(doctor([], dir, { HOME: home }).checks.ledger).toMatchObject({ status: 'fail', detail: expect.stringContaining('has schema 999, newer than this sprint-budget') });

    const junk = join(tempProject('sb-doctor-'), 'junk.db');
    writeFileSync(junk, 'this is not SQLite, just text long enough to be read as a header.'.repeat(20));
    expect(doctor(['--db', junk], dir, { HOME: home }).checks.ledger).toMatchObject({ status: 'fail', detail: `${junk}: not a SQLite database` });
    expect(doctor(['--db', join(dir, 'missing.db')], dir, { HOME: home }).checks.ledger).toMatchObject({ status: 'fail', detail: `no ledger at ${join(dir, 'missing.db')} (named by --db)` });
  });

  it('ledger: one found damaged (marked by a command or a hook) fails, with how to restore its backup (doctor --fix)', () => {
    const dir = tempProject('sb-doctor-');
    const ledger = join(dir, '.sprint-budget/ledger.db');
    expect(runCli(['create', 'Damaged later'], { cwd: dir }).code).toBe(0);
    writeFileSync(`${ledger}.v4.bak`, readFileSync(ledger));
    writeFileSync(`${ledger}.damaged`, 'database disk image is malformed\n2026-12-03T09:00:00.000Z\n');
    expect(doctor([], dir, { HOME: home }).checks.ledger).toEqual({
      name: 'ledger',
      status: 'fail',
      detail: `${ledger} is damaged (database disk image is malformed); nothing is written to it`,
      fix: `sprint-budget doctor --fix (puts ${ledger}.v4.bak in its place and keeps the damaged one beside it; what the transcripts hold since is read again, figures recorded by hand since are in the damaged copy)`,
    });
    rmSync(`${ledger}.v4.bak`);
    expect(doctor([], dir, { HOME: home }).checks.ledger?.fix).toBe(`move it aside, restore a copy of it, then delete ${ledger}.damaged`);
  });

  it('ledger: one reached through a symlink fails, with how to use it', () => {
    const dir = tempProject('sb-doctor-');
    const elsewhere = realpathSync(mkdtempSync(join(tmpdir(), 'sb-elsewhere-')));
    mkdirSync(join(dir, '.sprint-budget'));
    symlinkSync(join(elsewhere, 'ledger.db'), join(dir, '.sprint-budget/ledger.db'));
    const ledger = join(dir, '.sprint-budget/ledger.db');
    expect(doctor([], dir, { HOME: home }).checks.ledger).toEqual({
      name: 'ledger',
      status: 'fail',
      detail: `${ledger} is a symlink (to ${join(elsewhere, 'ledger.db')}): a ledger found in a project is not followed through one; name it with --db or SPRINT_BUDGET_DB to use it`,
      fix: `name it with --db or SPRINT_BUDGET_DB, or put the ledger itself at ${ledger}`,
    });
  });

  it('claude-code: the verified version, not on PATH, another version, one too old for plugin bin/', () => {
    expect(doctor([], project, { HOME: home, PATH: CLAUDE_PATH }).checks['claude-code']).toEqual({
      name: 'claude-code',
      status: 'ok',
      detail: `Claude Code 2.1.332 (${join(dirname(CLAUDE), 'claude')}), the version its hook payloads were verified against`,
      fix: null,
    });
    expect(doctor([], project, { HOME: home }).checks['claude-code']).toMatchObject({ status: 'warn', detail: 'claude is not on PATH; hook payloads verified against 2.1.332' });
    // Other Claude Code versions are not installed here: stand-ins that answer --version as it does.
    const fake = (version: string) => {
      const f = join(realpathSync(mkdtempSync(join(tmpdir(), 'sb-claude-'))), 'claude');
      writeFileSync(f, `#!/bin/sh\necho "${version} (Claude Code)"\n`);
      chmodSync(f, 0o755);
      return f;
    };
    // Inside a session, the binary running it (CLAUDE_CODE_EXECPATH) is the one asked.
    expect(doctor([], project, { HOME: home, PATH: CLAUDE_PATH, CLAUDE_CODE_EXECPATH: fake('2.2.0') }).checks['claude-code']).toMatchObject({
      status: 'warn',
      detail: expect.stringMatching(/^Claude Code 2\.2\.0 \(.*\); hook payloads verified against 2\.1\.332$/),
    });
    expect(doctor([], project, { HOME: home, CLAUDE_CODE_EXECPATH: fake('2.0.14') }).checks['claude-code']).toMatchObject({
      status: 'fail',
      fix: 'update Claude Code: claude update',
    });
  });

  it('--help says what each check is and the exit codes', () => {
    const r = runCli(['doctor', '--help'], { cwd: project });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: sprint-budget doctor [--fix]');
    expect(r.stdout).toContain('Exit codes: 0 nothing to fix, 1 something to fix.');
  });
});

describe('doctor in a plugin copy without its bundle being a plugin folder', () => {
  it('still runs every check', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-bare-'));
    cpSync(join(PLUGIN, 'dist'), join(dir, 'dist'), { recursive: true });
    const r = runProcess(process.execPath, [join(dir, 'dist/cli.cjs'), 'doctor', '--json'], { cwd: dir, env: { PATH: BARE_PATH, HOME: tempHome() } });
    const checks = (JSON.parse(r.stdout) as { checks: Check[] }).checks;
    expect(checks.map((c) => c.name)).toEqual(['node', 'binding', 'node-flags', 'hooks', 'transcripts', 'ledger', 'claude-code']);
    expect(checks.find((c) => c.name === 'node-flags')).toMatchObject({ status: 'warn' });
    expect(existsSync(join(dir, '.sprint-budget'))).toBe(false);
  });
});
