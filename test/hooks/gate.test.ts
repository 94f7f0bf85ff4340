/** The dispatch gate (PreToolUse on Agent): budget, policy, override, estimates, an unreadable ledger. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePause } from '../../src/domain/protocol';
import { runCli } from '../helpers/cli';
import { type Sandbox, SAMPLE_MAIN_BILLING, SAMPLE_SESSION, SAMPLE_SUB_BILLING, answerOf, payload, runHook, sandbox, spendOf, startHook, writeTranscripts } from '../helpers/hooks';
import { appendLater, responseLine } from '../helpers/transcripts';

/** A sprint whose session has spent the sample's responses (2080 main + 520 subagent), over a 1000 budget. */
function overBudget(): Sandbox {
  const sb = sandbox({ budget: '1000' });
  runHook('session-start', payload(sb, 'session-start'), sb);
  writeTranscripts(sb);
  return sb;
}

const SPENT = SAMPLE_MAIN_BILLING + SAMPLE_SUB_BILLING;
const EXCEEDED = `budget_exceeded|brainstorm|${SPENT}/1000 billing tokens`;

function gate(sb: Sandbox, env: NodeJS.ProcessEnv = {}, overrides: Record<string, unknown> = {}) {
  const r = runHook('pre-tool-use', payload(sb, 'pre-tool-use', overrides), sb, { env });
  expect(r.code).toBe(0);
  expect(r.stderr).toBe('');
  return answerOf(r);
}

describe('over budget', () => {
  it('hard: denies with the pause line, after reading the transcript up to now, and records it once', () => {
    const sb = overBudget();
    const a = gate(sb, { SPRINT_BUDGET_DISPATCH_POLICY: 'hard' });
    expect(a?.hookSpecificOutput).toMatchObject({ hookEventName: 'PreToolUse', permissionDecision: 'deny' });
    const reason = a?.hookSpecificOutput.permissionDecisionReason as string;
    expect(reason.split('\n')[0]).toBe(EXCEEDED);
    expect(parsePause(reason.split('\n')[0] as string)).toEqual({ type: 'budget_exceeded', phase: 'brainstorm', detail: `${SPENT}/1000 billing tokens` });
    expect(a?.systemMessage).toContain(EXCEEDED);
    // Fired twice for the same tool use: one recorded denial.
    gate(sb, { SPRINT_BUDGET_DISPATCH_POLICY: 'hard' });
    expect(spendOf(sb).events.filter((e) => e === 'dispatch_denied')).toHaveLength(1);
  });

  it('soft (the default): asks the user, records the question, and the yes when the dispatch runs', () => {
    const sb = overBudget();
    const a = gate(sb);
    expect(a?.hookSpecificOutput).toMatchObject({ permissionDecision: 'ask' });
    expect((a?.hookSpecificOutput.permissionDecisionReason as string).split('\n')[0]).toBe(EXCEEDED);
    expect(spendOf(sb).events).toEqual(['create', 'dispatch_asked']);
    runHook('post-tool-use', payload(sb, 'post-tool-use'), sb);
    runHook('post-tool-use', payload(sb, 'post-tool-use'), sb);
    expect(spendOf(sb).events.filter((e) => e.startsWith('dispatch_'))).toEqual(['dispatch_asked', 'dispatch_approved']);
  });

  it('a dispatch that was never asked about records no approval', () => {
    const sb = sandbox();
    runHook('session-start', payload(sb, 'session-start'), sb);
    runHook('post-tool-use', payload(sb, 'post-tool-use'), sb);
    expect(spendOf(sb).events).toEqual(['create']);
  });

  it('the policy comes from .sprint-budget/config.json; the environment overrides it', () => {
    const sb = overBudget();
    writeFileSync(join(sb.project, '.sprint-budget/config.json'), JSON.stringify({ dispatch_policy: 'hard' }));
    expect(gate(sb)?.hookSpecificOutput.permissionDecision).toBe('deny');
    expect(gate(sb, { SPRINT_BUDGET_DISPATCH_POLICY: 'off' })).toBeNull();
    writeFileSync(join(sb.project, '.sprint-budget/config.json'), JSON.stringify({ dispatch_policy: 'off' }));
    expect(gate(sb)).toBeNull();
    expect(spendOf(sb).events).toEqual(['create', 'dispatch_denied']);
  });

  it('a bad policy value is reported, and the default (ask) applies', () => {
    const sb = overBudget();
    writeFileSync(join(sb.project, '.sprint-budget/config.json'), JSON.stringify({ dispatch_policy: 'strict' }));
    const a = gate(sb);
    expect(a?.hookSpecificOutput.permissionDecision).toBe('ask');
    expect(a?.systemMessage).toMatch(/config\.json: dispatch_policy: expected one of soft, hard, off, got "strict"; the default applies$/);
    const b = gate(sb, { SPRINT_BUDGET_DISPATCH_POLICY: 'loose' }, { tool_use_id: 'toolu_2' });
    expect(b?.systemMessage).toContain('SPRINT_BUDGET_DISPATCH_POLICY="loose" is not one of soft, hard, off');
  });

  it('an override lets dispatches pass (with a warning for the model), also in the phase it let in', () => {
    const sb = overBudget();
    const hard = { SPRINT_BUDGET_DISPATCH_POLICY: 'hard' };
    expect(runCli(['override', '--reason', 'finish the review'], { cwd: sb.project }).code).toBe(0);
    const a = gate(sb, hard);
    expect(a?.hookSpecificOutput.permissionDecision).toBeUndefined();
    expect(a?.hookSpecificOutput.additionalContext).toContain('the budget is exceeded (passed by an override)');
    expect(runCli(['advance'], { cwd: sb.project }).code).toBe(0);
    expect(gate(sb, hard, { tool_use_id: 'toolu_2' })?.hookSpecificOutput.permissionDecision).toBeUndefined();
    // A budget decision replaces the override: the gate applies again.
    expect(runCli(['set-budget', '2000', '--reason', 'tighter'], { cwd: sb.project }).code).toBe(0);
    expect(gate(sb, hard, { tool_use_id: 'toolu_3' })?.hookSpecificOutput.permissionDecisionReason).toMatch(
      new RegExp(`^budget_exceeded\\|brainstorm-reviewed\\|${SPENT}/2000 billing tokens\n`),
    );
  });
});

describe('under budget', () => {
  it('passes silently when the agent type is expected to fit', () => {
    const sb = sandbox({ budget: '1M' });
    runHook('session-start', payload(sb, 'session-start'), sb);
    expect(gate(sb)).toBeNull();
  });

  it("warns the model, without blocking, when the agent type's estimate is more than what remains", () => {
    const sb = sandbox({ budget: '30k' });
    runHook('session-start', payload(sb, 'session-start'), sb);
    writeTranscripts(sb);
    const a = gate(sb, { SPRINT_BUDGET_DISPATCH_POLICY: 'hard' });
    expect(a).toEqual({
      hookSpecificOutput: {
        hookEventName: 'PreToolUse',
        additionalContext:
          'sprint-budget: a general-purpose subagent is expected to cost about 40k billing tokens (default estimate), and only 27.4k remain in the sprint budget. Prefer a smaller task or a cheaper agent.',
      },
    });
    expect(spendOf(sb).events).toEqual(['create']);
  });

  it('a sprint with no budget is never gated', () => {
    const sb = sandbox({ budget: 'none' });
    runHook('session-start', payload(sb, 'session-start'), sb);
    writeTranscripts(sb);
    expect(gate(sb, { SPRINT_BUDGET_DISPATCH_POLICY: 'hard' })).toBeNull();
  });
});

describe('the response that asked for the dispatch, written after the hook started', () => {
  // Claude Code writes transcript lines from a queue flushed every 100 ms: the hook can start before the
  // response that asked for the dispatch is on disk (seen in about half the dispatches on a loaded machine).
  it('is waited for: its tokens are part of the spend the gate decides on', async () => {
    const sb = sandbox({ budget: '3000' });
    runHook('session-start', payload(sb, 'session-start'), sb);
    writeTranscripts(sb);
    const line = JSON.parse(responseLine({ sessionId: SAMPLE_SESSION, id: 'msg_late', input: 1000, output: 0 })) as { message: { content: unknown[] } };
    line.message.content = [{ type: 'tool_use', id: 'toolu_late', name: 'Agent', input: {} }];
    // Lands 400 ms after the hook starts; before it, 2600 of 3000 are spent and the dispatch would pass.
    const writer = appendLater(sb.transcript, `${JSON.stringify(line)}\n`, 400);
    const r = await startHook('pre-tool-use', payload(sb, 'pre-tool-use', { tool_use_id: 'toolu_late' }), sb, { env: { SPRINT_BUDGET_DISPATCH_POLICY: 'hard' }, responseLate: true });
    await writer;
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(answerOf(r)?.hookSpecificOutput).toMatchObject({ permissionDecision: 'deny' });
    expect(answerOf(r)?.hookSpecificOutput.permissionDecisionReason.split('\n')[0]).toBe(`budget_exceeded|brainstorm|${SPENT + 1000}/3000 billing tokens`);
  });
});

describe('a ledger that cannot be read (fail closed under hard)', () => {
  const unreadable = () => {
    const sb = sandbox({ budget: '1000' });
    writeFileSync(sb.ledger, 'this is not a database'.repeat(100));
    return sb;
  };
  const answer = (sb: Sandbox, policy: string) => {
    const r = runHook('pre-tool-use', payload(sb, 'pre-tool-use'), sb, { env: { SPRINT_BUDGET_DISPATCH_POLICY: policy } });
    expect(r.code).toBe(0);
    return answerOf(r);
  };
  const unchecked = /^sprint-budget: the budget could not be checked \(ledger .* is damaged \(file is not a database\).*\)/;

  it('hard: the dispatch is denied, with a line saying the budget could not be checked', () => {
    const a = answer(unreadable(), 'hard');
    expect(a?.hookSpecificOutput).toMatchObject({ permissionDecision: 'deny', permissionDecisionReason: expect.stringMatching(unchecked) });
    expect(a?.systemMessage).toMatch(/under the hard policy the dispatch is stopped$/);
  });

  it('soft: the user is asked; off: it passes, and the user is told it was not checked', () => {
    const sb = unreadable();
    expect(answer(sb, 'soft')?.hookSpecificOutput).toMatchObject({ permissionDecision: 'ask', permissionDecisionReason: expect.stringMatching(unchecked) });
    const off = answer(sb, 'off');
    expect(off?.hookSpecificOutput).toBeUndefined();
    expect(off?.systemMessage).toMatch(/the dispatch proceeds \(policy off\)$/);
  });
});
