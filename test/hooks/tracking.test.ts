/** Automatic tracking: the hooks attach the session, record spend live, and count every response once. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sessionTranscripts } from '../../src/transcripts/paths';
import { runCli } from '../helpers/cli';
import {
  HOOKS,
  type HookName,
  SAMPLE_MAIN_BILLING,
  SAMPLE_SUB_BILLING,
  answerOf,
  inLedger,
  payload,
  runHook,
  sandbox,
  spendOf,
  writeTranscripts,
} from '../helpers/hooks';

describe('a project without a ledger', () => {
  it('every hook does nothing: exit 0, no output, no ledger created', () => {
    const sb = sandbox({ noLedger: true });
    for (const hook of Object.keys(HOOKS) as HookName[]) {
      const r = runHook(hook, payload(sb, hook), sb);
      expect({ hook, ...r }).toEqual({ hook, code: 0, stdout: '', stderr: '' });
    }
    expect(existsSync(join(sb.project, '.sprint-budget'))).toBe(false);
    expect(existsSync(sb.envFile)).toBe(false);
  });
});

describe('SessionStart', () => {
  it('attaches the session and tells the user and the model, in one line, which sprint it counts toward', () => {
    const sb = sandbox({ budget: '250k' });
    const r = runHook('session-start', payload(sb, 'session-start'), sb);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const line = `This session counts toward sprint ${sb.sprintId} "Hook test sprint" · phase brainstorm · 0 / 250k billing tokens (0%)`;
    expect(answerOf(r)).toEqual({ systemMessage: `sprint-budget: ${line}`, hookSpecificOutput: { hookEventName: 'SessionStart', additionalContext: line } });
    const state = JSON.parse(runCli(['state', '--json'], { cwd: sb.project }).stdout) as { active_session: string };
    expect(state.active_session).toBe(payload(sb, 'session-start').session_id);
  });

  it('says when the sprint has no budget', () => {
    const sb = sandbox({ budget: 'none' });
    const r = runHook('session-start', payload(sb, 'session-start'), sb);
    expect(answerOf(r)?.hookSpecificOutput.additionalContext).toBe(`This session counts toward sprint ${sb.sprintId} "Hook test sprint" · phase brainstorm · 0 billing tokens (no budget)`);
  });

  it("puts no figure in the session's environment: a number there would be stale by the next review", () => {
    const sb = sandbox({ budget: '1000' });
    runHook('session-start', payload(sb, 'session-start'), sb);
    writeTranscripts(sb);
    const resumed = runHook('session-start', payload(sb, 'session-start', { source: 'resume' }), sb);
    expect(answerOf(resumed)?.hookSpecificOutput.additionalContext).toContain('budget exceeded');
    expect(existsSync(sb.envFile)).toBe(false);
  });
});

describe('spend, live and counted once', () => {
  it("PostToolUse counts the subagent's own report at once; its transcript then replaces it", () => {
    const sb = sandbox();
    runHook('session-start', payload(sb, 'session-start'), sb);

    // The Agent tool's report (500/20), before any transcript is read: spend is live.
    expect(runHook('post-tool-use', payload(sb, 'post-tool-use'), sb)).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(spendOf(sb)).toMatchObject({ billing: SAMPLE_SUB_BILLING, by: { 'general-purpose/hook': SAMPLE_SUB_BILLING } });
    // The same hook fired twice counts once.
    runHook('post-tool-use', payload(sb, 'post-tool-use'), sb);
    expect(spendOf(sb).billing).toBe(SAMPLE_SUB_BILLING);

    // SubagentStop reads the subagent's transcript: the same responses, now from the detail, once.
    writeTranscripts(sb);
    expect(runHook('subagent-stop', payload(sb, 'subagent-stop'), sb)).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(spendOf(sb)).toMatchObject({ billing: SAMPLE_SUB_BILLING, by: { 'general-purpose/transcript': SAMPLE_SUB_BILLING } });

    // Stop reads the main transcript (and the subagent's again: nothing new there).
    runHook('stop', payload(sb, 'stop'), sb);
    const after = spendOf(sb);
    expect(after.by).toEqual({ 'general-purpose/transcript': SAMPLE_SUB_BILLING, 'main/transcript': SAMPLE_MAIN_BILLING });
    expect(after.billing).toBe(SAMPLE_MAIN_BILLING + SAMPLE_SUB_BILLING);

    // SessionEnd's final read and a late PostToolUse repeat change nothing.
    runHook('session-end', payload(sb, 'session-end'), sb);
    runHook('post-tool-use', payload(sb, 'post-tool-use'), sb);
    expect(spendOf(sb).billing).toBe(SAMPLE_MAIN_BILLING + SAMPLE_SUB_BILLING);
  });

  it('Stop alone reads the main transcript and every subagent transcript beside it', () => {
    const sb = sandbox();
    runHook('session-start', payload(sb, 'session-start'), sb);
    writeTranscripts(sb);
    expect(sessionTranscripts(payload(sb, 'stop').session_id as string, sb.transcript)).toHaveLength(2);
    runHook('stop', payload(sb, 'stop'), sb);
    expect(spendOf(sb).by).toEqual({ 'general-purpose/transcript': SAMPLE_SUB_BILLING, 'main/transcript': SAMPLE_MAIN_BILLING });
  });

  it('a session that started before the sprint is attached by its next hook', () => {
    const sb = sandbox({ noLedger: true });
    runHook('session-start', payload(sb, 'session-start'), sb);
    const created = runCli(['create', 'Late sprint', '--budget', '100k'], { cwd: sb.project });
    expect(created.code).toBe(0);
    runHook('post-tool-use', payload(sb, 'post-tool-use'), sb);
    expect(spendOf(sb).billing).toBe(SAMPLE_SUB_BILLING);
    expect(inLedger(sb, (l) => l.db.prepare('SELECT via FROM sessions').all())).toEqual([{ via: 'hook' }]);
  });

  it('SessionEnd reads what is left of an attached session', () => {
    const sb = sandbox();
    runHook('session-start', payload(sb, 'session-start'), sb);
    writeTranscripts(sb);
    expect(runHook('session-end', payload(sb, 'session-end'), sb)).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(spendOf(sb).billing).toBe(SAMPLE_MAIN_BILLING + SAMPLE_SUB_BILLING);
  });

  it('SessionEnd of a session that never counted toward a sprint reads nothing', () => {
    const sb = sandbox();
    writeTranscripts(sb);
    runHook('session-end', payload(sb, 'session-end'), sb);
    expect(inLedger(sb, (l) => l.db.prepare('SELECT COUNT(*) AS n FROM usage').get())).toEqual({ n: 0 });
    expect(inLedger(sb, (l) => l.db.prepare('SELECT COUNT(*) AS n FROM sessions').get())).toEqual({ n: 0 });
  });
});
