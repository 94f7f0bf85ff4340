/**
 * The forecast of a sprint's total (docs/spec.md, "Forecast"). Pure: what is spent, plus an estimate
 * for each phase still to run, from this project's finished sprints of the same complexity where
 * there are at least MIN_CALIBRATION_RUNS of a phase (their median and 90th percentile), else the
 * phase's share of its tier's default budget. A projection, labelled as one, never spend; a finished
 * phase carries no estimate.
 */
import { MIN_CALIBRATION_RUNS, OTHER_PHASE_ESTIMATE, PHASE_ESTIMATES } from './estimates';

/** Median; of an even count, the mean of the middle two, rounded. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : Math.round(((s[mid - 1] as number) + (s[mid] as number)) / 2);
}

/** Nearest-rank percentile: the smallest value with at least p% of the values at or below it. */
export function percentile(values: readonly number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)] as number;
}

export interface PhaseEstimate {
  p50: number;
  p90: number;
  /** `history`: this project's finished sprints of the same complexity; `default`: its share of the tier's default budget. */
  basis: 'history' | 'default';
  runs: number;
}

/**
 * Each phase's default: its share of the tier's default budget, the shares weighed by the phases'
 * default estimates and rounded down to 1,000, so that a sprint on its default budget is not
 * projected over it before anything is known.
 */
export function defaultPhaseEstimates(phases: readonly string[], tierBudget: number): Record<string, number> {
  const weight = (phase: string) => PHASE_ESTIMATES[phase] ?? OTHER_PHASE_ESTIMATE;
  const total = phases.reduce((sum, phase) => sum + weight(phase), 0);
  return Object.fromEntries(phases.map((phase) => [phase, Math.floor((tierBudget * weight(phase)) / total / 1000) * 1000]));
}

/** A phase's estimate from its runs in finished sprints of the same complexity, else its default. */
export function historyEstimate(runs: readonly number[], fallback: number): PhaseEstimate {
  if (runs.length >= MIN_CALIBRATION_RUNS) return { p50: median(runs), p90: percentile(runs, 90), basis: 'history', runs: runs.length };
  return { p50: fallback, p90: fallback, basis: 'default', runs: runs.length };
}

export interface PhaseProjection {
  phase: string;
  status: 'done' | 'current' | 'pending';
  /** Billing tokens measured in the phase so far. */
  measured: number;
  /** The phase's estimate; null for a finished phase (and for every phase of a sprint that is over). */
  estimate: PhaseEstimate | null;
  /** What the projection adds for the phase: the rest of its estimate past what it measured. */
  adds: { p50: number; p90: number };
}

export interface Forecast {
  /** Always a projection: never spend, never a budget. */
  label: 'projection';
  /** How the estimates were made, for people: `history of 4 finished complexity-3 sprints` or `default estimates`. */
  basis: string;
  complexity: number;
  spent: number;
  budget: number | null;
  projected_p50: number;
  projected_p90: number;
  /** projected_p50 > budget. */
  over_budget: boolean;
  phases: PhaseProjection[];
}

export interface ForecastInput {
  phases: readonly string[];
  phase: string;
  /** Only an active sprint still has phases to run. */
  active: boolean;
  complexity: number;
  budget: number | null;
  spent: number;
  /** Billing tokens measured per phase. */
  measured: Readonly<Record<string, number>>;
  /** Per phase, its billing tokens in each finished sprint of the same complexity. */
  history: Readonly<Record<string, readonly number[]>>;
  /** The default budget of the sprint's tier (the project's `tier_budgets`, else the built-in one). */
  tierBudget: number;
}

export function forecast(f: ForecastInput): Forecast {
  const current = f.phases.indexOf(f.phase);
  let p50 = f.spent;
  let p90 = f.spent;
  const defaults = defaultPhaseEstimates(f.phases, f.tierBudget);
  const phases = f.phases.map((phase, i): PhaseProjection => {
    const measured = f.measured[phase] ?? 0;
    const status = !f.active || i < current ? 'done' : i === current ? 'current' : 'pending';
    if (status === 'done') return { phase, status, measured, estimate: null, adds: { p50: 0, p90: 0 } };
    const estimate = historyEstimate(f.history[phase] ?? [], defaults[phase] ?? 0);
    // The phase under way: what its estimate leaves past what it already spent.
    const adds = { p50: Math.max(0, estimate.p50 - measured), p90: Math.max(0, estimate.p90 - measured) };
    p50 += adds.p50;
    p90 += adds.p90;
    return { phase, status, measured, estimate, adds };
  });
  const estimated = phases.filter((p) => p.estimate !== null);
  const fromHistory = estimated.filter((p) => p.estimate?.basis === 'history');
  const onDefaults = estimated.filter((p) => p.estimate?.basis === 'default').map((p) => p.phase);
  const most = Math.max(0, ...fromHistory.map((p) => p.estimate?.runs ?? 0));
  const basis =
    estimated.length === 0
      ? 'measured spend only (no phase left to run)'
      : fromHistory.length === 0
        ? `default estimates: the tier's default budget of ${f.tierBudget.toLocaleString('en-US')} shared by phase (fewer than ${MIN_CALIBRATION_RUNS} finished complexity-${f.complexity} sprints)`
        : `the history of ${most} finished complexity-${f.complexity} sprints${onDefaults.length > 0 ? ` (default estimates for ${onDefaults.join(', ')})` : ''}`;
  return {
    label: 'projection',
    basis,
    complexity: f.complexity,
    spent: f.spent,
    budget: f.budget,
    projected_p50: p50,
    projected_p90: p90,
    over_budget: f.budget !== null && p50 > f.budget,
    phases,
  };
}

/** The stderr line of a projection over budget: heard phases before the pause. */
export function budgetForecastLine(phase: string, fc: Pick<Forecast, 'projected_p50' | 'projected_p90' | 'budget'>): string {
  return `budget_forecast|${phase}|projected ${fc.projected_p50}/${fc.budget} billing tokens (p90 ${fc.projected_p90})`;
}
