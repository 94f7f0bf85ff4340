/**
 * `sprint-budget report`: one sprint's spend as pictures (docs/spec.md, "Report"): per phase and per
 * agent type, spend over time against the budget line, the decisions on that timeline, the phase ×
 * agent type × model table with dollars, and the history. One set of data for the terminal, the
 * HTML file and --json.
 */
import type { Forecast } from '../domain/forecast';
import { isoTime } from '../domain/time';
import { billingTokens } from '../domain/tokens';
import type { Ledger } from '../ledger/db';
import { sprintSpendRecords } from '../ledger/records';
import { type Sprint, type SprintEvent, listEvents } from '../ledger/sprints';
import { type Breakdown, sprintBreakdown } from './breakdown';
import { sprintForecast } from './forecast';
import { loadPricing } from './pricing';
import { type Caller, callerSession, inProject } from './project';
import { resolveSprint } from './resolve';
import { currentSpend } from './spend';

/** The kinds of history entry shown as decisions on the timeline. */
export const DECISIONS = ['override', 'set_budget', 'skip_gate', 'stop', 'dispatch_denied', 'dispatch_asked', 'dispatch_approved'] as const;

export interface SpendPoint {
  at: string;
  /** Billing tokens spent up to and including this moment. */
  spent: number;
}

export interface BudgetPoint {
  at: string;
  /** The budget from this moment on (null: none). */
  budget: number | null;
}

export interface ReportEvent {
  at: string;
  kind: string;
  from_phase: string | null;
  to_phase: string | null;
  actor: string;
  reason: string | null;
  /** One of DECISIONS: drawn on the timeline. */
  decision: boolean;
}

export interface Report {
  sprint: { id: string; title: string; status: string; phase: string; complexity: number; warn_pct: number; created_at: string };
  generated_at: string;
  breakdown: Breakdown;
  forecast: Forecast;
  /** Cumulative spend, one point per record of spend, oldest first (starting at 0 at the sprint's creation). */
  spend_over_time: SpendPoint[];
  /** The budget line: its value at creation and after each change. */
  budget_over_time: BudgetPoint[];
  events: ReportEvent[];
}

function budgetLine(s: Sprint, events: readonly SprintEvent[]): BudgetPoint[] {
  const created = events.find((e) => e.kind === 'create');
  const first = created?.detail && 'token_budget' in created.detail ? (created.detail.token_budget as number | null) : null;
  const points: BudgetPoint[] = [{ at: isoTime(s.createdAt), budget: created ? first : s.tokenBudget }];
  for (const e of events) {
    if (e.kind === 'set_budget') points.push({ at: isoTime(e.at), budget: (e.detail?.to as number | null | undefined) ?? null });
  }
  return points;
}

export function sprintReport(l: Ledger, s: Sprint, env: NodeJS.ProcessEnv, now = Date.now()): Report {
  const spend = currentSpend(l, s, env);
  const events = listEvents(l, s.id);
  let spent = 0;
  const points: SpendPoint[] = [{ at: isoTime(s.createdAt), spent: 0 }];
  for (const r of sprintSpendRecords(l, s.id, s.phases[0] as string)) {
    spent += billingTokens(r);
    points.push({ at: isoTime(Math.max(r.ts, s.createdAt)), spent });
  }
  return {
    sprint: { id: s.id, title: s.title, status: s.status, phase: s.phase, complexity: s.complexity, warn_pct: s.warnPct, created_at: isoTime(s.createdAt) },
    generated_at: isoTime(now),
    breakdown: sprintBreakdown(l, s, spend, loadPricing(env)),
    forecast: sprintForecast(l, s, spend),
    spend_over_time: points,
    budget_over_time: budgetLine(s, events),
    events: events.map((e) => ({
      at: isoTime(e.at),
      kind: e.kind,
      from_phase: e.fromPhase,
      to_phase: e.toPhase,
      actor: e.actor,
      reason: e.reason,
      decision: (DECISIONS as readonly string[]).includes(e.kind),
    })),
  };
}

/** `sprint-budget report [id]`: the sprint's report, its spend brought up to date. */
export function readReport(caller: Caller, id?: string): Report {
  return inProject(caller, {}, (l) => sprintReport(l, resolveSprint(l, id, callerSession(caller)), caller.env));
}
