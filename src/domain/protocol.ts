/** The `type|phase|detail` pause protocol (docs/spec.md, "Pause protocol"). Pure formatting and parsing. */

export type PauseType = 'budget_exceeded' | 'gate_blocked' | 'manual_pause' | 'stale_phase' | 'agent_cap';
export const PAUSE_TYPES: readonly PauseType[] = ['budget_exceeded', 'gate_blocked', 'manual_pause', 'stale_phase', 'agent_cap'];

export interface Pause {
  type: PauseType;
  phase: string;
  detail: string;
}

export function formatPause(p: Pause): string {
  return `${p.type}|${p.phase}|${p.detail.replace(/[\r\n]+/g, ' ')}`;
}

/** Parses a pause line; null when the line is not one. The detail may itself contain `|`. */
export function parsePause(line: string): Pause | null {
  const first = line.indexOf('|');
  const second = first < 0 ? -1 : line.indexOf('|', first + 1);
  if (second < 0) return null;
  const type = line.slice(0, first) as PauseType;
  if (!PAUSE_TYPES.includes(type)) return null;
  return { type, phase: line.slice(first + 1, second), detail: line.slice(second + 1).trim() };
}

export function budgetExceeded(phase: string, spent: number, budget: number): Pause {
  return { type: 'budget_exceeded', phase, detail: `${spent}/${budget} billing tokens` };
}

/** Spent plus what running subagents have reserved reaches the budget: a dispatch would overshoot it. */
export function budgetCommitted(phase: string, spent: number, reserved: number, budget: number): Pause {
  return { type: 'budget_exceeded', phase, detail: `${spent + reserved}/${budget} billing tokens (${reserved} reserved by running subagents)` };
}

/** A stage has spent its share of the budget (docs/spec.md, "Stage budgets"). */
export function stageDepleted(stage: string): Pause {
  return { type: 'budget_exceeded', phase: stage, detail: 'stage budget depleted' };
}

/** A fan-out cap is reached (docs/spec.md, "Fan-out caps"): `n` agents of `max` allowed, and which cap. */
export function agentCap(phase: string, n: number, max: number, scope: string): Pause {
  return { type: 'agent_cap', phase, detail: `${n}/${max} agents (${scope})` };
}

export function gateBlocked(target: string, missing: string): Pause {
  return { type: 'gate_blocked', phase: target, detail: missing };
}

export function manualPause(target: string): Pause {
  return { type: 'manual_pause', phase: target, detail: 'auto_advance=false' };
}

/** The caller believed the sprint was in `callerPhase`; it is in `actual`, further on (the usual case) or not yet there. */
export function stalePhase(callerPhase: string, actual: string, chain: readonly string[]): Pause {
  const ahead = chain.indexOf(actual) > chain.indexOf(callerPhase);
  return { type: 'stale_phase', phase: callerPhase, detail: ahead ? `Phase already advanced to ${actual}` : `Phase is still ${actual}` };
}

/** The stderr warning past warn_pct; it never stops an advance. */
export function budgetWarningLine(phase: string, spent: number, budget: number): string {
  return `budget_warning|${phase}|${spent}/${budget} billing tokens (${Math.floor((spent * 100) / budget)}%)`;
}
