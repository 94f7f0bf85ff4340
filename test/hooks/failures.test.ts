/**
 * A hook never breaks the session and never drops an event: malformed input is one stderr line and a
 * non-blocking exit; a locked ledger sends the events to the spool, which the next run applies (a
 * missing better-sqlite3 binding too: test/install/repair.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { openLedger } from '../../src/ledger/db';
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
  writeTranscripts,
} from '../helpers/hooks';
import { waitFor } from '../helpers/plugin-copy';

describe('malformed or unexpected input', () => {
  const cases: [string, (sb: Sandbox, hook: HookName) => string][] = [
    ['empty stdin', () => ''],
    ['not JSON', () => '{"session_id": '],
    ['a JSON array', () => '[]'],
    ['no session id', (sb, hook) => JSON.stringify({ ...payload(sb, hook), session_id: undefined })],
    ['another event', (sb, hook) => JSON.stringify({ ...payload(sb, hook), hook_event_name: 'UserPromptSubmit' })],
    ['an empty cwd', (sb, hook) => JSON.stringify({ ...payload(sb, hook), cwd: '' })],
    ['a session id that is not one path segment', (sb, hook) => JSON.stringify({ ...payload(sb, hook), session_id: '../../escape' })],
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
