/**
 * Review triage against the ledger (docs/spec.md, "Review triage"): estimates from each agent
 * type's measured runs, the recorded decision, and afterwards the estimate-vs-measured report.
 */
import {
  DEFAULT_TRIAGE_CONFIG,
  type CandidateAgent,
  type EffectiveBudget,
  type ReviewInput,
  type TriageConfig,
  type TriageTotals,
  type TriagedAgent,
  agentCost,
  effectiveBudget,
  estimateError,
  launchAll,
  selectAgents,
  triageSummaryLine,
  triageTotals,
} from '../domain/triage';
import type { Ledger } from '../ledger/db';
import { agentTypeRuns } from '../ledger/records';
import { NotFoundError } from '../platform/errors';
import type { Sprint } from '../ledger/sprints';
import {
  type TriageAgentRecord,
  type TriageRun,
  getTriageRun,
  insertTriageRun,
  nextTriageAt,
  triageRunAgents,
  latestTriageRun,
} from '../ledger/triage-runs';
import { type Caller, callerSession, inProject } from './project';
import { resolveSprint } from './resolve';
import { currentSpend } from './spend';
import { loadTriageConfig } from './triage-config';

export interface TriageRequest {
  input: ReviewInput;
  agents: readonly CandidateAgent[];
  /** FLUX_BUDGET_REMAINING: null when unset (no sprint budget). */
  sprintRemaining: number | null;
  slicing: boolean;
  launchAll: boolean;
  config: TriageConfig;
  sprint: Sprint | null;
  now: number;
}

export interface TriageOutcome {
  /** The recorded run, for `triage report`. */
  id: number;
  budget: EffectiveBudget;
  agents: TriagedAgent[];
  totals: TriageTotals;
  summary: string;
}

/** Estimates each agent, applies the budget cut and records the decision. */
export function triageReview(l: Ledger, req: TriageRequest): TriageOutcome {
  const costed = req.agents.map((a) => ({ ...a, cost: agentCost(a, agentTypeRuns(l, a.agentType).map((r) => r.billing), req.config, req.slicing) }));
  const budget = effectiveBudget(req.config, req.input, req.sprintRemaining);
  const cut = selectAgents(costed, budget.budget, req.config);
  const agents = req.launchAll ? launchAll(cut) : cut;
  const totals = triageTotals(agents, budget.budget);
  const id = insertTriageRun(
    l,
    {
      at: req.now,
      sprintId: req.sprint?.id ?? null,
      phase: req.sprint?.phase ?? null,
      inputType: req.input.type,
      budgetKey: budget.key,
      typeBudget: budget.typeBudget,
      sprintRemaining: budget.sprintRemaining,
      budget: budget.budget,
      slicing: req.slicing,
      launchAll: req.launchAll,
    },
    agents.map((a) => ({
      name: a.name,
      agentType: a.agentType,
      stage: a.stage,
      score: a.score,
      kind: a.cost.kind,
      estimate: a.cost.tokens,
      basis: a.cost.basis,
      runs: a.cost.runs,
      sliced: a.cost.sliced,
      action: a.action,
      reason: a.reason,
    })),
  );
  return { id, budget, agents, totals, summary: triageSummaryLine(totals, budget) };
}

export interface ReportRow {
  /** What measurement can tell apart: launched agents that share a subagent type share a row. */
  agentType: string;
  agents: TriageAgentRecord[];
  estimate: number;
  /** Billing tokens of this type's runs that started in the review's window; null when none has. */
  measured: number | null;
  measuredRuns: number;
  diffPct: number | null;
}

export interface TriageReport {
  run: TriageRun;
  /** The review's window ends where the next triage starts (null: still open). */
  until: number | null;
  rows: ReportRow[];
  totals: { estimate: number; measured: number; diffPct: number | null; measuredRows: number };
}

/**
 * Compares each launched agent's estimate with the billing tokens its type's runs spent between
 * this triage and the next one.
 */
export function triageReport(l: Ledger, run: TriageRun): TriageReport {
  const until = nextTriageAt(l, run);
  const byType = new Map<string, TriageAgentRecord[]>();
  for (const a of triageRunAgents(l, run.id)) {
    if (a.action === 'selected') byType.set(a.agentType, [...(byType.get(a.agentType) ?? []), a]);
  }
  const rows = [...byType].map(([agentType, agents]): ReportRow => {
    const runs = agentTypeRuns(l, agentType, { since: run.at, until });
    const estimate = agents.reduce((n, a) => n + a.estimate, 0);
    const measured = runs.length === 0 ? null : runs.reduce((n, r) => n + r.billing, 0);
    return {
      agentType,
      agents,
      estimate,
      measured,
      measuredRuns: runs.length,
      diffPct: measured === null ? null : estimateError(estimate, measured),
    };
  });
  const measuredRows = rows.filter((r) => r.measured !== null);
  // Totals compare like with like: only the rows that have a measurement.
  const estimate = measuredRows.reduce((n, r) => n + r.estimate, 0);
  const measured = measuredRows.reduce((n, r) => n + (r.measured as number), 0);
  return {
    run,
    until,
    rows,
    totals: { estimate, measured, diffPct: measuredRows.length ? estimateError(estimate, measured) : null, measuredRows: measuredRows.length },
  };
}

/** The sprint a review belongs to, if any: the one named (an unknown id is still an error), else the caller's. */
function reviewSprint(l: Ledger, id: string | undefined, session: string | null): Sprint | null {
  try {
    return resolveSprint(l, id, session);
  } catch (err) {
    if (err instanceof NotFoundError) return null;
    throw err;
  }
}

export type TriageAsk = Omit<TriageRequest, 'config' | 'sprint' | 'now'> & { sprint?: string };

/** `sprint-budget triage`: the budget file read, the review's sprint brought up to date, the cut made and recorded. */
export async function triage(caller: Caller, ask: TriageAsk): Promise<TriageOutcome & { sprint: Sprint | null; configOrigin: string }> {
  const { config, origin } = await loadTriageConfig(caller.cwd);
  return inProject(caller, { create: true }, (l) => {
    const sprint = reviewSprint(l, ask.sprint, callerSession(caller));
    if (sprint) currentSpend(l, sprint, caller.env);
    return { ...triageReview(l, { ...ask, config, sprint, now: Date.now() }), sprint, configOrigin: origin };
  });
}

/** `sprint-budget triage report`: the run's estimates against what its launched agents measured (latest run by default). */
export function readTriageReport(caller: Caller, id?: number): TriageReport {
  return inProject(caller, {}, (l) => {
    const run = id === undefined ? latestTriageRun(l) : getTriageRun(l, id);
    if (!run) throw new NotFoundError(id === undefined ? 'no triage recorded yet (run: sprint-budget triage ...)' : `no triage #${id}`);
    const sprint = run.sprintId ? reviewSprint(l, run.sprintId, null) : null;
    if (sprint) currentSpend(l, sprint, caller.env);
    return triageReport(l, run);
  });
}
