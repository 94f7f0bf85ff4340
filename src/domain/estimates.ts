/**
 * Estimates: what an agent is expected to cost where nothing has been measured yet, and the phases'
 * weights the forecast shares a tier's budget by (docs/spec.md, "Estimates"). Every estimate says
 * where it came from, and measured history replaces the defaults once there are at least
 * MIN_CALIBRATION_RUNS runs of it.
 */

export const MIN_CALIBRATION_RUNS = 3;

/** Each phase's default cost, used as its weight when a tier's budget is shared by phase (domain/forecast.ts). */
export const PHASE_ESTIMATES: Readonly<Record<string, number>> = Object.freeze({
  brainstorm: 30_000,
  'brainstorm-reviewed': 15_000,
  strategized: 25_000,
  planned: 35_000,
  'plan-reviewed': 50_000,
  executing: 150_000,
  shipping: 100_000,
  reflect: 10_000,
  done: 5_000,
});
export const OTHER_PHASE_ESTIMATE = 30_000;

export interface Estimate {
  tokens: number;
  /** `default` (the contract's figure) or `measured` (mean of this project's own runs). */
  basis: 'default' | 'measured';
  /** How many measured runs the figure rests on (0 for a default). */
  runs: number;
}

/** Mean of measured runs when there are enough of them, else the fallback. */
export function calibrated(fallback: number, measuredRuns: readonly number[]): Estimate {
  if (measuredRuns.length >= MIN_CALIBRATION_RUNS) {
    const mean = measuredRuns.reduce((a, b) => a + b, 0) / measuredRuns.length;
    return { tokens: Math.round(mean), basis: 'measured', runs: measuredRuns.length };
  }
  return { tokens: fallback, basis: 'default', runs: 0 };
}

export type AgentKind = 'review' | 'cognitive' | 'research' | 'oracle' | 'generated';

export const AGENT_KIND_ESTIMATES: Readonly<Record<AgentKind, number>> = Object.freeze({
  review: 40_000,
  cognitive: 35_000,
  research: 15_000,
  oracle: 80_000,
  generated: 40_000,
});

/** flux-drive's cognitive lenses: `fd-*` by name, but priced as cognitive agents. */
const COGNITIVE_AGENTS = new Set(['fd-systems', 'fd-decisions', 'fd-people', 'fd-resilience', 'fd-perception']);

/** `plugin:fd-safety` and `fd-safety` are one agent: names compare bare and lowercase. */
export function bareAgentName(name: string): string {
  return name.slice(name.lastIndexOf(':') + 1).toLowerCase();
}

/**
 * The agent a dispatch was made for, as its description names it: the first word, so a subagent
 * dispatched as `general-purpose` with `fd-safety: review the plan` ran for fd-safety (the flux-drive
 * skill describes its dispatches so). Null when the description starts with no name.
 */
export function dispatchedAgentName(description: string | null | undefined): string | null {
  const first = description?.trim().split(/\s+/)[0]?.replace(/[:,.;]+$/, '');
  return first && /^[A-Za-z0-9][A-Za-z0-9._:-]*$/.test(first) ? bareAgentName(first) : null;
}

/** The kind of an agent by its name; names that fit no pattern are generated agents. */
export function agentKind(name: string): AgentKind {
  const n = bareAgentName(name);
  if (COGNITIVE_AGENTS.has(n)) return 'cognitive';
  if (n.startsWith('fd-')) return 'review';
  if (/-(researcher|analyzer|analyst)$/.test(n)) return 'research';
  if (n.startsWith('oracle')) return 'oracle';
  return 'generated';
}

export function agentEstimate(name: string, measuredRuns: readonly number[] = [], kind?: AgentKind): Estimate {
  return calibrated(AGENT_KIND_ESTIMATES[kind ?? agentKind(name)], measuredRuns);
}
