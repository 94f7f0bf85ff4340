/** The rules of the spend controls, in-process: settings, thresholds, stages, caps, reservations, who decides. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONTROLS, effectiveControls, readControls } from '../../src/domain/controls';
import { decisionCommands, isSettingsPath, needsPerson } from '../../src/domain/deciders';
import { capReached } from '../../src/domain/fan-out';
import { agentCap, budgetCommitted, formatPause, parsePause, stageDepleted } from '../../src/domain/protocol';
import { remainingAfter, reservationExpired } from '../../src/domain/reservations';
import { stageBudgets, stageOf, stageSpends } from '../../src/domain/stages';
import { alertLine, loopStopRecorded, thresholdsCrossed } from '../../src/domain/thresholds';

describe('settings', () => {
  it('defaults: alerts at 50/80/100 %, no caps, no stage budgets, reservations expire after 60 minutes', () => {
    expect(effectiveControls({}, {})).toEqual({ ...DEFAULT_CONTROLS });
    expect(DEFAULT_CONTROLS).toMatchObject({ alerts: [50, 80, 100], maxAgentsPerPhase: null, maxAgentsPerSprint: null, maxConcurrent: null, stageShares: null, reservationMaxAgeMinutes: 60 });
  });

  it("a sprint's own settings win over the project's, the project's over the defaults", () => {
    const c = effectiveControls({ maxConcurrent: 2 }, { maxConcurrent: 5, alerts: [90] });
    expect(c).toMatchObject({ maxConcurrent: 2, alerts: [90], maxAgentsPerSprint: null });
  });

  it('each key is checked alone; a bad value names its key and is left out', () => {
    const { controls, problems } = readControls({
      alerts: [100, 50, 50],
      max_agents_per_phase: 0,
      max_concurrent_agents: 3,
      stage_shares: { build: 50, deploy: 10 },
      stage_min_tokens: -1,
      reservation_max_age_minutes: '10',
      unrelated: true,
    });
    expect(controls).toEqual({ alerts: [50, 100], maxConcurrent: 3 });
    expect(problems.map((p) => p.key)).toEqual(['max_agents_per_phase', 'stage_shares', 'stage_min_tokens', 'reservation_max_age_minutes']);
    expect(problems[1]?.message).toBe('stage_shares: "deploy" is not a stage (discover, design, build, ship, reflect)');
  });

  it('null turns a cap off; an empty alert list turns alerts off', () => {
    expect(readControls({ max_agents_per_sprint: null, alerts: [] })).toEqual({ controls: { maxAgentsPerSprint: null, alerts: [] }, problems: [] });
    expect(readControls({ alerts: [0] }).problems[0]?.message).toMatch(/^alerts: each threshold is an integer percent from 1 to 1000/);
  });
});

describe('threshold alerts', () => {
  it('each threshold once: crossed when spent reaches it, never again once raised', () => {
    expect(thresholdsCrossed(49_999, 100_000, [50, 80, 100], new Set())).toEqual([]);
    expect(thresholdsCrossed(50_000, 100_000, [50, 80, 100], new Set())).toEqual([50]);
    expect(thresholdsCrossed(85_000, 100_000, [50, 80, 100], new Set([50]))).toEqual([80]);
    expect(thresholdsCrossed(120_000, 100_000, [50, 80, 100], new Set())).toEqual([50, 80, 100]);
    expect(thresholdsCrossed(120_000, 100_000, [50, 80, 100], new Set([50, 80, 100]))).toEqual([]);
  });

  it('the alert is the budget_warning line', () => {
    expect(alertLine('executing', 80_512, 100_000)).toBe('budget_warning|executing|80512/100000 billing tokens (80%)');
  });

  it('the loop stop is recorded once per exceedance: an override, a budget change or an advance re-arms it', () => {
    expect(loopStopRecorded([{ kind: 'create' }])).toBe(false);
    expect(loopStopRecorded([{ kind: 'loop_stop' }, { kind: 'budget_alert' }])).toBe(true);
    for (const kind of ['override', 'set_budget', 'advance']) expect(loopStopRecorded([{ kind: 'loop_stop' }, { kind }])).toBe(false);
  });
});

describe('stage budgets', () => {
  it('phases map to stages; the terminal phase to none; any other phase is design', () => {
    const map = ['brainstorm', 'brainstorm-reviewed', 'strategized', 'strategy-reviewed', 'planned', 'plan-reviewed', 'executing', 'shipping', 'reflect', 'done'].map((p) => stageOf(p, 'done'));
    expect(map).toEqual(['discover', 'design', 'design', 'design', 'design', 'design', 'build', 'ship', 'reflect', null]);
  });

  it('shares of the budget, scaled down when they sum past 100 %', () => {
    expect(stageBudgets(100_000, { discover: 10, build: 50 }, 0)).toEqual({ discover: 10_000, build: 50_000 });
    expect(stageBudgets(100_000, { discover: 50, design: 50, build: 100 }, 0)).toEqual({ discover: 25_000, design: 25_000, build: 50_000 });
  });

  it('a minimum per stage; when the minimums push the sum past the budget, all are scaled to fit', () => {
    expect(stageBudgets(100_000, { discover: 1, build: 90 }, 5_000)).toEqual({ discover: 5_000, build: 90_000 });
    const fit = stageBudgets(100_000, { discover: 5, design: 5, build: 90 }, 20_000);
    expect(Object.values(fit).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(100_000);
    expect(fit.discover).toBe(fit.design);
  });

  it("a stage's spend sums its phases; depleted at or past its budget", () => {
    const phases = ['brainstorm', 'brainstorm-reviewed', 'planned', 'executing', 'done'];
    const s = stageSpends(phases, { brainstorm: 9_000, 'brainstorm-reviewed': 4_000, planned: 2_000 }, { discover: 10_000, design: 6_000 });
    expect(s.map((x) => [x.stage, x.spent, x.budget, x.depleted])).toEqual([
      ['discover', 9_000, 10_000, false],
      ['design', 6_000, 6_000, true],
      ['build', 0, null, false],
    ]);
  });

  it('the stage pause line', () => {
    expect(formatPause(stageDepleted('design'))).toBe('budget_exceeded|design|stage budget depleted');
  });
});

describe('fan-out caps', () => {
  const caps = { maxAgentsPerPhase: 3, maxAgentsPerSprint: 5, maxConcurrent: 2 };
  it('the first cap one more dispatch would pass', () => {
    expect(capReached({ phase: 0, sprint: 0, running: 0 }, caps)).toBeNull();
    expect(capReached({ phase: 1, sprint: 1, running: 2 }, caps)).toEqual({ n: 2, max: 2, scope: 'running at once' });
    expect(capReached({ phase: 3, sprint: 3, running: 0 }, caps)).toEqual({ n: 3, max: 3, scope: 'per phase' });
    expect(capReached({ phase: 0, sprint: 5, running: 0 }, caps)).toEqual({ n: 5, max: 5, scope: 'per sprint' });
    expect(capReached({ phase: 99, sprint: 99, running: 99 }, { maxAgentsPerPhase: null, maxAgentsPerSprint: null, maxConcurrent: null })).toBeNull();
  });

  it('the agent_cap pause line parses as a pause', () => {
    const line = formatPause(agentCap('executing', 3, 3, 'per phase'));
    expect(line).toBe('agent_cap|executing|3/3 agents (per phase)');
    expect(parsePause(line)).toEqual({ type: 'agent_cap', phase: 'executing', detail: '3/3 agents (per phase)' });
  });
});

describe('reservations', () => {
  it('remaining = budget − spent − reserved, never below 0, null without a budget', () => {
    expect(remainingAfter(20_000, 40_000, 100_000)).toBe(40_000);
    expect(remainingAfter(20_000, 90_000, 100_000)).toBe(0);
    expect(remainingAfter(20_000, 40_000, null)).toBeNull();
  });

  it('the committed-budget pause keeps the <n>/<budget> figure and says what is reserved', () => {
    expect(formatPause(budgetCommitted('brainstorm', 20_080, 80_000, 100_000))).toBe('budget_exceeded|brainstorm|100080/100000 billing tokens (80000 reserved by running subagents)');
  });

  it('expires past its stated age', () => {
    expect(reservationExpired(0, 60 * 60_000, 60)).toBe(false);
    expect(reservationExpired(0, 60 * 60_000 + 1, 60)).toBe(true);
  });
});

describe('who decides', () => {
  it('finds the decisions a shell command runs through the CLI, however it is called', () => {
    expect(decisionCommands('sprint-budget override --reason "go on"')).toEqual([{ kind: 'override' }]);
    expect(decisionCommands('cd x && /opt/plugin/bin/sprint-budget --db a.db stop --reason x')).toEqual([{ kind: 'stop' }]);
    expect(decisionCommands('node plugin/dist/cli.cjs set-budget 400k --reason r')).toEqual([{ kind: 'set-budget', budget: 400_000 }]);
    expect(decisionCommands('sprint-budget set-budget --sprint sb-abc123 none --reason r')).toEqual([{ kind: 'set-budget', budget: null }]);
    expect(decisionCommands('sprint-budget state; sprint-budget advance --from planned')).toEqual([]);
    expect(decisionCommands('echo override; grep stop file')).toEqual([]);
  });

  it("a change to .sprint-budget/ (the settings and the ledger) is a decision: by redirection, tee, or a program that changes files", () => {
    const settings = [{ kind: 'settings' }];
    for (const cmd of [
      `echo '{"decisions":"model"}' > .sprint-budget/config.json`,
      'jq \'.decisions="model"\' c.json >| "$PWD/.sprint-budget/config.json"',
      'printf x | tee -a ./.sprint-budget/config.json >/dev/null',
      'sed -i s/user/model/ .sprint-budget/config.json',
      'perl -pi -e s/user/model/ /home/u/p/.sprint-budget/config.json',
      'cp /tmp/mine.json .sprint-budget/config.json',
      'rm -rf .sprint-budget',
      'cd sub && FOO=1 sudo mv .sprint-budget/ledger.db /tmp/',
      `sqlite3 .sprint-budget/ledger.db "UPDATE sprints SET token_budget = NULL; SELECT 1"`,
      'sqlite3 .sprint-budget/ledger.db < lift.sql',
    ]) expect(decisionCommands(cmd), cmd).toEqual(settings);
    expect(decisionCommands('sprint-budget override --reason r && rm .sprint-budget/spool.jsonl')).toEqual([{ kind: 'override' }, ...settings]);
  });

  it('reading .sprint-budget/, or writing elsewhere, is not', () => {
    for (const cmd of [
      'cat .sprint-budget/config.json',
      'jq . .sprint-budget/config.json > /tmp/config-copy.json',
      'sqlite3 .sprint-budget/ledger.db "select id, token_budget from sprints"',
      'sed -n 1p .sprint-budget/config.json',
      'sprint-budget --db .sprint-budget/ledger.db state > state.txt',
      'echo x > notes.sprint-budget.txt; rm build/x.sprint-budget',
      'ls -la .sprint-budget/',
    ]) expect(decisionCommands(cmd), cmd).toEqual([]);
  });

  it('a file the Edit or Write tool changes is in .sprint-budget/ when a path segment is that folder', () => {
    expect(isSettingsPath('/home/u/p/.sprint-budget/config.json')).toBe(true);
    expect(isSettingsPath('.sprint-budget/ledger.db')).toBe(true);
    expect(isSettingsPath('C:\\p\\.sprint-budget\\config.json')).toBe(true);
    expect(isSettingsPath('/home/u/p/docs/sprint-budget/config.json')).toBe(false);
    expect(isSettingsPath('/home/u/p/x.sprint-budget/config.json')).toBe(false);
  });

  it('override and stop always need a person; set-budget when it raises or removes the budget', () => {
    expect(needsPerson({ kind: 'override' }, 1000)).toBe(true);
    expect(needsPerson({ kind: 'stop' }, null)).toBe(true);
    expect(needsPerson({ kind: 'settings' }, null)).toBe(true);
    expect(needsPerson({ kind: 'set-budget', budget: 2000 }, 1000)).toBe(true);
    expect(needsPerson({ kind: 'set-budget', budget: 500 }, 1000)).toBe(false);
    expect(needsPerson({ kind: 'set-budget', budget: null }, 1000)).toBe(true);
    expect(needsPerson({ kind: 'set-budget', budget: 500 }, null)).toBe(false);
    expect(needsPerson({ kind: 'set-budget', budget: undefined }, 1000)).toBe(true);
  });
});
