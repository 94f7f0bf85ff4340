/**
 * Review triage under a token budget (docs/spec.md, "Review triage"). Pure: which agents a review launches, given their
 * scores, stages and cost estimates, the budget for the kind of input, and what the sprint has left.
 */
import { percentUsed } from './budget';
import { AGENT_KIND_ESTIMATES, type AgentKind, type Estimate, agentKind, bareAgentName, calibrated } from './estimates';

export const INPUT_TYPES = ['plan', 'brainstorm', 'prd', 'spec', 'diff', 'repo', 'other'] as const;
export type InputType = (typeof INPUT_TYPES)[number];

/** What is reviewed. A diff's budget depends on its size, so a diff carries its line count. */
export type ReviewInput = { type: 'diff'; diffLines: number } | { type: Exclude<InputType, 'diff'> };

export const BUDGET_KEYS = ['plan', 'brainstorm', 'prd', 'spec', 'diff-small', 'diff-large', 'repo', 'other'] as const;
export type BudgetKey = (typeof BUDGET_KEYS)[number];

export interface TriageConfig {
  /** Billing tokens a whole review may spend, by kind of input. */
  budgets: Record<BudgetKey, number>;
  /** A diff of at least this many lines uses the `diff-large` budget. */
  largeDiffLines: number;
  /** Per-agent estimates by kind, used until an agent type has MIN_CALIBRATION_RUNS measured runs. */
  agentDefaults: Record<AgentKind, number>;
  /** Slicing sends each domain agent only its part of the input, so its estimate shrinks by this factor. */
  slicingMultiplier: number;
  /** Budget never cuts the review below this many agents. */
  minAgents: number;
  /** Never cut for budget, whatever their stage. */
  exemptAgents: string[];
  /** Review agents that always read the whole input: slicing does not discount them. */
  fullContentAgents: string[];
}

export const DEFAULT_TRIAGE_CONFIG: Readonly<TriageConfig> = Object.freeze({
  budgets: {
    plan: 150_000,
    brainstorm: 80_000,
    prd: 120_000,
    spec: 150_000,
    'diff-small': 60_000,
    'diff-large': 200_000,
    repo: 300_000,
    other: 150_000,
  },
  largeDiffLines: 500,
  agentDefaults: { ...AGENT_KIND_ESTIMATES },
  slicingMultiplier: 0.5,
  minAgents: 2,
  exemptAgents: ['fd-safety', 'fd-correctness'],
  fullContentAgents: ['fd-architecture', 'fd-quality'],
});

export function budgetKey(input: ReviewInput, largeDiffLines: number): BudgetKey {
  if (input.type !== 'diff') return input.type;
  return input.diffLines >= largeDiffLines ? 'diff-large' : 'diff-small';
}

export interface EffectiveBudget {
  key: BudgetKey;
  /** The budget for this kind of input. */
  typeBudget: number;
  /** FLUX_BUDGET_REMAINING: null when the sprint has no budget (or there is no sprint). */
  sprintRemaining: number | null;
  /** min(typeBudget, sprintRemaining) */
  budget: number;
  /** The sprint's remaining budget is strictly tighter than the type budget. */
  sprintConstrained: boolean;
}

/**
 * The budget a review works within. A sprint remaining of 0 is a budget of 0, never "unset":
 * an exhausted sprint must not hand triage the larger type budget.
 */
export function effectiveBudget(cfg: TriageConfig, input: ReviewInput, sprintRemaining: number | null): EffectiveBudget {
  const key = budgetKey(input, cfg.largeDiffLines);
  const typeBudget = cfg.budgets[key];
  const sprintConstrained = sprintRemaining !== null && sprintRemaining < typeBudget;
  return { key, typeBudget, sprintRemaining, budget: sprintConstrained ? sprintRemaining : typeBudget, sprintConstrained };
}

export interface CandidateAgent {
  name: string;
  /** The subagent type dispatched for it, whose measured runs calibrate its estimate. */
  agentType: string;
  score: number;
  stage: 1 | 2;
}

export interface AgentCost extends Estimate {
  kind: AgentKind;
  /** The estimate was multiplied by the slicing multiplier. */
  sliced: boolean;
}

/** An agent's expected billing tokens: its type's measured mean (≥ 3 runs) or its kind's default, then slicing. */
export function agentCost(agent: CandidateAgent, measuredRuns: readonly number[], cfg: TriageConfig, slicing: boolean): AgentCost {
  const kind = agentKind(agent.name);
  const base = calibrated(cfg.agentDefaults[kind], measuredRuns);
  const sliced = slicing && kind === 'review' && !cfg.fullContentAgents.map(bareAgentName).includes(bareAgentName(agent.name));
  return { ...base, tokens: sliced ? Math.round(base.tokens * cfg.slicingMultiplier) : base.tokens, kind, sliced };
}

export type TriageAction = 'selected' | 'deferred';
/** Why an agent got its action: protected (stage-1, exempt), fits, needed for min_agents, launched by override, or cut. */
export type TriageReason = 'stage-1' | 'exempt' | 'fits' | 'min-agents' | 'override' | 'over-budget';

export interface TriagedAgent extends CandidateAgent {
  cost: AgentCost;
  exempt: boolean;
  action: TriageAction;
  reason: TriageReason;
}

/**
 * The budget cut. Stage 1 and exempt agents are protected: they run even over budget and are
 * counted first. The other Stage 2 agents follow by score (ties keep the given order); one is
 * deferred when it would push the total over the budget once `minAgents` are selected, and the
 * cut goes on down the list, so a cheaper agent further down may still fit. With nothing left (a
 * budget of 0) `minAgents` fills nothing: only the protected agents run.
 * Returns the agents by stage, then score.
 */
export function selectAgents(
  agents: readonly (CandidateAgent & { cost: AgentCost })[],
  budget: number,
  cfg: Pick<TriageConfig, 'minAgents' | 'exemptAgents'>,
): TriagedAgent[] {
  const exemptNames = new Set(cfg.exemptAgents.map(bareAgentName));
  const ordered = agents
    .map((a, i) => ({ ...a, exempt: exemptNames.has(bareAgentName(a.name)), i }))
    .sort((x, y) => x.stage - y.stage || y.score - x.score || x.i - y.i);
  const isProtected = (a: (typeof ordered)[number]) => a.stage === 1 || a.exempt;

  let total = 0;
  let count = 0;
  const decided = new Map<number, Pick<TriagedAgent, 'action' | 'reason'>>();
  for (const a of ordered.filter(isProtected)) {
    decided.set(a.i, { action: 'selected', reason: a.stage === 1 ? 'stage-1' : 'exempt' });
    total += a.cost.tokens;
    count += 1;
  }
  for (const a of ordered.filter((x) => !isProtected(x))) {
    const fits = total + a.cost.tokens <= budget;
    if (!fits && (count >= cfg.minAgents || budget === 0)) {
      decided.set(a.i, { action: 'deferred', reason: 'over-budget' });
      continue;
    }
    decided.set(a.i, { action: 'selected', reason: fits ? 'fits' : 'min-agents' });
    total += a.cost.tokens;
    count += 1;
  }
  return ordered.map(({ i, ...a }) => ({ ...a, ...(decided.get(i) as Pick<TriagedAgent, 'action' | 'reason'>) }));
}

/** The user chose "launch all": every deferred agent runs after all. */
export function launchAll(agents: readonly TriagedAgent[]): TriagedAgent[] {
  return agents.map((a) => (a.action === 'deferred' ? { ...a, action: 'selected', reason: 'override' } : a));
}

export interface TriageTotals {
  selectedCount: number;
  selectedTokens: number;
  deferredCount: number;
  deferredTokens: number;
  /** Selected as a percentage of the budget (floored); null when the budget is 0. */
  percent: number | null;
}

export function triageTotals(agents: readonly TriagedAgent[], budget: number): TriageTotals {
  const sum = (action: TriageAction) => agents.filter((a) => a.action === action).reduce((n, a) => n + a.cost.tokens, 0);
  const selectedTokens = sum('selected');
  return {
    selectedCount: agents.filter((a) => a.action === 'selected').length,
    selectedTokens,
    deferredCount: agents.filter((a) => a.action === 'deferred').length,
    deferredTokens: sum('deferred'),
    percent: budget === 0 ? null : percentUsed(selectedTokens, budget),
  };
}

/** 150000 → "150K", 37500 → "37.5K": the unit the summary line uses. */
export function thousands(n: number): string {
  const k = (n / 1000).toFixed(1);
  return `${k.endsWith('.0') ? k.slice(0, -2) : k}K`;
}

/**
 * `Budget: XK / YK (Z%) | Deferred: N agents (DK est.)`, plus `[sprint-constrained]` when the sprint
 * is tighter. Z is the share of the budget the launched agents take; with nothing left it reads `0% left`.
 */
export function triageSummaryLine(totals: TriageTotals, budget: EffectiveBudget): string {
  const pct = totals.percent === null ? '0% left' : `${totals.percent}%`;
  const line = `Budget: ${thousands(totals.selectedTokens)} / ${thousands(budget.budget)} (${pct}) | Deferred: ${totals.deferredCount} agents (${thousands(totals.deferredTokens)} est.)`;
  return budget.sprintConstrained ? `${line} [sprint-constrained]` : line;
}

/** How far the measurement landed from the estimate, in whole percent of the estimate (+ is over). */
export function estimateError(estimate: number, measured: number): number | null {
  return estimate === 0 ? null : Math.round(((measured - estimate) * 100) / estimate);
}
