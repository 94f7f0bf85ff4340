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
import { agentRuns } from '../ledger/agents';
import { everAttached, openAttachment } from '../ledger/sessions';
import { getSprint, insertEvent } from '../ledger/sprints';
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
import { type Caller, callerActor, callerSession, inProject } from './project';
import { resolveSprint } from './resolve';
import { type SprintSpend, currentSpend } from './spend';
import { loadTriageConfig } from './triage-config';

export interface TriageRequest {
  input: ReviewInput;
  agents: readonly CandidateAgent[];
  /** The sprint's remaining budget (read at this moment), or the caller's figure outside a sprint; null: no sprint budget. */
  sprintRemaining: number | null;
  slicing: boolean;
  /** The user chose "launch all" (with their reason): nothing is deferred, and the override goes into the sprint's history. */
  launchAll: { reason: string } | null;
  config: TriageConfig;
  sprint: Sprint | null;
  actor: string;
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

/** Estimates each agent from its own runs, applies the budget cut and records the decision (and a launch-all override in the sprint's history). */
export function triageReview(l: Ledger, req: TriageRequest): TriageOutcome {
  const costed = req.agents.map((a) => ({ ...a, cost: agentCost(a, agentRuns(l, { name: a.name, agentType: a.agentType }).map((r) => r.billing), req.config, req.slicing) }));
  const budget = effectiveBudget(req.config, req.input, req.sprintRemaining);
  const cut = selectAgents(costed, budget.budget, req.config);
  const agents = req.launchAll ? launchAll(cut) : cut;
  const totals = triageTotals(agents, budget.budget);
  return l.write(() => {
    const id = recordRun(l, req, budget, agents);
    const overridden = agents.filter((a) => a.reason === 'override');
    if (req.sprint && req.launchAll && overridden.length > 0) {
      insertEvent(l, req.sprint.id, {
        kind: 'triage_override',
        fromPhase: req.sprint.phase,
        at: req.now,
        actor: req.actor,
        reason: req.launchAll.reason,
        detail: { triage_id: id, launched: overridden.map((a) => a.name), estimate: overridden.reduce((n, a) => n + a.cost.tokens, 0), budget: budget.budget },
      });
    }
    return { id, budget, agents, totals, summary: triageSummaryLine(totals, budget) };
  });
}

function recordRun(l: Ledger, req: TriageRequest, budget: EffectiveBudget, agents: readonly TriagedAgent[]): number {
  return insertTriageRun(
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
      launchAll: req.launchAll !== null,
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
}

export interface ReportRow {
  /** The launched agent. */
  agent: TriageAgentRecord;
  estimate: number;
  /** Billing tokens of this agent's runs in the review's window; null when none has run (or been read) yet. */
  measured: number | null;
  measuredRuns: number;
  diffPct: number | null;
}

export interface TriageReport {
  run: TriageRun;
  /** The review's window ends where the sprint's next triage starts (null: still open). */
  until: number | null;
  rows: ReportRow[];
  totals: { estimate: number; measured: number; diffPct: number | null; measuredRows: number };
}

/**
 * Compares each launched agent's estimate with what the review's own dispatches for it spent: its
 * runs (by its type, or dispatched under its name) that started between this triage and the
 * sprint's next one, in the sprint's sessions. Runs of a shared type made for anything else do not count.
 */
export function triageReport(l: Ledger, run: TriageRun): TriageReport {
  const until = nextTriageAt(l, run);
  const launched = triageRunAgents(l, run.id).filter((a) => a.action === 'selected');
  const rows = launched.map((agent): ReportRow => {
    const runs = agentRuns(l, { name: agent.name, agentType: agent.agentType }, { since: run.at, until, sprint: run.sprintId });
    const measured = runs.length === 0 ? null : runs.reduce((n, r) => n + r.billing, 0);
    return { agent, estimate: agent.estimate, measured, measuredRuns: runs.length, diffPct: measured === null ? null : estimateError(agent.estimate, measured) };
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

/**
 * The sprint a review belongs to: the one named (an unknown id is still an error), else the one the
 * caller's session counts toward. A session that was detached belongs to none; a session never seen
 * (or a terminal) takes the newest active sprint, as the hooks would attach it.
 */
function reviewSprint(l: Ledger, id: string | undefined, session: string | null): Sprint | null {
  if (!id && session && !openAttachment(l, session) && everAttached(l, session)) return null;
  try {
    return resolveSprint(l, id, session);
  } catch (err) {
    if (err instanceof NotFoundError) return null;
    throw err;
  }
}

export interface TriageAsk {
  sprint?: string;
  input: ReviewInput;
  agents: readonly CandidateAgent[];
  /** The caller's figure for the remaining budget: undefined when not given, null for `none`. */
  given?: { value: number | null; from: 'flag' | 'env' };
  slicing: boolean;
  launchAll: { reason: string } | null;
}

export interface Triaged extends TriageOutcome {
  sprint: Sprint | null;
  configOrigin: string;
  /** Where the remaining budget came from: the sprint (read now), the caller's figure, or nowhere. */
  remainingFrom: 'sprint' | 'given' | 'none';
}

/**
 * The cap a review works under. Inside a sprint it is the sprint's remaining budget as of now: a
 * figure handed down from earlier (FLUX_BUDGET_REMAINING exported at some point) would be stale, so
 * it is not read, and a `--sprint-remaining` may only lower the sprint's figure. Outside a sprint,
 * the caller's figure, if any.
 */
function reviewRemaining(spend: SprintSpend | null, given: TriageAsk['given']): { remaining: number | null; from: Triaged['remainingFrom'] } {
  const lower = spend ? (given?.from === 'flag' ? given.value : null) : (given?.value ?? null);
  const own = spend?.remaining ?? null;
  if (lower !== null && (own === null || lower < own)) return { remaining: lower, from: 'given' };
  return own === null ? { remaining: null, from: 'none' } : { remaining: own, from: 'sprint' };
}

/** `sprint-budget triage`: the budget file read, the review's sprint brought up to date, the cut made and recorded. */
export async function triage(caller: Caller, ask: TriageAsk): Promise<Triaged> {
  const { config, origin } = await loadTriageConfig(caller.cwd);
  return inProject(caller, { create: true }, (l) => {
    const sprint = reviewSprint(l, ask.sprint, callerSession(caller));
    const spend = sprint ? currentSpend(l, sprint, caller.env) : null;
    const { remaining, from } = reviewRemaining(spend, ask.given);
    const outcome = triageReview(l, { ...ask, sprintRemaining: remaining, config, sprint, actor: callerActor(caller), now: Date.now() });
    return { ...outcome, sprint, configOrigin: origin, remainingFrom: from };
  });
}

/** `sprint-budget triage report`: the run's estimates against what its launched agents measured (latest run by default). */
export function readTriageReport(caller: Caller, id?: number): TriageReport {
  return inProject(caller, {}, (l) => {
    const run = id === undefined ? latestTriageRun(l) : getTriageRun(l, id);
    if (!run) throw new NotFoundError(id === undefined ? 'no triage recorded yet (run: sprint-budget triage ...)' : `no triage #${id}`);
    const sprint = run.sprintId ? getSprint(l, run.sprintId) : null;
    if (sprint) currentSpend(l, sprint, caller.env);
    return triageReport(l, run);
  });
}
