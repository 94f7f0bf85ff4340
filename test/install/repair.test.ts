/**
 * A missing SQLite driver (better-sqlite3's binding for the running Node) is built once, in the
 * background, under one lock shared by the hooks and the CLI: the first command waits for it and
 * then runs, a hook queues its events and carries on, SessionStart starts it even without a ledger.
 * The build's npm is a stand-in (test/helpers/plugin-copy.ts); the real one runs in the e2e
 * marketplace test.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bindingTarget } from '../../src/install/binding';
import { tempProject } from '../helpers/cli';
import { SAMPLE_SUB_BILLING, answerOf, inLedger, payload, runHook, sandbox, spendOf, spoolEmpty, spoolLines } from '../helpers/hooks';
import { type PluginCopy, pluginCopy, runCopyCli, startCopyCli, waitFor, workingBinding } from '../helpers/plugin-copy';

/** Where the copy's processes keep this Node's binding, and its build's lock, log and failure note. */
function target(copy: PluginCopy) {
  const t = bindingTarget({ XDG_CACHE_HOME: copy.cache });
  return { ...t, lock: join(t.dir, 'build.lock'), log: join(t.dir, 'build.log'), failed: join(t.dir, 'build.failed') };
}

const npmCalls = (copy: PluginCopy) => (existsSync(copy.npmLog) ? readFileSync(copy.npmLog, 'utf8').split('\n').filter(Boolean) : []);

describe('the first command after install', () => {
  it('builds the driver for this Node, says so in one line, waits, and then runs', () => {
    const copy = pluginCopy({ modules: true, npm: 'rebuild' });
    const project = tempProject();
    const r = runCopyCli(copy, ['create', 'First command', '--budget', '100k'], project);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^sb-[a-z0-9]{6}\n/);
    const t = target(copy);
    // In the user's cache, by better-sqlite3's version and this Node's ABI, platform and arch.
    expect(t.file).toBe(join(copy.cache, 'sprint-budget/bindings/better-sqlite3-12.11.1', `node-v${process.versions.modules}-${process.platform}-${process.arch}`, 'better_sqlite3.node'));
    // One line about the driver, then what create always says.
    const lines = r.stderr.split('\n');
    expect(lines[0]).toBe(
      `sprint-budget: no better-sqlite3 binding for Node ${process.version} (ABI ${process.versions.modules}, ${process.platform}-${process.arch}): none built yet (${t.file}); ` +
        `building it now, once (seconds with a prebuilt download, 2-5 minutes when it compiles; log: ${t.log})`,
    );
    expect(lines[1]).toBe('Complexity: 3/5 (moderate) · Budget: 100k billing tokens');
    expect(lines.filter((l) => l.includes('better-sqlite3'))).toHaveLength(1);
    // Built in a staging directory beside the target, from the plugin's own better-sqlite3, never in the plugin.
    expect(npmCalls(copy)).toEqual([`${t.dir}/build rebuild better-sqlite3 --ignore-scripts=false --foreground-scripts`]);
    expect(readFileSync(t.file).equals(readFileSync(workingBinding()))).toBe(true);
    expect(existsSync(join(copy.root, 'node_modules/better-sqlite3/build'))).toBe(false);
    expect(existsSync(t.lock) || existsSync(join(t.dir, 'build'))).toBe(false);
    expect(readFileSync(t.log, 'utf8')).toMatch(new RegExp(`started by ${join(copy.root, 'dist/cli.cjs')}\\n[^]*repaired in \\d+ s: ${t.file}\\n$`));
    // The next command finds it: no second build, nothing said.
    expect(runCopyCli(copy, ['remaining'], project)).toEqual({ code: 0, stdout: '100000\n', stderr: '' });
    expect(npmCalls(copy)).toHaveLength(1);
  });

  it('waits for a build already under way (the lock the hooks take), then runs', async () => {
    const copy = pluginCopy({ modules: true, npm: 'fail' });
    const project = tempProject();
    const t = target(copy);
    // Another process's worker holds the lock: this command must not start a second build.
    mkdirSync(t.dir, { recursive: true });
    writeFileSync(t.lock, '1 elsewhere\n');
    const cmd = startCopyCli(copy, ['create', 'Waiting command'], project);
    await waitFor('the waiting line', () => cmd.stderrSoFar().includes('\n'));
    expect(cmd.stderrSoFar()).toMatch(
      new RegExp(`^sprint-budget: waiting for the SQLite driver build for Node ${process.version.replaceAll('.', '\\.')} \\(ABI ${process.versions.modules}\\) already under way, started \\d+ s ago \\(seconds with a prebuilt download, 2-5 minutes when it compiles; log: ${t.log}\\)\\n$`),
    );
    // The worker finishes: the binding in place, the lock released.
    writeFileSync(t.file, readFileSync(workingBinding()));
    rmSync(t.lock);
    const r = await cmd;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^sb-[a-z0-9]{6}\n/);
    expect(npmCalls(copy)).toEqual([]);
  });

  it('a failed build: the command says why and how to retry; the next one does not rebuild; doctor --fix does', () => {
    const copy = pluginCopy({ modules: true, npm: 'fail' });
    const project = tempProject();
    const t = target(copy);
    const first = runCopyCli(copy, ['create', 'Doomed'], project);
    expect(first.code).toBe(2);
    const lines = first.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/; building it now, once \(/);
    expect(lines[1]).toBe(
      `sprint-budget: no better-sqlite3 binding for Node ${process.version} (ABI ${process.versions.modules}, ${process.platform}-${process.arch}): none built yet (${t.file}); ` +
        `building better-sqlite3 for Node ${process.version} (ABI ${process.versions.modules}) failed: npm exited 1 (log: ${t.log}); retry with: sprint-budget doctor --fix`,
    );
    expect(readFileSync(t.log, 'utf8')).toContain('gyp ERR! stack Error: not found: make');
    expect(existsSync(join(project, '.sprint-budget'))).toBe(false);

    const second = runCopyCli(copy, ['create', 'Doomed again'], project);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/failed: npm exited 1 \(log: .*\); retry with: sprint-budget doctor --fix\n$/);
    expect(npmCalls(copy)).toHaveLength(1);

    const fix = runCopyCli(copy, ['doctor', '--fix', '--json'], project);
    expect(npmCalls(copy)).toHaveLength(2);
    expect(JSON.parse(fix.stdout).checks.find((c: { name: string }) => c.name === 'binding')).toMatchObject({ status: 'fail' });
  });

  it('npm and the build run on the Node that needs the driver, not on the first `node` on PATH', () => {
    const copy = pluginCopy({ modules: true, npm: 'rebuild' });
    const project = tempProject();
    // Claude Code may start hooks and commands with a Node other than the first on the user's PATH.
    const other = mkdtempSync(join(tmpdir(), 'sb-other-node-'));
    writeFileSync(join(other, 'node'), '#!/bin/sh\necho "another Node" >&2\nexit 1\n');
    chmodSync(join(other, 'node'), 0o755);
    const r = runCopyCli(copy, ['create', 'Other node first'], project, { PATH: `${other}:${copy.env.PATH}` });
    expect(r.code, r.stderr).toBe(0);
    expect(npmCalls(copy)).toHaveLength(1);
  });

  it('a plugin run in place with no node_modules gets better-sqlite3 installed from its lockfile, in staging', () => {
    const copy = pluginCopy({ modules: false, npm: 'install' });
    const project = tempProject();
    const t = target(copy);
    const r = runCopyCli(copy, ['create', 'From a clone'], project);
    expect(r.code, r.stderr).toBe(0);
    expect(npmCalls(copy)).toEqual([`${t.dir}/build ci --omit=dev --ignore-scripts=false --foreground-scripts --no-audit --no-fund`]);
    expect(existsSync(t.file)).toBe(true);
    expect(existsSync(join(copy.root, 'node_modules'))).toBe(false);
  });
});

describe('the hooks', () => {
  it('SessionStart in a project without a ledger starts the build in the background and says so', async () => {
    const copy = pluginCopy({ modules: true, npm: 'rebuild' });
    const sb = sandbox({ noLedger: true });
    const t = target(copy);
    const start = runHook('session-start', payload(sb, 'session-start'), sb, { root: copy.root, env: copy.env });
    expect(start.code).toBe(0);
    expect(answerOf(start)).toEqual({
      systemMessage: `sprint-budget: building its SQLite driver (better-sqlite3) for Node ${process.version} once, in the background: seconds with a prebuilt download, a few minutes when it compiles.`,
    });
    await waitFor('the build worker', () => existsSync(t.file) && !existsSync(t.lock));
    expect(readFileSync(t.log, 'utf8')).toContain(`started by ${join(copy.root, 'dist/hooks/session-start.cjs')}`);
    expect(existsSync(join(sb.project, '.sprint-budget'))).toBe(false);
    // The first command finds it built.
    expect(runCopyCli(copy, ['create', 'After SessionStart'], sb.project).stderr).not.toContain('SQLite driver');
    expect(npmCalls(copy)).toHaveLength(1);
    // A later session start with the driver in place says nothing.
    expect(runHook('session-start', payload(sb, 'session-start'), sb, { root: copy.root, env: copy.env }).stdout).not.toContain('SQLite driver');
  });

  it('with a ledger: the first hook queues its event and starts the build once; the worker then applies the queue', async () => {
    const sb = sandbox();
    const copy = pluginCopy({ modules: true, npm: 'rebuild' });
    const t = target(copy);
    const first = runHook('session-start', payload(sb, 'session-start'), sb, { root: copy.root, env: copy.env });
    expect(first.code).toBe(0);
    expect(answerOf(first)?.systemMessage).toMatch(/^sprint-budget: building its SQLite driver \(better-sqlite3\) for Node .* Usage is queued meanwhile, nothing is lost\.$/);
    const second = runHook('post-tool-use', payload(sb, 'post-tool-use'), sb, { root: copy.root, env: copy.env });
    expect(second.code).toBe(0);
    await waitFor('the build worker', () => !existsSync(t.lock) && spoolEmpty(sb));
    expect(npmCalls(copy)).toHaveLength(1);
    expect(spendOf(sb)).toMatchObject({ billing: SAMPLE_SUB_BILLING });
    expect(inLedger(sb, (l) => l.db.prepare('SELECT via FROM sessions').all())).toEqual([{ via: 'hook' }]);
    const later = runHook('pre-tool-use', payload(sb, 'pre-tool-use'), sb, { root: copy.root, env: copy.env });
    expect(later).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('a failed build is reported at session start and not retried by every hook; events stay queued', async () => {
    const sb = sandbox();
    const copy = pluginCopy({ modules: true, npm: 'fail' });
    const t = target(copy);
    runHook('post-tool-use', payload(sb, 'post-tool-use'), sb, { root: copy.root, env: copy.env });
    await waitFor('the build worker', () => existsSync(t.failed) && !existsSync(t.lock));
    const start = runHook('session-start', payload(sb, 'session-start'), sb, { root: copy.root, env: copy.env });
    expect(start.code).toBe(0);
    expect(answerOf(start)?.systemMessage).toBe(
      `sprint-budget: building better-sqlite3 for Node ${process.version} (ABI ${process.versions.modules}) failed: npm exited 1 (log: ${t.log}); retry with: sprint-budget doctor --fix. Usage is queued meanwhile, nothing is lost.`,
    );
    expect(npmCalls(copy)).toHaveLength(1);
    expect(spoolLines(sb).map((e) => e.type)).toEqual(['attach', 'usage', 'dispatch_ran', 'attach']);
    // Whoever has a working driver (here the checkout's hooks) applies the queue.
    runHook('stop', payload(sb, 'stop'), sb);
    expect(spoolLines(sb)).toEqual([]);
    expect(spendOf(sb).billing).toBe(SAMPLE_SUB_BILLING);
  });
});
