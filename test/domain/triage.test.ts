import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MIN_CALIBRATION_RUNS } from '../../src/domain/estimates';
import {
  type CandidateAgent,
  DEFAULT_TRIAGE_CONFIG,
  type ReviewInput,
  type TriageConfig,
  agentCost,
  effectiveBudget,
  estimateError,
  launchAll,
  selectAgents,
  thousands,
  triageSummaryLine,
  triageTotals,
} from '../../src/domain/triage';

const cfg: TriageConfig = DEFAULT_TRIAGE_CONFIG;
const PLAN: ReviewInput = { type: 'plan' };

function agent(name: string, stage: 1 | 2, score: number): CandidateAgent {
  return { name, agentType: name, score, stage };
}

/** Costs every agent with its kind's default (no measured runs, no slicing) and applies the cut. */
function triage(agents: CandidateAgent[], budget: number, config: TriageConfig = cfg) {
  return selectAgents(
    agents.map((a) => ({ ...a, cost: agentCost(a, [], config, false) })),
    budget,
    config,
  );
}

const actions = (agents: ReturnType<typeof triage>) => Object.fromEntries(agents.map((a) => [a.name, a.action]));

describe('effective budget', () => {
  it('uses the type budget, and the diff budget by size', () => {
    expect(effectiveBudget(cfg, PLAN, null)).toEqual({
      key: 'plan',
      typeBudget: 150_000,
      sprintRemaining: null,
      budget: 150_000,
      sprintConstrained: false,
    });
    expect(effectiveBudget(cfg, { type: 'brainstorm' }, null).budget).toBe(80_000);
    expect(effectiveBudget(cfg, { type: 'diff', diffLines: 499 }, null)).toMatchObject({ key: 'diff-small', budget: 60_000 });
    expect(effectiveBudget(cfg, { type: 'diff', diffLines: 500 }, null)).toMatchObject({ key: 'diff-large', budget: 200_000 });
    expect(effectiveBudget(cfg, { type: 'repo' }, null).budget).toBe(300_000);
  });

  it('is min(type budget, FLUX_BUDGET_REMAINING), and sprint-constrained only when the sprint is strictly tighter', () => {
    expect(effectiveBudget(cfg, PLAN, 100_000)).toMatchObject({ budget: 100_000, sprintConstrained: true });
    expect(effectiveBudget(cfg, PLAN, 149_999)).toMatchObject({ budget: 149_999, sprintConstrained: true });
    expect(effectiveBudget(cfg, PLAN, 150_000)).toMatchObject({ budget: 150_000, sprintConstrained: false });
    expect(effectiveBudget(cfg, PLAN, 900_000)).toMatchObject({ budget: 150_000, sprintConstrained: false });
    expect(effectiveBudget(cfg, PLAN, null)).toMatchObject({ budget: 150_000, sprintConstrained: false });
  });

  it('treats a remaining of 0 as a budget of 0, never as "no sprint budget" (defect 8)', () => {
    expect(effectiveBudget(cfg, PLAN, 0)).toMatchObject({ budget: 0, sprintRemaining: 0, sprintConstrained: true });
  });
});

describe('agent estimates', () => {
  it('use the kind default below MIN_CALIBRATION_RUNS measured runs, the measured mean from then on', () => {
    expect(MIN_CALIBRATION_RUNS).toBe(3);
    const a = agent('fd-performance', 2, 3);
    expect(agentCost(a, [], cfg, false)).toEqual({ tokens: 40_000, basis: 'default', runs: 0, kind: 'review', sliced: false });
    expect(agentCost(a, [10_000, 20_000], cfg, false)).toMatchObject({ tokens: 40_000, basis: 'default', runs: 0 });
    expect(agentCost(a, [10_000, 20_000, 30_001], cfg, false)).toEqual({
      tokens: 20_000,
      basis: 'measured',
      runs: 3,
      kind: 'review',
      sliced: false,
    });
  });

  it('default by kind: review, cognitive, research, oracle, generated', () => {
    const cost = (name: string) => agentCost(agent(name, 2, 1), [], cfg, false);
    expect(cost('fd-correctness')).toMatchObject({ kind: 'review', tokens: 40_000 });
    expect(cost('fd-systems')).toMatchObject({ kind: 'cognitive', tokens: 35_000 });
    expect(cost('framework-docs-researcher')).toMatchObject({ kind: 'research', tokens: 15_000 });
    expect(cost('oracle-review')).toMatchObject({ kind: 'oracle', tokens: 80_000 });
    expect(cost('my-project-agent')).toMatchObject({ kind: 'generated', tokens: 40_000 });
  });

  it('slicing halves domain review agents, measured or not, but not full-content or non-review agents', () => {
    const sliced = (name: string, runs: number[] = []) => agentCost(agent(name, 2, 1), runs, cfg, true);
    expect(sliced('fd-performance')).toMatchObject({ tokens: 20_000, basis: 'default', sliced: true });
    expect(sliced('interflux:fd-safety')).toMatchObject({ tokens: 20_000, sliced: true });
    expect(sliced('fd-performance', [30_000, 30_000, 30_000])).toMatchObject({ tokens: 15_000, basis: 'measured', sliced: true });
    expect(sliced('fd-architecture')).toMatchObject({ tokens: 40_000, sliced: false });
    expect(sliced('fd-quality')).toMatchObject({ tokens: 40_000, sliced: false });
    expect(sliced('fd-systems')).toMatchObject({ tokens: 35_000, sliced: false });
    expect(sliced('oracle-review')).toMatchObject({ tokens: 80_000, sliced: false });
    expect(agentCost(agent('fd-performance', 2, 1), [], cfg, false)).toMatchObject({ tokens: 40_000, sliced: false });
  });
});

describe('selection', () => {
  it('runs every Stage 1 agent even when Stage 1 alone is over budget', () => {
    const stage1 = ['fd-architecture', 'fd-quality', 'fd-performance', 'fd-user-product'].map((n, i) => agent(n, 1, 5 - i));
    const result = triage([...stage1, agent('fd-game-design', 2, 9)], 100_000);
    expect(actions(result)).toEqual({
      'fd-architecture': 'selected',
      'fd-quality': 'selected',
      'fd-performance': 'selected',
      'fd-user-product': 'selected',
      'fd-game-design': 'deferred',
    });
    expect(triageTotals(result, 100_000)).toMatchObject({ selectedTokens: 160_000, percent: 160, deferredCount: 1 });
  });

  it('stops deferring until min_agents are selected', () => {
    const agents = [agent('fd-architecture', 1, 5), agent('fd-performance', 2, 4), agent('fd-user-product', 2, 3)];
    const result = triage(agents, 1000);
    expect(result.map((a) => [a.name, a.action, a.reason])).toEqual([
      ['fd-architecture', 'selected', 'stage-1'],
      ['fd-performance', 'selected', 'min-agents'],
      ['fd-user-product', 'deferred', 'over-budget'],
    ]);
    const three = triage(agents, 1000, { ...cfg, minAgents: 3 });
    expect(three.every((a) => a.action === 'selected')).toBe(true);
  });

  it('with nothing left (a budget of 0) min_agents fills nothing: only Stage 1 and exempt agents run', () => {
    const agents = [agent('fd-architecture', 1, 5), agent('fd-performance', 2, 4), agent('fd-safety', 2, 1), agent('fd-user-product', 2, 3)];
    expect(triage(agents, 0, { ...cfg, minAgents: 3 }).map((a) => [a.name, a.action, a.reason])).toEqual([
      ['fd-architecture', 'selected', 'stage-1'],
      ['fd-performance', 'deferred', 'over-budget'],
      ['fd-user-product', 'deferred', 'over-budget'],
      ['fd-safety', 'selected', 'exempt'],
    ]);
  });

  it('never cuts exempt agents, with or without a plugin prefix, and counts them before the rest', () => {
    const agents = [
      agent('fd-architecture', 1, 5),
      agent('fd-quality', 1, 5),
      agent('fd-performance', 2, 9),
      agent('fd-safety', 2, 1),
      agent('interflux:fd-correctness', 2, 1),
    ];
    const result = triage(agents, 0);
    expect(actions(result)).toMatchObject({ 'fd-safety': 'selected', 'interflux:fd-correctness': 'selected', 'fd-performance': 'deferred' });
    expect(result.find((a) => a.name === 'fd-safety')).toMatchObject({ exempt: true, reason: 'exempt' });
    // 80k of Stage 1 + 80k exempt leave no room for fd-performance in 150k, though it scores highest.
    expect(actions(triage(agents, 150_000))['fd-performance']).toBe('deferred');
    expect(actions(triage(agents, 200_000))['fd-performance']).toBe('selected');
  });

  it('with FLUX_BUDGET_REMAINING=0 defers every optional agent that the type budget would have taken', () => {
    const agents = [
      agent('fd-architecture', 1, 5),
      agent('fd-quality', 1, 4),
      agent('best-practices-researcher', 2, 4),
      agent('fd-systems', 2, 3),
      agent('fd-safety', 2, 2),
    ];
    const unconstrained = triage(agents, effectiveBudget(cfg, PLAN, null).budget);
    expect(actions(unconstrained)).toMatchObject({ 'best-practices-researcher': 'selected' });
    const exhausted = triage(agents, effectiveBudget(cfg, PLAN, 0).budget);
    expect(actions(exhausted)).toEqual({
      'fd-architecture': 'selected',
      'fd-quality': 'selected',
      'best-practices-researcher': 'deferred',
      'fd-systems': 'deferred',
      'fd-safety': 'selected',
    });
  });

  it('takes Stage 2 by score and goes on down the list after a deferral, so a cheaper agent may still fit', () => {
    const agents = [
      agent('fd-architecture', 1, 5),
      agent('fd-quality', 1, 5),
      agent('fd-systems', 2, 2),
      agent('oracle-review', 2, 4),
      agent('repo-research-analyst', 2, 3),
    ];
    const result = triage(agents, 100_000);
    expect(result.map((a) => a.name)).toEqual(['fd-architecture', 'fd-quality', 'oracle-review', 'repo-research-analyst', 'fd-systems']);
    expect(actions(result)).toEqual({
      'fd-architecture': 'selected',
      'fd-quality': 'selected',
      'oracle-review': 'deferred',
      'repo-research-analyst': 'selected',
      'fd-systems': 'deferred',
    });
  });

  it('launch all turns every deferral into an override', () => {
    const result = launchAll(triage([agent('fd-architecture', 1, 5), agent('fd-quality', 1, 5), agent('fd-performance', 2, 4)], 0));
    expect(result.map((a) => [a.action, a.reason])).toEqual([
      ['selected', 'stage-1'],
      ['selected', 'stage-1'],
      ['selected', 'override'],
    ]);
    expect(triageTotals(result, 0)).toMatchObject({ deferredCount: 0, selectedTokens: 120_000, percent: null });
  });

  it('keeps the protected agents and respects the budget for any mix of agents (property)', () => {
    const names = ['fd-safety', 'fd-correctness', 'fd-a', 'fd-b', 'fd-c', 'fd-systems', 'x-researcher', 'oracle', 'gen-1', 'gen-2'];
    const arb = fc.record({
      picks: fc.uniqueArray(fc.record({ i: fc.integer({ min: 0, max: names.length - 1 }), stage: fc.constantFrom(1 as const, 2 as const), score: fc.integer({ min: 0, max: 9 }) }), {
        selector: (p) => p.i,
        minLength: 1,
      }),
      budget: fc.integer({ min: 0, max: 400_000 }),
      minAgents: fc.integer({ min: 0, max: 4 }),
    });
    fc.assert(
      fc.property(arb, ({ picks, budget, minAgents }) => {
        const config = { ...cfg, minAgents };
        const result = triage(
          picks.map((p) => agent(names[p.i] as string, p.stage, p.score)),
          budget,
          config,
        );
        const isProtected = (a: (typeof result)[number]) => a.stage === 1 || a.exempt;
        // Protected agents are counted first; the others in table order.
        const takenBefore = (a: (typeof result)[number]) =>
          result.filter((b) => b.action === 'selected' && (isProtected(b) || (!isProtected(a) && result.indexOf(b) < result.indexOf(a))));
        const tokens = (xs: typeof result) => xs.reduce((n, b) => n + b.cost.tokens, 0);
        for (const a of result) {
          if (isProtected(a)) expect(a.action).toBe('selected');
          else if (a.reason === 'fits') expect(tokens(takenBefore(a)) + a.cost.tokens).toBeLessThanOrEqual(budget);
          else if (a.reason === 'min-agents') {
            expect(budget).toBeGreaterThan(0);
            expect(takenBefore(a).length).toBeLessThan(minAgents);
          } else {
            expect(a.action).toBe('deferred');
            if (budget > 0) expect(takenBefore(a).length).toBeGreaterThanOrEqual(minAgents);
            expect(tokens(takenBefore(a)) + a.cost.tokens).toBeGreaterThan(budget);
          }
        }
      }),
    );
  });
});

describe('summary line', () => {
  const agents = [
    agent('fd-architecture', 1, 5),
    agent('fd-quality', 1, 4),
    agent('fd-performance', 2, 4),
    agent('best-practices-researcher', 2, 3),
    agent('fd-systems', 2, 3),
    agent('fd-safety', 2, 2),
  ];

  it('is `Budget: XK / YK (Z%) | Deferred: N agents (DK est.)`', () => {
    const budget = effectiveBudget(cfg, PLAN, null);
    const result = triage(agents, budget.budget);
    expect(triageSummaryLine(triageTotals(result, budget.budget), budget)).toBe('Budget: 135K / 150K (90%) | Deferred: 2 agents (75K est.)');
  });

  it('adds [sprint-constrained] only when the sprint is tighter than the type budget', () => {
    const tight = effectiveBudget(cfg, PLAN, 137_500);
    expect(triageSummaryLine(triageTotals(triage(agents, tight.budget), tight.budget), tight)).toBe(
      'Budget: 135K / 137.5K (98%) | Deferred: 2 agents (75K est.) [sprint-constrained]',
    );
    const loose = effectiveBudget(cfg, PLAN, 150_000);
    expect(triageSummaryLine(triageTotals(triage(agents, loose.budget), loose.budget), loose)).not.toContain('[sprint-constrained]');
    const none = effectiveBudget(cfg, PLAN, 0);
    expect(triageSummaryLine(triageTotals(triage(agents, 0), 0), none)).toBe(
      'Budget: 120K / 0K (0% left) | Deferred: 3 agents (90K est.) [sprint-constrained]',
    );
  });

  it('writes thousands with at most one decimal', () => {
    expect([thousands(0), thousands(150_000), thousands(37_500), thousands(12_345), thousands(1_000_000)]).toEqual(['0K', '150K', '37.5K', '12.3K', '1000K']);
  });
});

describe('estimate error', () => {
  it('is (measured - estimate) / estimate in whole percent, signed', () => {
    expect(estimateError(40_000, 50_000)).toBe(25);
    expect(estimateError(40_000, 30_000)).toBe(-25);
    expect(estimateError(40_000, 40_000)).toBe(0);
    expect(estimateError(0, 10)).toBeNull();
  });
});
