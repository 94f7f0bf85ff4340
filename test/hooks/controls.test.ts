/**
 * The spend controls through the built hooks, as Claude Code runs them: the in-phase watch
 * (PostToolUse on every tool), reservations and fan-out caps in the dispatch gate (parallel PreToolUse
 * processes), settling and releasing, and the Bash check that puts budget decisions to the user.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLedger } from '../../src/ledger/db';
import { listEvents } from '../../src/ledger/sprints';
import { runCli } from '../helpers/cli';
import { type Sandbox, SAMPLE_MAIN_BILLING, SAMPLE_SUB_BILLING, answerOf, inLedger, payload, runHook, sandbox, startHook, writeTranscripts } from '../helpers/hooks';

const SPENT = SAMPLE_MAIN_BILLING + SAMPLE_SUB_BILLING; // 2600

/** A sprint whose attached session has spent the sample's 2600 billing tokens. */
function spent(budget: string, config?: Record<string, unknown>): Sandbox {
  const sb = sandbox({ budget });
  if (config) writeFileSync(join(sb.project, '.sprint-budget/config.json'), JSON.stringify(config));
  runHook('session-start', payload(sb, 'session-start'), sb);
  writeTranscripts(sb);
  return sb;
}

/** PostToolUse for a plain tool call (Bash), as the watch sees every tool. */
function watch(sb: Sandbox, env: NodeJS.ProcessEnv = {}, id = 'toolu_bash') {
  const r = runHook('post-tool-use', payload(sb, 'post-tool-use', { tool_name: 'Bash', tool_use_id: id, tool_input: { command: 'ls' }, tool_response: { stdout: '' } }), sb, { env });
  expect(r).toMatchObject({ code: 0, stderr: '' });
  return answerOf(r);
}

function events(sb: Sandbox): { kind: string; reason: string | null; detail: Record<string, unknown> | null; actor: string }[] {
  return inLedger(sb, (l, s) => listEvents(l, s.id));
}

describe('threshold alerts and in-phase enforcement (PostToolUse, every tool)', () => {
  it('each threshold once per sprint, to the user and the model, as budget_warning|phase|spent/budget (NN%)', () => {
    const sb = spent('3000');
    const line = `budget_warning|brainstorm|${SPENT}/3000 billing tokens (86%)`;
    expect(watch(sb)).toEqual({ systemMessage: line, hookSpecificOutput: { hookEventName: 'PostToolUse', additionalContext: line } });
    expect(watch(sb, {}, 'toolu_b2')).toBeNull();
    expect(events(sb).filter((e) => e.kind === 'budget_alert').map((e) => e.detail?.threshold)).toEqual([50, 80]);
  });

  it('the thresholds come from config.json (alerts), and [] turns them off', () => {
    const sb = spent('3000', { alerts: [85] });
    expect(watch(sb)?.systemMessage).toBe(`budget_warning|brainstorm|${SPENT}/3000 billing tokens (86%)`);
    const quiet = spent('3000', { alerts: [] });
    expect(watch(quiet)).toBeNull();
  });

  it('hard: past the budget the main loop stops (continue: false, the budget_exceeded line), on every call until an override', () => {
    const sb = spent('2000', { dispatch_policy: 'hard' });
    const exceeded = `budget_exceeded|brainstorm|${SPENT}/2000 billing tokens`;
    const first = watch(sb);
    expect(first).toMatchObject({ continue: false, stopReason: exceeded });
    expect(watch(sb, {}, 'toolu_b2')).toMatchObject({ continue: false, stopReason: exceeded });
    expect(events(sb).filter((e) => e.kind === 'loop_stop')).toHaveLength(1);
    expect(runCli(['override', '--reason', 'finish the tests'], { cwd: sb.project }).code).toBe(0);
    expect(watch(sb, {}, 'toolu_b3')).toBeNull();
  });

  it('hard: a budget change re-arms the check against the new budget', () => {
    const sb = spent('2000', { dispatch_policy: 'hard' });
    watch(sb);
    expect(runCli(['set-budget', '10k', '--reason', 'bigger'], { cwd: sb.project }).code).toBe(0);
    expect(watch(sb, {}, 'toolu_b2')).toBeNull();
  });

  it('soft (the default): the model is told once to stop and ask the user; the loop is not stopped', () => {
    const sb = spent('2000');
    const a = watch(sb);
    expect(a?.continue).toBeUndefined();
    expect(a?.hookSpecificOutput.additionalContext).toMatch(/budget_exceeded\|brainstorm\|2600\/2000 billing tokens\nThe sprint budget is used up. Stop here and ask the user/);
    expect(watch(sb, {}, 'toolu_b2')).toBeNull();
    expect(events(sb).find((e) => e.kind === 'loop_stop')?.reason).toBe(`budget_exceeded|brainstorm|${SPENT}/2000 billing tokens: the model was told to stop and ask the user`);
  });

  it('off: only records', () => {
    const sb = spent('2000', { dispatch_policy: 'off', alerts: [] });
    expect(watch(sb)).toBeNull();
    expect(events(sb).find((e) => e.kind === 'loop_stop')?.detail).toMatchObject({ policy: 'off', spent: SPENT, budget: 2000 });
  });

  it('a bad setting: the default applies, and the hook says so once per sprint', () => {
    const sb = spent('1M', { alerts: 'often' });
    const note = watch(sb)?.systemMessage as string;
    expect(note).toMatch(/config\.json: alerts: expected a list of percentages .*; the default applies$/);
    expect(watch(sb, {}, 'toolu_b2')).toBeNull();
    expect(events(sb).filter((e) => e.kind === 'config_problem')).toHaveLength(1);
  });

  it('any tool passes, whatever its input holds (an MCP tool with an object for `command`)', () => {
    const sb = spent('1M');
    const r = runHook('post-tool-use', payload(sb, 'post-tool-use', { tool_name: 'mcp__x__run', tool_use_id: 'toolu_mcp', tool_input: { command: { argv: ['a'] }, subagent_type: 3 }, tool_response: [1, 2] }), sb);
    expect(r).toMatchObject({ code: 0, stderr: '' });
  });

  it('a project with no ledger: nothing is opened, nothing said', () => {
    const sb = sandbox({ noLedger: true });
    expect(watch(sb)).toBeNull();
  });
});

/** An Agent PreToolUse for tool use `id`. */
const agentCall = (sb: Sandbox, id: string) => payload(sb, 'pre-tool-use', { tool_use_id: id });

describe('reservations: parallel dispatches see each other', () => {
  it('budget 100k, 20k spent, five 40k dispatches at once: two pass and reserve, three are stopped', async () => {
    const sb = spent('100k', { dispatch_policy: 'hard' });
    expect(runCli(['record', '--phase', 'brainstorm', '--input', String(20_000 - SPENT), '--output', '0', '--source', 'test', '--key', 'k1'], { cwd: sb.project }).code).toBe(0);
    const ids = [1, 2, 3, 4, 5].map((i) => `toolu_par_${i}`);
    const runs = await Promise.all(ids.map((id) => startHook('pre-tool-use', agentCall(sb, id), sb)));
    const answers = runs.map((r) => {
      expect(r).toMatchObject({ code: 0, stderr: '' });
      return answerOf(r);
    });
    const stopped = answers.filter((a) => a?.hookSpecificOutput?.permissionDecision === 'deny');
    expect(stopped).toHaveLength(3);
    for (const a of stopped) {
      expect(a?.hookSpecificOutput.permissionDecisionReason.split('\n')[0]).toBe('budget_exceeded|brainstorm|100000/100000 billing tokens (80000 reserved by running subagents)');
    }
    const state = JSON.parse(runCli(['state', '--json'], { cwd: sb.project }).stdout);
    expect(state).toMatchObject({ tokens_spent: 20_000, tokens_reserved: 80_000, tokens_remaining: 0 });
    expect(runCli(['remaining'], { cwd: sb.project }).stdout).toBe('0\n');
    expect(events(sb).filter((e) => e.kind === 'dispatch_denied')).toHaveLength(3);
  });

  it('settled when the subagent reports its usage, released when the dispatch fails', () => {
    const sb = spent('1M');
    expect(runHook('pre-tool-use', agentCall(sb, 'toolu_1'), sb).code).toBe(0);
    expect(runHook('pre-tool-use', agentCall(sb, 'toolu_2'), sb).code).toBe(0);
    expect(JSON.parse(runCli(['remaining', '--json'], { cwd: sb.project }).stdout)).toMatchObject({ reserved: 80_000, remaining: 1_000_000 - SPENT - 80_000 });
    // The sample PostToolUse is toolu_1's report.
    runHook('post-tool-use', payload(sb, 'post-tool-use', { tool_use_id: 'toolu_1' }), sb);
    const failure = payload(sb, 'post-tool-use-failure', { tool_use_id: 'toolu_2', error: 'interrupted' });
    expect(runHook('post-tool-use-failure', failure, sb)).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const rows = inLedger(sb, (l) => l.db.prepare('SELECT tool_use_id, state, reason FROM reservations ORDER BY tool_use_id').all());
    expect(rows).toEqual([
      { tool_use_id: 'toolu_1', state: 'settled', reason: 'the subagent reported its usage' },
      { tool_use_id: 'toolu_2', state: 'released', reason: 'the dispatch failed: interrupted' },
    ]);
    expect(JSON.parse(runCli(['remaining', '--json'], { cwd: sb.project }).stdout)).toMatchObject({ reserved: 0 });
  });

  it('a background launch stays reserved until SubagentStop settles it (its .meta.json names the tool use)', () => {
    const sb = spent('1M');
    runHook('pre-tool-use', agentCall(sb, 'toolu_1'), sb);
    runHook('post-tool-use', payload(sb, 'post-tool-use', { tool_response: { status: 'async_launched', agentId: 'x' } }), sb);
    expect(inLedger(sb, (l) => l.db.prepare('SELECT state FROM reservations').get())).toEqual({ state: 'open' });
    runHook('subagent-stop', payload(sb, 'subagent-stop'), sb);
    expect(inLedger(sb, (l) => l.db.prepare('SELECT state FROM reservations').get())).toEqual({ state: 'settled' });
  });

  it('one never settled expires at session end, or past its stated age, and the history says so', () => {
    const sb = spent('1M');
    runHook('pre-tool-use', agentCall(sb, 'toolu_1'), sb);
    runHook('session-end', payload(sb, 'session-end'), sb);
    expect(events(sb).find((e) => e.kind === 'reservation_expired')?.reason).toBe(
      'reservation of 40000 billing tokens for a general-purpose subagent expired: the session ended',
    );
    const aged = spent('1M', { reservation_max_age_minutes: 1 });
    runHook('pre-tool-use', agentCall(aged, 'toolu_1'), aged);
    inLedger(aged, (l) => l.db.prepare('UPDATE reservations SET at = at - 120000').run());
    runHook('pre-tool-use', agentCall(aged, 'toolu_2'), aged);
    expect(events(aged).find((e) => e.kind === 'reservation_expired')?.reason).toMatch(/expired: never settled within 1 minutes$/);
  });
});

describe('fan-out caps', () => {
  it('max_agents_per_phase: the dispatch past the cap is stopped with agent_cap|<phase>|<n>/<max> agents', () => {
    const sb = spent('none', { max_agents_per_phase: 2, dispatch_policy: 'hard' });
    for (const id of ['toolu_1', 'toolu_2']) expect(answerOf(runHook('pre-tool-use', agentCall(sb, id), sb))).toBeNull();
    const a = answerOf(runHook('pre-tool-use', agentCall(sb, 'toolu_3'), sb));
    expect(a?.hookSpecificOutput).toMatchObject({ permissionDecision: 'deny' });
    expect(a?.hookSpecificOutput.permissionDecisionReason.split('\n')[0]).toBe('agent_cap|brainstorm|2/2 agents (per phase)');
    expect(events(sb).find((e) => e.kind === 'dispatch_capped')).toMatchObject({ reason: 'agent_cap|brainstorm|2/2 agents (per phase)', detail: { decision: 'deny' } });
    // A new phase has its own count.
    expect(runCli(['advance'], { cwd: sb.project }).code).toBe(0);
    expect(answerOf(runHook('pre-tool-use', agentCall(sb, 'toolu_4'), sb))).toBeNull();
  });

  it('max_concurrent_agents counts the running ones; a create option overrides the project', () => {
    const sb = sandbox({ budget: 'none' });
    writeFileSync(join(sb.project, '.sprint-budget/config.json'), JSON.stringify({ max_concurrent_agents: 5 }));
    expect(runCli(['create', 'capped', '--budget', 'none', '--max-concurrent-agents', '1'], { cwd: sb.project }).code).toBe(0);
    runHook('session-start', payload(sb, 'session-start'), sb);
    expect(answerOf(runHook('pre-tool-use', agentCall(sb, 'toolu_1'), sb))).toBeNull();
    const a = answerOf(runHook('pre-tool-use', agentCall(sb, 'toolu_2'), sb));
    expect(a?.hookSpecificOutput).toMatchObject({ permissionDecision: 'ask' });
    expect(a?.hookSpecificOutput.permissionDecisionReason.split('\n')[0]).toBe('agent_cap|brainstorm|1/1 agents (running at once)');
    runHook('post-tool-use', payload(sb, 'post-tool-use', { tool_use_id: 'toolu_1' }), sb);
    expect(answerOf(runHook('pre-tool-use', agentCall(sb, 'toolu_3'), sb))).toBeNull();
  });
});

/** PreToolUse for a Bash command. */
function bash(sb: Sandbox, command: string, env: NodeJS.ProcessEnv = {}, id = 'toolu_sh') {
  const r = runHook('pre-tool-use', payload(sb, 'pre-tool-use', { tool_name: 'Bash', tool_use_id: id, tool_input: { command } }), sb, { env });
  expect(r).toMatchObject({ code: 0, stderr: '' });
  return answerOf(r);
}

describe('decisions only a person can make (PreToolUse on Bash)', () => {
  it('override, a raising set-budget and stop are put to the user, and the question is recorded', () => {
    const sb = spent('100k');
    for (const cmd of ['sprint-budget override --reason "go on"', 'sprint-budget set-budget 200k --reason more', 'sprint-budget stop --reason done']) {
      const a = bash(sb, cmd, {}, `toolu_${cmd.split(' ')[1]}`);
      expect(a?.hookSpecificOutput).toMatchObject({ hookEventName: 'PreToolUse', permissionDecision: 'ask' });
      expect(a?.hookSpecificOutput.permissionDecisionReason).toMatch(/^sprint-budget: only the user decides to /);
    }
    expect(events(sb).filter((e) => e.kind === 'decision_asked').map((e) => e.detail?.decisions)).toEqual([['override'], ['set-budget'], ['stop']]);
  });

  it('other commands, and a set-budget that lowers the budget, pass without a question', () => {
    const sb = spent('100k');
    expect(bash(sb, 'sprint-budget state && sprint-budget advance --from brainstorm')).toBeNull();
    expect(bash(sb, 'sprint-budget set-budget 50k --reason tighter')).toBeNull();
    expect(bash(sb, 'ls -la')).toBeNull();
  });

  it('"decisions": "model" in config.json, or SPRINT_BUDGET_DECISIONS=model, lets the model decide', () => {
    const sb = spent('100k', { decisions: 'model' });
    expect(bash(sb, 'sprint-budget override --reason x')).toBeNull();
    const env = spent('100k');
    expect(bash(env, 'sprint-budget override --reason x', { SPRINT_BUDGET_DECISIONS: 'model' })).toBeNull();
  });

  it('the actor is recorded: the user who confirmed in Claude Code, the model, or the command line outside it', () => {
    const sb = spent('100k');
    const inClaude = { CLAUDE_CODE_SESSION_ID: '2f615247-9f0e-4d07-ade0-cad4d6e2665c' };
    bash(sb, 'sprint-budget override --reason "asked"');
    expect(runCli(['override', '--reason', 'asked'], { cwd: sb.project, env: inClaude }).code).toBe(0);
    expect(runCli(['override', '--reason', 'unasked'], { cwd: sb.project, env: inClaude }).code).toBe(0);
    expect(runCli(['set-budget', '150k', '--reason', 'outside'], { cwd: sb.project }).code).toBe(0);
    const decided = events(sb).filter((e) => e.kind === 'override' || e.kind === 'set_budget');
    expect(decided.map((e) => [e.actor.split(':')[0], e.detail?.actor_kind])).toEqual([
      ['user', 'user'],
      ['model', 'model'],
      ['cli', 'cli'],
    ]);
    expect(decided[0]?.detail?.confirmed_by).toBe('toolu_sh');
  });

  it('a ledger that cannot be used: the decision is still put to the user', () => {
    const sb = spent('100k');
    const holder = openLedger(sb.ledger);
    holder.db.exec('BEGIN IMMEDIATE');
    try {
      // Recording the question needs the write lock: the hook waits, retries, then falls back.
      const a = bash(sb, 'sprint-budget override --reason x', { SPRINT_BUDGET_DISPATCH_POLICY: 'off' });
      expect(a?.hookSpecificOutput).toMatchObject({ permissionDecision: 'ask' });
      const w = fileTool(sb, 'Write', join(sb.project, '.sprint-budget/config.json'), { SPRINT_BUDGET_DISPATCH_POLICY: 'off' });
      expect(w?.hookSpecificOutput).toMatchObject({ permissionDecision: 'ask' });
    } finally {
      holder.db.exec('ROLLBACK');
      holder.close();
    }
  });
});

/** PreToolUse for a file tool, as hooks.json selects it (only for paths in a .sprint-budget folder). */
function fileTool(sb: Sandbox, tool: 'Edit' | 'Write', file: string, env: NodeJS.ProcessEnv = {}, id = 'toolu_file') {
  const input = tool === 'Write' ? { file_path: file, content: '{"decisions":"model"}' } : { file_path: file, old_string: 'a', new_string: 'b' };
  const r = runHook('pre-tool-use', payload(sb, 'pre-tool-use', { tool_name: tool, tool_use_id: id, tool_input: input }), sb, { env });
  expect(r).toMatchObject({ code: 0, stderr: '' });
  return answerOf(r);
}

describe('changes to .sprint-budget/ (its settings and ledger) are put to the user', () => {
  it('Write and Edit on a file in it are asked, and the question is recorded with the file', () => {
    const sb = spent('100k');
    const config = join(sb.project, '.sprint-budget/config.json');
    for (const tool of ['Write', 'Edit'] as const) {
      const a = fileTool(sb, tool, config, {}, `toolu_${tool}`);
      expect(a?.hookSpecificOutput).toMatchObject({ hookEventName: 'PreToolUse', permissionDecision: 'ask' });
      expect(a?.hookSpecificOutput.permissionDecisionReason).toBe(
        "sprint-budget: only the user decides to change the budget's settings or ledger in .sprint-budget/. Approve to let it run (recorded as your decision); the model cannot lift its own budget.",
      );
    }
    expect(events(sb).filter((e) => e.kind === 'decision_asked').map((e) => [e.reason, e.detail?.decisions])).toEqual([
      [config, ['settings']],
      [config, ['settings']],
    ]);
  });

  it('a shell command that writes into it is asked; one that reads it is not', () => {
    const sb = spent('100k');
    expect(bash(sb, `echo '{"decisions":"model"}' > .sprint-budget/config.json`)?.hookSpecificOutput).toMatchObject({ permissionDecision: 'ask' });
    expect(bash(sb, 'cat .sprint-budget/config.json')).toBeNull();
  });

  it('files elsewhere are not the hook\'s: hooks.json starts no process for them', () => {
    const sb = spent('100k');
    const r = runHook('pre-tool-use', payload(sb, 'pre-tool-use', { tool_name: 'Write', tool_use_id: 'toolu_w', tool_input: { file_path: join(sb.project, 'notes.md'), content: 'x' } }), sb);
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('a project that lets the model decide lets it change its settings too', () => {
    const sb = spent('100k', { decisions: 'model' });
    expect(fileTool(sb, 'Write', join(sb.project, '.sprint-budget/config.json'))).toBeNull();
  });
});

describe('stage budgets at advance', () => {
  it('a stage over its share pauses with budget_exceeded|<stage>|stage budget depleted, exit 1; state and tokens show it', () => {
    const sb = spent('10k', { stage_shares: { discover: 20, build: 50 } });
    const r = runCli(['advance'], { cwd: sb.project });
    expect(r).toMatchObject({ code: 1, stdout: 'budget_exceeded|discover|stage budget depleted\n' });
    const state = JSON.parse(runCli(['state', '--json'], { cwd: sb.project }).stdout);
    expect(state.stages[0]).toEqual({ stage: 'discover', phases: ['brainstorm'], budget: 2000, spent: SPENT, remaining: 0, depleted: true });
    expect(runCli(['tokens'], { cwd: sb.project }).stdout).toContain(`Stage discover: ${SPENT.toLocaleString('en-US')} / 2,000 billing tokens · depleted (brainstorm)`);
    // An override lets the advance pass, once.
    expect(runCli(['override', '--reason', 'discovery ran long'], { cwd: sb.project }).code).toBe(0);
    expect(runCli(['advance'], { cwd: sb.project }).code).toBe(0);
  });
});
