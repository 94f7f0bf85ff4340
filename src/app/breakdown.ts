/**
 * A sprint's spend per phase and per agent type, each figure with its sources; a phase still to run
 * with no measured data shows its estimate instead, labelled as one (it never counts as spend). The
 * estimates and the projected total are the sprint's forecast, the one `state` and `report` show.
 */
import type { BudgetState } from '../domain/budget';
import type { Estimate } from '../domain/estimates';
import type { PhaseProjection } from '../domain/forecast';
import { type Dollars, type DollarsJson, dollarsJson, mergeDollars, noDollars } from '../domain/pricing';
import type { SpendRecord } from '../domain/records';
import { type SpendCounts, billingTokens } from '../domain/tokens';
import type { StageSpend } from '../domain/stages';
import type { Ledger } from '../ledger/db';
import { sprintSpendRecords } from '../ledger/records';
import type { Sprint } from '../ledger/sprints';
import { type CostLine, type LoadedPricing, loadPricing, sprintCostLines } from './pricing';
import { projectControls, sprintControls } from './config';
import { sprintForecast } from './forecast';
import { type Caller, callerSession, inProject } from './project';
import { resolveSprint } from './resolve';
import { type SprintSpend, currentSpend } from './spend';
import { sprintStages } from './stages';

interface Figures {
  billing: number;
  input: number;
  output: number;
  cache_read: number;
  cache_write: number;
  /** Billing tokens recorded only as totals (in `billing`, never in input or output). */
  total_only: number;
}

/** Dollars beside a figure (docs/spec.md, "Cost in dollars"): the priced part, and the models with no price. */
type Priced = DollarsJson;

export interface ModelFigures extends Figures, Priced {
  model: string | null;
  records: number;
  cache_write_5m: number;
  cache_write_1h: number;
  /** Some of its responses ran in fast mode / had prompts past the long-context threshold. */
  fast: boolean;
  long_context: boolean;
}

/** One line of the phase × agent type × model table. */
export interface CostFigures extends ModelFigures {
  phase: string;
  agent_type: string;
}

export interface AgentFigures extends Figures, Priced {
  agent_type: string;
  records: number;
  sources: { source: string; records: number; billing: number; total_only: number }[];
}

export interface PhaseFigures extends Figures, Priced {
  phase: string;
  status: 'done' | 'current' | 'pending';
  measured: boolean;
  agents: AgentFigures[];
  /** Only for a phase still to run (current or pending) with nothing measured: the forecast's median estimate. */
  estimate: Estimate | null;
}

export interface Breakdown {
  sprint: string;
  title: string;
  phase: string;
  token_budget: number | null;
  tokens_spent: number;
  tokens_remaining: number | null;
  budget_state: BudgetState;
  /** The forecast's projected total (median): measured spend plus what the phases still to run are expected to add. */
  projected_total: number;
  totals: Figures & Priced;
  phases: PhaseFigures[];
  /** Spend per model, each priced by its own model. */
  models: ModelFigures[];
  /** Spend per phase × agent type × model. */
  costs: CostFigures[];
  /** The pricing table the dollars come from (null: none found, every figure is "no price"). */
  pricing: { source: string; taken: string; origin: string } | null;
  /** Each stage's budget and spend, when the sprint has stage budgets (docs/spec.md, "Stage budgets"). */
  stages: StageSpend[] | null;
}

const zero = (): Figures => ({ billing: 0, input: 0, output: 0, cache_read: 0, cache_write: 0, total_only: 0 });

function add(f: Figures, r: SpendCounts): void {
  f.billing += billingTokens(r);
  f.input += r.input;
  f.output += r.output;
  f.cache_read += r.cacheRead;
  f.cache_write += r.cacheWrite;
  f.total_only += r.totalOnly;
}

function modelFigures(line: CostLine): ModelFigures {
  return {
    model: line.model,
    records: line.records,
    billing: billingTokens(line),
    input: line.input,
    output: line.output,
    cache_read: line.cacheRead,
    cache_write: line.cacheWrite,
    total_only: line.totalOnly,
    cache_write_5m: line.cacheWrite5m,
    cache_write_1h: line.cacheWrite1h,
    fast: line.fast,
    long_context: line.long,
    ...dollarsJson(line.dollars),
  };
}

function dollarsOf(lines: readonly CostLine[]): Dollars {
  const d = noDollars();
  for (const line of lines) mergeDollars(d, line.dollars);
  return d;
}

/** A forecast phase's median estimate in the breakdown's terms: `measured` when it rests on this project's history. */
function phaseEstimateOf(p: PhaseProjection | undefined): Estimate | null {
  const e = p?.estimate;
  if (!e) return null;
  return e.basis === 'history' ? { tokens: e.p50, basis: 'measured', runs: e.runs } : { tokens: e.p50, basis: 'default', runs: 0 };
}

export function sprintBreakdown(l: Ledger, s: Sprint, spend: SprintSpend, pricing: LoadedPricing | null = null): Breakdown {
  const lines = sprintCostLines(l, s, pricing?.table ?? null);
  const forecast = sprintForecast(l, s, spend);
  const current = s.phases.indexOf(s.phase);
  const totals = zero();
  const phases: PhaseFigures[] = s.phases.map((phase, i) => {
    const rows = spend.rows.filter((r) => r.phase === phase);
    const f = zero();
    const agents = new Map<string, AgentFigures>();
    for (const r of rows) {
      add(f, r);
      let a = agents.get(r.agentType);
      if (!a) {
        a = { agent_type: r.agentType, records: 0, sources: [], ...zero(), ...dollarsJson(dollarsOf(lines.filter((c) => c.phase === phase && c.agentType === r.agentType))) };
        agents.set(r.agentType, a);
      }
      add(a, r);
      a.records += r.records;
      a.sources.push({ source: r.source, records: r.records, billing: billingTokens(r), total_only: r.totalOnly });
    }
    add(totals, { input: f.input, output: f.output, cacheRead: f.cache_read, cacheWrite: f.cache_write, totalOnly: f.total_only });
    const measured = rows.length > 0;
    return {
      phase,
      status: i < current || s.status === 'done' ? 'done' : i === current ? 'current' : 'pending',
      measured,
      ...f,
      ...dollarsJson(dollarsOf(lines.filter((c) => c.phase === phase))),
      agents: [...agents.values()].sort((a, b) => b.billing - a.billing || a.agent_type.localeCompare(b.agent_type)),
      estimate: measured ? null : phaseEstimateOf(forecast.phases[i]),
    };
  });
  return {
    sprint: s.id,
    title: s.title,
    phase: s.phase,
    token_budget: s.tokenBudget,
    tokens_spent: spend.billing,
    tokens_remaining: spend.remaining,
    budget_state: spend.state,
    projected_total: forecast.projected_p50,
    totals: { ...totals, ...dollarsJson(dollarsOf(lines)) },
    phases,
    models: byModel(lines),
    costs: lines.map((line) => ({ phase: line.phase, agent_type: line.agentType, ...modelFigures(line) })),
    pricing: pricing ? { source: pricing.table.source, taken: pricing.table.taken, origin: pricing.origin } : null,
    stages: sprintStages(s, spend, sprintControls(s, projectControls(l.path))),
  };
}

/** The sprint's spend per model, largest first. */
function byModel(lines: readonly CostLine[]): ModelFigures[] {
  const models = new Map<string | null, CostLine[]>();
  for (const line of lines) models.set(line.model, [...(models.get(line.model) ?? []), line]);
  return [...models.entries()]
    .map(([model, ls]) => {
      const sum = ls.reduce<CostLine>(
        (a, c) => ({
          ...a,
          input: a.input + c.input,
          output: a.output + c.output,
          cacheRead: a.cacheRead + c.cacheRead,
          cacheWrite: a.cacheWrite + c.cacheWrite,
          cacheWrite5m: a.cacheWrite5m + c.cacheWrite5m,
          cacheWrite1h: a.cacheWrite1h + c.cacheWrite1h,
          totalOnly: a.totalOnly + c.totalOnly,
          records: a.records + c.records,
          fast: a.fast || c.fast,
          long: a.long || c.long,
        }),
        { ...(ls[0] as CostLine), input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cacheWrite5m: 0, cacheWrite1h: 0, totalOnly: 0, records: 0, fast: false, long: false },
      );
      return modelFigures({ ...sum, model, dollars: dollarsOf(ls) });
    })
    .sort((a, b) => b.billing - a.billing || String(a.model).localeCompare(String(b.model)));
}

/** `sprint-budget tokens`: the sprint's spend per phase and agent type, up to date. */
export function readBreakdown(caller: Caller, id?: string): Breakdown {
  return inProject(caller, {}, (l) => {
    const s = resolveSprint(l, id, callerSession(caller));
    return sprintBreakdown(l, s, currentSpend(l, s, caller.env), loadPricing(caller.env));
  });
}

/** `sprint-budget tokens --records`: every record behind the sprint's figures, with the phase it counts toward. */
export function readSpendRecords(caller: Caller, id?: string): (SpendRecord & { atPhase: string })[] {
  return inProject(caller, {}, (l) => {
    const s = resolveSprint(l, id, callerSession(caller));
    currentSpend(l, s, caller.env);
    return sprintSpendRecords(l, s.id, s.phases[0] as string);
  });
}
