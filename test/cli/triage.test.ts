import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLedger } from '../../src/ledger/db';
import type { SpendRecord } from '../../src/domain/records';
import { putSubagents } from '../../src/ledger/agents';
import { upsertRecords } from '../../src/ledger/records';
import { PLUGIN, runCli, tempProject } from '../helpers/cli';

const AGENTS = [
  { name: 'fd-architecture', score: 5, stage: 1 },
  { name: 'fd-quality', score: 4, stage: 1 },
  { name: 'fd-performance', score: 4, stage: 2 },
  { name: 'best-practices-researcher', score: 3, stage: 2 },
  { name: 'fd-systems', score: 3, stage: 2 },
  { name: 'fd-safety', score: 2, stage: 2 },
];

interface TriageJson {
  triage_id: number;
  budget: number;
  type_budget: number;
  sprint_remaining: number | null;
  sprint_constrained: boolean;
  sprint: string | null;
  config: string;
  agents: { name: string; estimate: number; source: string; runs: number; action: string; reason: string }[];
  launch: string[];
  deferred: string[];
  totals: { selected_tokens: number; deferred_count: number; percent: number | null };
  summary: string;
}

function triage(dir: string, args: string[], env: NodeJS.ProcessEnv = {}, agents: unknown = AGENTS) {
  return runCli(['triage', '--agents', '-', ...args], { cwd: dir, env, input: JSON.stringify(agents) });
}

function triageJson(dir: string, args: string[], env: NodeJS.ProcessEnv = {}, agents: unknown = AGENTS): TriageJson {
  const r = triage(dir, [...args, '--json'], env, agents);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as TriageJson;
}

let seq = 0;
/**
 * Subagent runs as the transcript reader and the PostToolUse hook write them; with `name`, dispatched
 * under that name (the description its .meta.json gives starts with it), in `session`.
 */
function addRuns(
  dir: string,
  agentType: string,
  runs: { billing: number; ts: number; kind?: 'response' | 'summary' }[],
  opts: { name?: string; session?: string } = {},
): void {
  const l = openLedger(join(dir, '.sprint-budget/ledger.db'), { create: true });
  try {
    const records = runs.map((r): SpendRecord => {
      seq += 1;
      return {
        key: `test:${seq}`,
        kind: r.kind ?? 'response',
        source: r.kind === 'summary' ? 'hook' : 'transcript',
        sessionId: opts.session ?? 'session-1',
        sprintId: null,
        phase: null,
        agentId: `agent-${seq}`,
        agentType,
        model: 'claude-test',
        ts: r.ts,
        input: r.billing - 100,
        output: 100,
        cacheRead: 5_000,
        cacheWrite: 0,
        origin: `test:${seq}`,
      };
    });
    upsertRecords(l, records);
    const description = opts.name === undefined ? 'Explore the code' : `${opts.name}: review`;
    l.write(() => putSubagents(l, records.map((r) => ({ agentId: r.agentId as string, sessionId: r.sessionId, agentType, description, toolUseId: null }))));
  } finally {
    l.close();
  }
}

describe('sprint-budget triage', () => {
  it('prints the table and the triage budget line, each estimate with its source', () => {
    const dir = tempProject();
    const r = triage(dir, ['--input-type', 'plan']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Agent +Score +Stage +Est\. Tokens +Source +Action$/);
    expect(lines).toContainEqual(expect.stringMatching(/^fd-performance +4 +2 +40,000 +default \(review\) +Deferred \(budget\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/^fd-safety +2 +2 +40,000 +default \(review\) +Selected \(exempt\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/^best-practices-researcher +3 +2 +15,000 +default \(research\) +Selected$/));
    expect(lines.at(-1)).toBe('Budget: 135K / 150K (90%) | Deferred: 2 agents (75K est.)');
    expect(r.stderr).toMatch(/^triage #1 recorded .*sprint-budget triage report 1\n$/);
  });

  it('FLUX_BUDGET_REMAINING=0 defers every optional agent instead of falling back to the type budget', () => {
    const dir = tempProject();
    const open = triageJson(dir, ['--input-type', 'plan']);
    expect(open).toMatchObject({ budget: 150_000, sprint_remaining: null, sprint_constrained: false });
    expect(open.launch).toContain('best-practices-researcher');

    const spent = triageJson(dir, ['--input-type', 'plan'], { FLUX_BUDGET_REMAINING: '0' });
    expect(spent).toMatchObject({ budget: 0, type_budget: 150_000, sprint_remaining: 0, sprint_constrained: true });
    expect(spent.launch).toEqual(['fd-architecture', 'fd-quality', 'fd-safety']);
    expect(spent.deferred).toEqual(['fd-performance', 'best-practices-researcher', 'fd-systems']);
    expect(spent.summary).toBe('Budget: 120K / 0K (0% left) | Deferred: 3 agents (90K est.) [sprint-constrained]');
  });

  it('is sprint-constrained only when the remaining budget is tighter, and --sprint-remaining wins over the variable', () => {
    const dir = tempProject();
    expect(triageJson(dir, ['--input-type', 'plan'], { FLUX_BUDGET_REMAINING: '150000' })).toMatchObject({ budget: 150_000, sprint_constrained: false });
    expect(triageJson(dir, ['--input-type', 'plan'], { FLUX_BUDGET_REMAINING: '900000' }).summary).not.toContain('[sprint-constrained]');
    const tight = triageJson(dir, ['--input-type', 'plan'], { FLUX_BUDGET_REMAINING: '100000' });
    expect(tight).toMatchObject({ budget: 100_000, sprint_constrained: true });
    expect(tight.summary).toMatch(/ \[sprint-constrained\]$/);
    expect(triageJson(dir, ['--input-type', 'plan', '--sprint-remaining', '0'], { FLUX_BUDGET_REMAINING: '100000' }).budget).toBe(0);
    expect(triageJson(dir, ['--input-type', 'plan', '--sprint-remaining', 'none'], { FLUX_BUDGET_REMAINING: '0' })).toMatchObject({
      budget: 150_000,
      sprint_remaining: null,
    });
  });

  it('refuses a FLUX_BUDGET_REMAINING it cannot read instead of guessing (exit 2)', () => {
    const dir = tempProject();
    for (const value of ['', 'lots', '-5', '12k']) {
      const r = triage(dir, ['--input-type', 'plan'], { FLUX_BUDGET_REMAINING: value });
      expect(r.code, value).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/FLUX_BUDGET_REMAINING/);
    }
  });

  it('estimates an agent type from its measured runs from the third run on, and says so', () => {
    const dir = tempProject();
    const now = Date.now() - 60_000;
    addRuns(dir, 'fd-performance', [
      { billing: 20_000, ts: now },
      { billing: 30_000, ts: now + 1 },
    ]);
    const two = triageJson(dir, ['--input-type', 'plan']).agents.find((a) => a.name === 'fd-performance');
    expect(two).toMatchObject({ estimate: 40_000, source: 'default', runs: 0 });

    // The third run is a subagent known only by its PostToolUse total so far.
    addRuns(dir, 'fd-performance', [{ billing: 10_000, ts: now + 2, kind: 'summary' }]);
    const three = triageJson(dir, ['--input-type', 'plan']).agents.find((a) => a.name === 'fd-performance');
    expect(three).toMatchObject({ estimate: 20_000, source: 'measured', runs: 3 });
    const text = triage(dir, ['--input-type', 'plan']).stdout;
    expect(text).toMatch(/^fd-performance +4 +2 +20,000 +measured \(3 runs\) +Selected$/m);
  });

  it('measures an agent by its agent_type when the subagent type differs from its name', () => {
    const dir = tempProject();
    addRuns(dir, 'interflux:fd-systems', [1, 2, 3].map((i) => ({ billing: 9_000, ts: Date.now() - 1000 * i })));
    const agents = [...AGENTS.filter((a) => a.name !== 'fd-systems'), { name: 'fd-systems', score: 3, stage: 2, agent_type: 'interflux:fd-systems' }];
    const fdSystems = triageJson(dir, ['--input-type', 'plan'], {}, agents).agents.find((a) => a.name === 'fd-systems');
    expect(fdSystems).toMatchObject({ estimate: 9_000, source: 'measured', runs: 3 });
  });

  it("estimates a lens dispatched as general-purpose from its own runs, never from every general-purpose run", () => {
    const dir = tempProject();
    const now = Date.now() - 60_000;
    // Unrelated general-purpose work: large, and many runs.
    addRuns(dir, 'general-purpose', [1, 2, 3, 4].map((i) => ({ billing: 200_000, ts: now + i })));
    const lens = [{ name: 'fd-safety', score: 2, stage: 2, agent_type: 'general-purpose' }];
    expect(triageJson(dir, ['--input-type', 'plan'], {}, lens).agents[0]).toMatchObject({ estimate: 40_000, source: 'default', runs: 0 });
    addRuns(dir, 'general-purpose', [10_000, 20_000, 30_000].map((billing, i) => ({ billing, ts: now + 10 + i })), { name: 'fd-safety' });
    expect(triageJson(dir, ['--input-type', 'plan'], {}, lens).agents[0]).toMatchObject({ estimate: 20_000, source: 'measured', runs: 3 });
  });

  it('uses the diff budget by size and slicing for domain agents', () => {
    const dir = tempProject();
    expect(triageJson(dir, ['--input-type', 'diff', '--diff-lines', '120']).budget).toBe(60_000);
    expect(triageJson(dir, ['--input-type', 'diff', '--diff-lines', '500']).budget).toBe(200_000);
    const sliced = triageJson(dir, ['--input-type', 'plan', '--slicing']).agents;
    expect(Object.fromEntries(sliced.map((a) => [a.name, a.estimate]))).toEqual({
      'fd-architecture': 40_000,
      'fd-quality': 40_000,
      'fd-performance': 20_000,
      'best-practices-researcher': 15_000,
      'fd-systems': 35_000,
      'fd-safety': 20_000,
    });
  });

  it("reads the project's .claude/flux-drive-budget.yaml in place of the plugin's file, whole", () => {
    const dir = tempProject();
    mkdirSync(join(dir, '.claude'));
    const shipped = readFileSync(join(PLUGIN, 'config/flux-drive/budget.yaml'), 'utf8');
    writeFileSync(join(dir, '.claude/flux-drive-budget.yaml'), shipped.replace('plan: 150000', 'plan: 90000').replace(/exempt_agents:\n(  - .*\n)+/, 'exempt_agents: []\n'));
    const sub = join(dir, 'src');
    mkdirSync(sub);
    const t = triageJson(sub, ['--input-type', 'plan']);
    expect(t).toMatchObject({ budget: 90_000, config: join(dir, '.claude/flux-drive-budget.yaml') });
    expect(t.deferred).toContain('fd-safety');

    writeFileSync(join(dir, '.claude/flux-drive-budget.yaml'), shipped.replace('plan: 150000', 'plan: lots'));
    const bad = triage(dir, ['--input-type', 'plan']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/flux-drive-budget\.yaml: budgets\.plan: expected number/);
    // A partial file is not merged with the defaults: it is refused, what it lacks named.
    writeFileSync(join(dir, '.claude/flux-drive-budget.yaml'), 'budgets:\n  plan: 90000\nexempt_agents: []\n');
    const partial = triage(dir, ['--input-type', 'plan']);
    expect(partial.code).toBe(2);
    expect(partial.stderr).toMatch(/flux-drive-budget\.yaml: missing budgets\.brainstorm, .* full_content_agents \(a project's budget file replaces the plugin's config\/flux-drive\/budget\.yaml whole/);
  });

  it("launch all defers nothing, needs a reason, and is an override in the sprint's history", () => {
    const dir = tempProject();
    const id = runCli(['create', 'Review within budget', '--budget', '1000'], { cwd: dir }).stdout.trim();
    expect(runCli(['record', '--phase', 'brainstorm', '--total', '1000', '--source', 't', '--key', 'k'], { cwd: dir }).code).toBe(0);
    expect(triage(dir, ['--input-type', 'plan', '--launch-all']).stderr).toMatch(/--launch-all needs --reason/);
    const t = triageJson(dir, ['--input-type', 'plan', '--launch-all', '--reason', 'the user wants every lens']);
    expect(t.deferred).toEqual([]);
    expect(t.agents.filter((a) => a.reason === 'override').map((a) => a.name)).toEqual(['fd-performance', 'best-practices-researcher', 'fd-systems']);
    expect(t.summary).toBe('Budget: 210K / 0K (0% left) | Deferred: 0 agents (0K est.) [sprint-constrained]');
    const st = JSON.parse(runCli(['state', id, '--json'], { cwd: dir }).stdout) as { events: { kind: string; reason: string; detail: Record<string, unknown> }[] };
    expect(st.events.find((e) => e.kind === 'triage_override')).toMatchObject({
      reason: 'the user wants every lens',
      detail: { triage_id: t.triage_id, launched: ['fd-performance', 'best-practices-researcher', 'fd-systems'], estimate: 90_000, budget: 0 },
    });
    expect(runCli(['state', id], { cwd: dir }).stdout).toMatch(/triage_override +brainstorm · "the user wants every lens"/);
  });

  it("inside a sprint caps the review with what the sprint has left now; a stale FLUX_BUDGET_REMAINING is not read", () => {
    const dir = tempProject();
    const id = runCli(['create', 'Review within budget', '--budget', '100000'], { cwd: dir }).stdout.trim();
    const record = (key: string, total: number) => runCli(['record', '--phase', 'brainstorm', '--total', String(total), '--source', 't', '--key', key], { cwd: dir });
    expect(record('a', 40_000).code).toBe(0);
    expect(triageJson(dir, ['--input-type', 'plan'])).toMatchObject({ sprint: id, budget: 60_000, sprint_remaining: 60_000, sprint_constrained: true });
    expect(record('b', 60_000).code).toBe(0);
    // A snapshot from earlier in the session says 100000; the sprint has nothing left.
    const r = triage(dir, ['--input-type', 'plan', '--json'], { FLUX_BUDGET_REMAINING: '100000' });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`note: FLUX_BUDGET_REMAINING is not read inside a sprint: what ${id} has left now is used`);
    const t = JSON.parse(r.stdout) as TriageJson;
    expect(t).toMatchObject({ budget: 0, sprint_remaining: 0 });
    expect(t.launch).toEqual(['fd-architecture', 'fd-quality', 'fd-safety']);
    // --sprint-remaining may lower the sprint's figure, never raise it.
    expect(triageJson(dir, ['--input-type', 'plan', '--sprint-remaining', '90000']).budget).toBe(0);
    expect(runCli(['set-budget', '1M', '--reason', 'bigger'], { cwd: dir }).code).toBe(0);
    expect(triageJson(dir, ['--input-type', 'plan', '--sprint-remaining', '30000']).budget).toBe(30_000);
  });

  it('records the active sprint it triaged for', () => {
    const dir = tempProject();
    const id = runCli(['create', 'Review the plan for the budget work'], { cwd: dir }).stdout.trim();
    expect(triageJson(dir, ['--input-type', 'plan']).sprint).toBe(id);
    const unknown = triage(dir, ['--input-type', 'plan', '--sprint', 'sb-nothere']);
    expect(unknown.code).toBe(2);
  });

  it('rejects bad input with exit 2 and one clear line', () => {
    const dir = tempProject();
    const cases: [string[], unknown, RegExp][] = [
      [['--input-type', 'essay'], AGENTS, /--input-type: expected one of plan, brainstorm, prd, spec, diff, repo, other/],
      [['--input-type', 'diff'], AGENTS, /--input-type diff needs --diff-lines/],
      [['--input-type', 'plan', '--diff-lines', '40'], AGENTS, /--diff-lines applies only to --input-type diff/],
      [['--input-type', 'plan'], [{ name: 'fd-a', score: 1, stage: 3 }], /--agents: .*0\.stage/],
      [['--input-type', 'plan'], [], /--agents: .*needs at least 1/],
      [['--input-type', 'plan'], [AGENTS[0], AGENTS[0]], /"fd-architecture" is listed twice/],
      [['--input-type', 'plan'], [{ name: 'rm -rf', score: 1, stage: 1 }], /not a valid name/],
      [['--input-type', 'plan', 'extra'], AGENTS, /unknown subcommand "extra"/],
    ];
    for (const [args, agents, message] of cases) {
      const r = triage(dir, args, {}, agents);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
    const notJson = runCli(['triage', '--input-type', 'plan', '--agents', '-'], { cwd: dir, input: '{oops' });
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/--agents: not valid JSON/);
    const missing = runCli(['triage', '--input-type', 'plan', '--agents', 'nope.json'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--agents: cannot read nope\.json/);
  });
});

describe('sprint-budget triage report', () => {
  it("compares each launched agent's estimate with its type's runs between this triage and the next", async () => {
    const dir = tempProject();
    addRuns(dir, 'fd-architecture', [{ billing: 99_000, ts: Date.now() - 10_000 }]); // before the review: not counted
    const first = triageJson(dir, ['--input-type', 'plan']);
    await new Promise((done) => setTimeout(done, 5));
    const during = Date.now();
    addRuns(dir, 'fd-architecture', [{ billing: 50_000, ts: during }]);
    addRuns(dir, 'fd-safety', [
      { billing: 30_000, ts: during },
      { billing: 6_000, ts: during + 1 },
    ]);
    // A summary that is larger than the transcript rows of the same agent wins (same rule as the estimates).
    addRuns(dir, 'fd-quality', [{ billing: 44_000, ts: during, kind: 'summary' }]);
    addRuns(dir, 'fd-performance', [{ billing: 70_000, ts: during }]); // deferred: not launched, not reported

    const r = runCli(['triage', 'report', '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as {
      triage: { id: number };
      rows: { agent_type: string; estimate: number; measured: number | null; measured_runs: number; diff_pct: number | null }[];
      totals: { estimate: number; measured: number; diff_pct: number | null; measured_rows: number };
    };
    expect(report.triage.id).toBe(first.triage_id);
    expect(report.rows).toEqual([
      { agent: 'fd-architecture', agent_type: 'fd-architecture', agents: expect.any(Array), estimate: 40_000, measured: 50_000, measured_runs: 1, diff_pct: 25 },
      { agent: 'fd-quality', agent_type: 'fd-quality', agents: expect.any(Array), estimate: 40_000, measured: 44_000, measured_runs: 1, diff_pct: 10 },
      { agent: 'best-practices-researcher', agent_type: 'best-practices-researcher', agents: expect.any(Array), estimate: 15_000, measured: null, measured_runs: 0, diff_pct: null },
      { agent: 'fd-safety', agent_type: 'fd-safety', agents: expect.any(Array), estimate: 40_000, measured: 36_000, measured_runs: 2, diff_pct: -10 },
    ]);
    expect(report.totals).toEqual({ estimate: 120_000, measured: 130_000, diff_pct: 8, measured_rows: 3 });

    const text = runCli(['triage', 'report', String(first.triage_id)], { cwd: dir }).stdout;
    expect(text).toMatch(/^fd-architecture +fd-architecture +40,000 +default \(review\) +50,000 +1 +\+25%$/m);
    expect(text).toMatch(/^fd-safety +fd-safety +40,000 +default \(review\) +36,000 +2 +-10%$/m);
    expect(text).toMatch(/^best-practices-researcher .* not yet +0 +—$/m);
    expect(text).toMatch(/^Total: 130,000 measured \/ 120,000 estimated \(\+8%\) over 3 of 4 agents$/m);

    // The next review closes this one's window: its runs are not this review's.
    await new Promise((done) => setTimeout(done, 5));
    const second = triageJson(dir, ['--input-type', 'plan']);
    await new Promise((done) => setTimeout(done, 5));
    addRuns(dir, 'fd-architecture', [{ billing: 2_000, ts: Date.now() }]);
    const again = JSON.parse(runCli(['triage', 'report', String(first.triage_id), '--json'], { cwd: dir }).stdout) as typeof report;
    expect(again.rows[0]).toMatchObject({ agent_type: 'fd-architecture', measured: 50_000 });
    const latest = JSON.parse(runCli(['triage', 'report', '--json'], { cwd: dir }).stdout) as typeof report;
    expect(latest.triage.id).toBe(second.triage_id);
    expect(latest.rows[0]).toMatchObject({ agent_type: 'fd-architecture', measured: 2_000, diff_pct: -95 });
  });

  it("counts only the review's own dispatches: not other general-purpose work, nor another sprint's sessions", async () => {
    const dir = tempProject();
    const id = runCli(['create', 'Review the plan', '--budget', 'none'], { cwd: dir, env: { CLAUDE_CODE_SESSION_ID: 'session-1' } }).stdout.trim();
    const lenses = [
      { name: 'fd-architecture', score: 5, stage: 1, agent_type: 'general-purpose' },
      { name: 'fd-safety', score: 4, stage: 1, agent_type: 'general-purpose' },
    ];
    const t = triageJson(dir, ['--input-type', 'plan', '--sprint', id], {}, lenses);
    await new Promise((done) => setTimeout(done, 5));
    const during = Date.now();
    addRuns(dir, 'general-purpose', [{ billing: 22_000, ts: during }], { name: 'fd-architecture' });
    addRuns(dir, 'general-purpose', [{ billing: 30_000, ts: during }], { name: 'fd-safety' });
    // In the same window: other general-purpose work of the session, and the lens run in a session of no sprint.
    addRuns(dir, 'general-purpose', [{ billing: 150_000, ts: during }, { billing: 90_000, ts: during + 1 }]);
    addRuns(dir, 'general-purpose', [{ billing: 70_000, ts: during }], { name: 'fd-safety', session: 'session-elsewhere' });
    const report = JSON.parse(runCli(['triage', 'report', String(t.triage_id), '--json'], { cwd: dir }).stdout) as {
      rows: { agent: string; measured: number | null; measured_runs: number; diff_pct: number | null }[];
    };
    expect(report.rows).toEqual([
      expect.objectContaining({ agent: 'fd-architecture', measured: 22_000, measured_runs: 1, diff_pct: -45 }),
      expect.objectContaining({ agent: 'fd-safety', measured: 30_000, measured_runs: 1, diff_pct: -25 }),
    ]);
  });

  it('says when there is nothing to report (exit 1) and rejects a bad id (exit 2)', () => {
    const dir = tempProject();
    runCli(['create', 'A sprint so that a ledger exists'], { cwd: dir });
    const none = runCli(['triage', 'report'], { cwd: dir });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no triage recorded yet/);
    expect(runCli(['triage', 'report', '7'], { cwd: dir }).code).toBe(1);
    expect(runCli(['triage', 'report', 'latest'], { cwd: dir }).code).toBe(2);
  });
});
