/**
 * A sprint's spend per phase and per agent type, each figure with its sources; phases with no
 * measured data show an estimate instead, labelled as one (it never counts as spend).
 */
import type { BudgetState } from '../domain/budget';
import { type Estimate, phaseEstimate } from '../domain/estimates';
import type { SpendRecord } from '../domain/records';
import { type SpendCounts, billingTokens } from '../domain/tokens';
import type { Ledger } from '../ledger/db';
import { sprintSpendRecords } from '../ledger/records';
import { type Sprint, closedPhaseRuns } from '../ledger/sprints';
import { type Caller, callerSession, inProject } from './project';
import { resolveSprint } from './resolve';
import { type SprintSpend, currentSpend } from './spend';

interface Figures {
  billing: number;
  input: number;
  output: number;
  cache_read: number;
  cache_write: number;
  /** Billing tokens recorded only as totals (in `billing`, never in input or output). */
  total_only: number;
}

export interface AgentFigures extends Figures {
  agent_type: string;
  records: number;
  sources: { source: string; records: number; billing: number; total_only: number }[];
}

export interface PhaseFigures extends Figures {
  phase: string;
  status: 'done' | 'current' | 'pending';
  measured: boolean;
  agents: AgentFigures[];
  /** Only for a phase with nothing measured. */
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
  /** Measured spend plus the estimates of phases with nothing measured yet. */
  projected_total: number;
  totals: Figures;
  phases: PhaseFigures[];
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

export function sprintBreakdown(l: Ledger, s: Sprint, spend: SprintSpend): Breakdown {
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
        a = { agent_type: r.agentType, records: 0, sources: [], ...zero() };
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
      agents: [...agents.values()].sort((a, b) => b.billing - a.billing || a.agent_type.localeCompare(b.agent_type)),
      estimate: measured ? null : phaseEstimate(phase, closedPhaseRuns(l, phase)),
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
    projected_total: spend.billing + phases.reduce((n, p) => n + (p.estimate?.tokens ?? 0), 0),
    totals,
    phases,
  };
}

/** `sprint-budget tokens`: the sprint's spend per phase and agent type, up to date. */
export function readBreakdown(caller: Caller, id?: string): Breakdown {
  return inProject(caller, {}, (l) => {
    const s = resolveSprint(l, id, callerSession(caller));
    return sprintBreakdown(l, s, currentSpend(l, s, caller.env));
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
