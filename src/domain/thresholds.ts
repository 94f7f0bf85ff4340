/** Threshold alerts inside a phase (docs/spec.md, "Threshold alerts"). Pure. */
import { percentUsed } from './budget';

/** The thresholds (percent of the budget) that spend has reached and that were not raised before, lowest first. */
export function thresholdsCrossed(spent: number, budget: number, thresholds: readonly number[], raised: ReadonlySet<number>): number[] {
  return thresholds.filter((t) => !raised.has(t) && spent * 100 >= budget * t);
}

/** `budget_warning|<phase>|<spent>/<budget> billing tokens (NN%)`, the same line `advance` warns with. */
export function alertLine(phase: string, spent: number, budget: number): string {
  return `budget_warning|${phase}|${spent}/${budget} billing tokens (${percentUsed(spent, budget)}%)`;
}

/** The part of a history entry these rules read. */
interface WatchEvent {
  kind: string;
}

/**
 * Whether the main loop was already stopped (or the model told to stop) for the exceedance that
 * stands now: a `loop_stop` recorded since the last override, budget change or advance.
 */
export function loopStopRecorded(events: readonly WatchEvent[]): boolean {
  let recorded = false;
  for (const e of events) {
    if (e.kind === 'loop_stop') recorded = true;
    else if (e.kind === 'override' || e.kind === 'set_budget' || e.kind === 'advance') recorded = false;
  }
  return recorded;
}
