/** A sprint's forecast (docs/spec.md, "Forecast"): its spend and this project's finished sprints, projected. */
import { defaultBudget } from '../domain/budget';
import { isComplexity } from '../domain/complexity';
import { type Forecast, forecast } from '../domain/forecast';
import { billingTokens } from '../domain/tokens';
import type { Ledger } from '../ledger/db';
import { type Sprint, finishedPhaseRuns } from '../ledger/sprints';
import { configuredTierBudgets } from './calibrate';
import type { SprintSpend } from './spend';

export function sprintForecast(l: Ledger, s: Sprint, spend: SprintSpend): Forecast {
  const measured: Record<string, number> = {};
  for (const r of spend.rows) measured[r.phase] = (measured[r.phase] ?? 0) + billingTokens(r);
  return forecast({
    phases: s.phases,
    phase: s.phase,
    active: s.status === 'active',
    complexity: s.complexity,
    budget: s.tokenBudget,
    spent: spend.billing,
    measured,
    history: finishedPhaseRuns(l, s.complexity),
    tierBudget: (isComplexity(s.complexity) ? configuredTierBudgets(l.path)[s.complexity] : undefined) ?? defaultBudget(s.complexity),
  });
}
