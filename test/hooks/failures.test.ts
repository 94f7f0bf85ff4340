/**
 * A hook never breaks the session and never drops an event: malformed input is one stderr line and a
 * non-blocking exit; a locked ledger or a missing better-sqlite3 binding sends the events to the spool,
 * which the next run (or the repair worker) applies.
 */
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLedger } from '../../src/ledger/db';
import { PLUGIN, REPO } from '../helpers/cli';
import {
  HOOKS,
  type HookName,
  SAMPLE_MAIN_BILLING,
  SAMPLE_SUB_BILLING,
  type Sandbox,
  answerOf,
  inLedger,
  ledgerDirEntries,
  payload,
  runHook,
  sandbox,
  spendOf,
  spoolEmpty,
  spoolLines,
  waitFor,
  writeTranscripts,
} from '../helpers/hooks';

describe('malformed or unexpected input', () => {
  const cases: [string, (sb: Sandbox, hook: HookName) => string][] = [
    ['empty stdin', () => ''],
    ['not JSON', () => '{"session_id": '],
    ['a JSON array', () => '[]'],
    ['no session id', (sb, hook) => JSON.stringify({ ...payload(sb, hook), session_id: undefined })],
    ['another event', (sb, hook) => JSON.stringify({ ...payload(sb, hook), hook_event_name: 'UserPromptSubmit' })],
    ['an empty cwd', (sb, hook) => JSON.stringify({ ...payload(sb, hook), cwd: '' })],
  ];
  for (const [what, input] of cases) {
    it(`${what}: one line on stderr, exit 1 (never 2, which would block), nothing written`, () => {
      const sb = sandbox();
      for (const hook of Object.keys(HOOKS) as HookName[]) {
        const r = runHook(hook, input(sb, hook), sb);
        expect({ hook, code: r.code, stdout: r.stdout }).toEqual({ hook, code: 1, stdout: '' });
        expect(r.stderr).toMatch(new RegExp(`^sprint-budget ${HOOKS[hook]} hook: ignored: .+\\n$`));
      }
      expect(spendOf(sb).events).toEqual(['create']);
      expect(inLedger(sb, (l) => l.db.prepare('SELECT COUNT(*) AS n FROM sessions').get())).toEqual({ n: 0 });
    });
  }

  it('says what is wrong with the payload', () => {
    const sb = sandbox();
    const r = runHook('post-tool-use', { ...payload(sb, 'post-tool-use'), tool_use_id: 7 }, sb);
    expect(r.stderr).toBe('sprint-budget PostToolUse hook: ignored: unexpected payload (tool_use_id: expected string)\n');
    const other = runHook('stop', { ...payload(sb, 'stop'), hook_event_name: 'SubagentStop' }, sb);
    expect(other.stderr).toBe('sprint-budget Stop hook: ignored: unexpected payload (hook_event_name: expected "Stop")\n');
  });

  it('an Agent response without a usage report (a background launch) is not an error', () => {
    const sb = sandbox();
    runHook('session-start', payload(sb, 'session-start'), sb);
    const r = runHook('post-tool-use', payload(sb, 'post-tool-use', { tool_response: { status: 'async_launched', agentId: 'a1' } }), sb);
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(spendOf(sb).billing).toBe(0);
  });
});

describe('a locked ledger', () => {
  it('retries, then queues the events to the spool; the next run applies them, once', () => {
    const sb = sandbox();
    const holder = openLedger(sb.ledger);
    holder.db.exec('BEGIN IMMEDIATE'); // another writer holds the lock past the hooks' busy timeout
    try {
      for (const hook of ['session-start', 'post-tool-use'] as const) {
        const r = runHook(hook, payload(sb, hook), sb);
        expect({ hook, ...r }).toEqual({ hook, code: 0, stdout: '', stderr: '' });
      }
    } finally {
      holder.db.exec('ROLLBACK');
      holder.close();
    }
    expect(spoolLines(sb).map((e) => e.type)).toEqual(['attach', 'attach', 'usage', 'dispatch_ran']);
    expect(spendOf(sb).billing).toBe(0);

    // The next hook to open the ledger drains the spool first.
    expect(runHook('stop', payload(sb, 'stop'), sb)).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(spoolLines(sb)).toEqual([]);
    expect(ledgerDirEntries(sb).filter((f) => f.startsWith('spool'))).toEqual([]);
    expect(spendOf(sb)).toMatchObject({ billing: SAMPLE_SUB_BILLING, by: { 'general-purpose/hook': SAMPLE_SUB_BILLING } });
    // Replaying the same events changes nothing.
    runHook('post-tool-use', payload(sb, 'post-tool-use'), sb);
    expect(spendOf(sb).billing).toBe(SAMPLE_SUB_BILLING);
  });

  it("SessionEnd, which has 1.5 s, queues its read and hands it to a detached process that applies it", async () => {
    const sb = sandbox();
    runHook('session-start', payload(sb, 'session-start'), sb);
    writeTranscripts(sb);
    const holder = openLedger(sb.ledger);
    holder.db.exec('BEGIN IMMEDIATE');
    try {
      expect(runHook('session-end', payload(sb, 'session-end'), sb)).toEqual({ code: 0, stdout: '', stderr: '' });
      expect(spoolLines(sb).map((e) => e.type)).toEqual(['ingest']);
    } finally {
      holder.db.exec('ROLLBACK');
      holder.close();
    }
    // No other hook runs after SessionEnd: the detached drainer alone brings the spend in.
    await waitFor('the detached drainer', () => spoolEmpty(sb));
    expect(spendOf(sb).billing).toBe(SAMPLE_MAIN_BILLING + SAMPLE_SUB_BILLING);
  });

  it('under hard, the dispatch gate stops the dispatch and the watch stops the loop, saying the budget could not be checked', () => {
    const sb = sandbox({ budget: '1000' });
    const holder = openLedger(sb.ledger);
    holder.db.exec('BEGIN IMMEDIATE');
    try {
      const env = { SPRINT_BUDGET_DISPATCH_POLICY: 'hard' };
      const r = runHook('pre-tool-use', payload(sb, 'pre-tool-use'), sb, { env });
      expect(r.code).toBe(0);
      expect(answerOf(r)?.hookSpecificOutput).toMatchObject({
        permissionDecision: 'deny',
        permissionDecisionReason: expect.stringMatching(/^sprint-budget: the budget could not be checked \(.*(locked|busy).*\); under the hard policy the dispatch is stopped/),
      });
      const w = runHook('post-tool-use', payload(sb, 'post-tool-use'), sb, { env });
      expect(answerOf(w)).toMatchObject({ continue: false, stopReason: expect.stringMatching(/^sprint-budget: the budget could not be checked .*the session stops here$/) });
    } finally {
      holder.db.exec('ROLLBACK');
      holder.close();
    }
  });
});

/**
 * A plugin directory as `claude plugin install` leaves it (better-sqlite3 without its compiled
 * binding), or as a fresh clone run in place is (no node_modules at all). npm is mocked by a script
 * on PATH that logs its arguments and does the install's effect (the real 2-3 minute build runs in
 * the e2e marketplace test); everything else is the real bundle and its real detached worker.
 */
function brokenPlugin(npmAction: string, opts: { modules: boolean }): { root: string; env: NodeJS.ProcessEnv; npmLog: string } {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'sb-plugin-')));
  cpSync(join(PLUGIN, 'dist'), join(root, 'dist'), { recursive: true });
  cpSync(join(PLUGIN, 'hooks'), join(root, 'hooks'), { recursive: true });
  cpSync(join(PLUGIN, 'package.json'), join(root, 'package.json'));
  if (opts.modules) copyModules(root, false);
  const binDir = join(root, 'fake-bin');
  const npmLog = join(root, 'npm-calls.log');
  mkdirSync(binDir);
  // A .cjs file run by a shell wrapper: the plugin's package.json says "type": "module".
  writeFileSync(
    join(binDir, 'npm.cjs'),
    `const fs = require('node:fs');\n` +
      `fs.appendFileSync(${JSON.stringify(npmLog)}, process.cwd() + ' ' + process.argv.slice(2).join(' ') + '\\n');\n${npmAction}\n`,
  );
  writeFileSync(join(binDir, 'npm'), `#!/bin/sh\nexec ${process.execPath} ${join(binDir, 'npm.cjs')} "$@"\n`);
  chmodSync(join(binDir, 'npm'), 0o755);
  return { root, env: { PATH: `${binDir}:${process.env.PATH}` }, npmLog };
}

const DEPS = ['better-sqlite3', 'bindings', 'file-uri-to-path'];
/** deps/ holds SQLite's sources (only needed to compile); build/ holds the binding. */
const keep = (withBinding: boolean) => (src: string) => !src.includes(join('better-sqlite3', 'deps')) && (withBinding || !src.includes(join('better-sqlite3', 'build')));

function copyModules(root: string, withBinding: boolean): void {
  for (const dep of DEPS) cpSync(join(REPO, 'node_modules', dep), join(root, 'node_modules', dep), { recursive: true, filter: keep(withBinding) });
}

const REBUILD = `fs.cpSync(${JSON.stringify(join(REPO, 'node_modules/better-sqlite3/build'))}, 'node_modules/better-sqlite3/build', { recursive: true });`;
const INSTALL = `for (const d of ${JSON.stringify(DEPS)}) fs.cpSync(${JSON.stringify(join(REPO, 'node_modules'))} + '/' + d, 'node_modules/' + d, { recursive: true });`;
const FAIL = `console.error('gyp ERR! no compiler'); process.exit(1);`;


describe('a missing better-sqlite3 binding', () => {

  it('the first hook queues its event, starts the repair once, and tells the user; the worker applies the queue', async () => {
    const sb = sandbox();
    const plugin = brokenPlugin(REBUILD, { modules: true });
    const env = plugin.env;

    const first = runHook('session-start', payload(sb, 'session-start'), sb, { root: plugin.root, env });
    expect(first.code).toBe(0);
    expect(answerOf(first)?.systemMessage).toMatch(/^sprint-budget: building its SQLite driver \(better-sqlite3\) once, in the background/);
    const second = runHook('post-tool-use', payload(sb, 'post-tool-use'), sb, { root: plugin.root, env });
    expect(second.code).toBe(0);

    await waitFor('the repair worker', () => !existsSync(join(plugin.root, '.sprint-budget-repair.lock')) && spoolEmpty(sb));
    expect(readFileSync(plugin.npmLog, 'utf8')).toBe(`${plugin.root} rebuild better-sqlite3 --ignore-scripts=false\n`);
    expect(readFileSync(join(plugin.root, '.sprint-budget-repair.log'), 'utf8')).toMatch(/repaired\n$/);
    // Nothing was lost: the session is attached from SessionStart's time and the report counts.
    expect(spendOf(sb)).toMatchObject({ billing: SAMPLE_SUB_BILLING });
    expect(inLedger(sb, (l) => l.db.prepare('SELECT via FROM sessions').all())).toEqual([{ via: 'hook' }]);
    // And the plugin's own hooks now work directly.
    const later = runHook('pre-tool-use', payload(sb, 'pre-tool-use'), sb, { root: plugin.root, env });
    expect(later).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('a plugin directory with no node_modules at all gets its production dependencies installed', async () => {
    const sb = sandbox();
    const plugin = brokenPlugin(INSTALL, { modules: false });
    const env = plugin.env;
    const first = runHook('post-tool-use', payload(sb, 'post-tool-use'), sb, { root: plugin.root, env });
    expect(answerOf(first)?.systemMessage).toMatch(/^sprint-budget: building its SQLite driver/);
    await waitFor('the repair worker', () => !existsSync(join(plugin.root, '.sprint-budget-repair.lock')) && spoolEmpty(sb));
    expect(readFileSync(plugin.npmLog, 'utf8')).toBe(`${plugin.root} ci --omit=dev --ignore-scripts=false --no-audit --no-fund\n`);
    expect(spendOf(sb).billing).toBe(SAMPLE_SUB_BILLING);
  });

  it('a failed repair is reported at session start and not retried by every hook; events stay queued', async () => {
    const sb = sandbox();
    const plugin = brokenPlugin(FAIL, { modules: true });
    const env = plugin.env;
    runHook('post-tool-use', payload(sb, 'post-tool-use'), sb, { root: plugin.root, env });
    await waitFor('the repair worker', () => !existsSync(join(plugin.root, '.sprint-budget-repair.lock')));

    const start = runHook('session-start', payload(sb, 'session-start'), sb, { root: plugin.root, env });
    expect(start.code).toBe(0);
    expect(answerOf(start)?.systemMessage).toMatch(/^sprint-budget: npm rebuild better-sqlite3 --ignore-scripts=false failed: npm exited 1 \(log: .*\); run it by hand in /);
    expect(readFileSync(plugin.npmLog, 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
    expect(spoolLines(sb).map((e) => e.type)).toEqual(['attach', 'usage', 'dispatch_ran', 'attach']);
    // Whoever has a working binding (here the checkout's hooks) applies the queue.
    runHook('stop', payload(sb, 'stop'), sb);
    expect(spoolLines(sb)).toEqual([]);
    expect(spendOf(sb).billing).toBe(SAMPLE_SUB_BILLING);
  });
});
