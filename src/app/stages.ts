/** A sprint's stage budgets with their spend (docs/spec.md, "Stage budgets"), for `advance`, `state` and `tokens`. */
import type { Controls } from '../domain/controls';
import { type Pause, stageDepleted } from '../domain/protocol';
import { type StageSpend, stageBudgets, stageOf, stageSpends } from '../domain/stages';
import type { Sprint } from '../ledger/sprints';
import type { SprintSpend } from './spend';

/** Each stage's budget and spend; null when the sprint has no stage budgets (no shares, or no budget). */
export function sprintStages(s: Sprint, spend: Pick<SprintSpend, 'rows'>, controls: Pick<Controls, 'stageShares' | 'stageMinTokens'>): StageSpend[] | null {
  if (s.tokenBudget === null || controls.stageShares === null) return null;
  const byPhase: Record<string, number> = {};
  for (const r of spend.rows) byPhase[r.phase] = (byPhase[r.phase] ?? 0) + r.input + r.output;
  return stageSpends(s.phases, byPhase, stageBudgets(s.tokenBudget, controls.stageShares, controls.stageMinTokens));
}

/** `budget_exceeded|<stage>|stage budget depleted` when the stage of the phase being left has spent its share. */
export function stagePause(s: Sprint, stages: readonly StageSpend[] | null): Pause | null {
  const stage = stageOf(s.phase, s.phases[s.phases.length - 1] as string);
  const current = stages?.find((st) => st.stage === stage);
  return current?.depleted ? stageDepleted(current.stage) : null;
}
