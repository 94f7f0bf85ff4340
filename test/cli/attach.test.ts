/**
 * Spend goes to the sprint the user works on, and only while they work on it (docs/spec.md, "Session
 * attachment"): resume attaches the session it runs in, detach ends that, a stopped or done sprint
 * counts nothing more, and figures recorded by key stay in their own sprint. The real CLI and hooks,
 * a real ledger, transcripts written as a session writes them.
 */
import { describe, expect, it } from 'vitest';
import { SAMPLE_SESSION, answerOf, runHook, payload, sandbox } from '../helpers/hooks';
import { runCli } from '../helpers/cli';
import { appendResponses } from '../helpers/transcript-lines';

interface State {
  id: string;
  status: string;
  tokens_spent: number;
  tokens: { input: number; output: number; total_only: number };
  active_sessions: string[];
  this_session: { session_id: string; sprint: string | null } | null;
  sessions: { session_id: string; detached_at: string | null; via: string }[];
}

function setup() {
  const sb = sandbox({ budget: 'none' });
  const env = (session: string | null = SAMPLE_SESSION) => ({ HOME: sb.home, ...(session ? { CLAUDE_CODE_SESSION_ID: session } : {}) });
  const cli = (args: string[], session: string | null = SAMPLE_SESSION) => runCli(args, { cwd: sb.project, env: env(session) });
  const state = (id: string, session: string | null = SAMPLE_SESSION): State => {
    const r = cli(['state', id, '--json'], session);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as State;
  };
  /** One response of the sample session, `input`/`output` tokens, written at `at`. */
  const spend = (id: string, input: number, output: number, at = Date.now()) =>
    appendResponses(sb.transcript, [{ session: SAMPLE_SESSION, id, input, output, at }]);
  return { sb, cli, state, spend, first: sb.sprintId as string };
}

function create(cli: ReturnType<typeof setup>['cli'], title: string, session: string | null = null, ...args: string[]): string {
  const r = cli(['create', title, '--budget', 'none', ...args], session);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim();
}

describe('resume: the session it runs in counts toward the sprint it resumes, from then on', () => {
  it("moves a session the hooks attached to the newest sprint; each sprint keeps what came in its time", () => {
    const { sb, cli, state, spend, first: a } = setup();
    const b = create(cli, 'Sprint B, the newest');
    // A new session: SessionStart attaches it to the newest active sprint and says so.
    const started = runHook('session-start', payload(sb, 'session-start'), sb);
    expect(started.code, started.stderr).toBe(0);
    expect(answerOf(started)?.systemMessage).toContain(`This session counts toward sprint ${b} "Sprint B, the newest"`);
    spend('msg_before', 100, 10);

    const resumed = cli(['resume', a]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`session ${SAMPLE_SESSION} now counts toward ${a} (it counted toward ${b} until now)`);
    expect(resumed.stdout).toMatch(new RegExp(`Sessions\\s+${SAMPLE_SESSION} \\(this session\\) attached`));
    spend('msg_after', 200, 20, Date.now() + 1);
    // The hooks keep it where resume put it.
    expect(runHook('stop', payload(sb, 'stop'), sb).code).toBe(0);

    expect(state(a)).toMatchObject({ tokens_spent: 220, active_sessions: [SAMPLE_SESSION], this_session: { session_id: SAMPLE_SESSION, sprint: a } });
    expect(state(b)).toMatchObject({ tokens_spent: 110, active_sessions: [], this_session: { session_id: SAMPLE_SESSION, sprint: a } });
    expect(cli(['state', b]).stdout).toMatch(new RegExp(`this session counts toward ${a} \\(sprint-budget resume ${b} moves it here\\)`));
  });

  it('outside Claude Code resume only shows the sprint; a stopped sprint cannot be resumed', () => {
    const { cli, first: a } = setup();
    const r = cli(['resume', a], null);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('not inside a Claude Code session: nothing attached');
    expect(cli(['stop', a, '--reason', 'scope cut']).code).toBe(0);
    const again = cli(['resume', a]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`sprint ${a} is stopped: it counts nothing more`);
    expect(cli(['attach', '--sprint', a]).code).toBe(2);
  });
});

describe('detach', () => {
  it('ends the attachment; the hooks never attach the session again on their own', () => {
    const { sb, cli, state, spend, first: a } = setup();
    expect(runHook('session-start', payload(sb, 'session-start'), sb).code).toBe(0);
    spend('msg_1', 100, 10);
    const r = cli(['detach']);
    expect(r).toMatchObject({ code: 0, stdout: `${a}: session ${SAMPLE_SESSION} detached\n` });
    spend('msg_2', 200, 20, Date.now() + 1);
    for (const hook of ['stop', 'pre-tool-use', 'session-end'] as const) expect(runHook(hook, payload(sb, hook), sb).code).toBe(0);
    const again = runHook('session-start', payload(sb, 'session-start'), sb);
    expect(answerOf(again)?.systemMessage).toContain(`This session counts toward no sprint (it was detached); /sprint-budget:sprint ${a} resumes the active one.`);
    expect(state(a)).toMatchObject({ tokens_spent: 110, active_sessions: [], this_session: { session_id: SAMPLE_SESSION, sprint: null } });
    expect(cli(['detach'])).toMatchObject({ code: 1 });
  });
});

describe('a stopped or done sprint counts nothing more', () => {
  it('stop detaches: a line made before the stop counts even when read later, one made after does not', () => {
    const { cli, state, spend, first: a } = setup();
    expect(cli(['attach', '--sprint', a]).code).toBe(0);
    spend('msg_1', 100, 10);
    const beforeStop = Date.now();
    const stopped = cli(['stop', a, '--reason', 'scope cut']);
    expect(stopped.code, stopped.stderr).toBe(0);
    // Written to the transcript only now, but made before the stop (Claude Code writes a response when it ends).
    spend('msg_2', 300, 30, beforeStop);
    spend('msg_3', 5000, 500, Date.now() + 1);
    expect(state(a)).toMatchObject({ status: 'stopped', tokens_spent: 440, active_sessions: [] });
    expect(state(a).sessions).toEqual([expect.objectContaining({ session_id: SAMPLE_SESSION, detached_at: expect.any(String) })]);
    const rec = cli(['record', '--sprint', a, '--phase', 'brainstorm', '--total', '100', '--source', 't', '--key', 'late']);
    expect(rec.code).toBe(2);
    expect(rec.stderr).toContain('is stopped: it counts nothing more');
  });

  it('reaching done detaches every session of the sprint', () => {
    const { cli, state, spend } = setup();
    const id = create(cli, 'Two phases', SAMPLE_SESSION, '--phases', 'work,done');
    spend('msg_1', 100, 10);
    expect(cli(['advance', id, '--from', 'work'])).toMatchObject({ code: 0, stdout: 'Phase: work → done\n' });
    spend('msg_2', 5000, 500, Date.now() + 1);
    expect(state(id)).toMatchObject({ status: 'done', tokens_spent: 110, active_sessions: [] });
  });
});

describe('record', () => {
  it('keys are per sprint: two sprints may use the same key, and neither overwrites the other', () => {
    const { cli, state, first: a } = setup();
    const b = create(cli, 'Sprint B');
    const record = (sprint: string, input: string) =>
      cli(['record', '--sprint', sprint, '--phase', 'brainstorm', '--input', input, '--output', '0', '--source', 'my-tool', '--key', 'run-1'], null);
    expect(record(a, '1000').code).toBe(0);
    expect(record(b, '7000').code).toBe(0);
    expect(record(a, '1000').code).toBe(0); // again: changes nothing
    expect(state(a, null).tokens_spent).toBe(1000);
    expect(state(b, null).tokens_spent).toBe(7000);
  });

  it('--total N is stored and shown as a total, never split into input and output (defect 16)', () => {
    const { cli, state, first: a } = setup();
    const r = cli(['record', '--phase', 'brainstorm', '--total', '1200', '--source', 'ic', '--key', 'k', '--json'], null);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ billing: 1200, total_only: true, tokens_spent: 1200 });
    expect(state(a, null)).toMatchObject({ tokens_spent: 1200, tokens: { input: 0, output: 0, total_only: 1200 } });
    const records = JSON.parse(cli(['tokens', '--records', '--json'], null).stdout) as Record<string, unknown>[];
    expect(records).toEqual([expect.objectContaining({ input: 0, output: 0, total_only: 1200, source: 'ic' })]);
    expect(cli(['tokens', '--records'], null).stdout).toMatch(/main\s+—\s+—\s+1,200/);
    expect(cli(['state'], null).stdout).toContain('1,200 billing tokens recorded as totals (no input/output split)');
    // The same key with a split would count the figure twice: refused.
    const split = cli(['record', '--phase', 'brainstorm', '--input', '1000', '--output', '200', '--source', 'ic', '--key', 'k'], null);
    expect(split.code).toBe(2);
    expect(cli(['record', '--phase', 'brainstorm', '--total', '5', '--input', '1', '--source', 'ic', '--key', 'j'], null).code).toBe(2);
  });
});
