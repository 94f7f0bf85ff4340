/**
 * Estimates: what a phase or an agent is expected to cost where nothing has been measured yet
 * (docs/spec.md, "Estimates"). Every estimate says where it came from, and measured history replaces the defaults
 * once there are at least MIN_CALIBRATION_RUNS runs of it.
 */

export const MIN_CALIBRATION_RUNS = 3;

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

export function phaseEstimate(phase: string, measuredRuns: readonly number[] = []): Estimate {
  return calibrated(PHASE_ESTIMATES[phase] ?? OTHER_PHASE_ESTIMATE, measuredRuns);
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

/** The kind of an agent by its name; names that fit no pattern are generated agents. */
export function agentKind(name: string): AgentKind {
  const n = name.toLowerCase().replace(/^.*:/, '');
  if (COGNITIVE_AGENTS.has(n)) return 'cognitive';
  if (n.startsWith('fd-')) return 'review';
  if (/-(researcher|analyzer|analyst)$/.test(n)) return 'research';
  if (n.startsWith('oracle')) return 'oracle';
  return 'generated';
}

export function agentEstimate(name: string, measuredRuns: readonly number[] = [], kind?: AgentKind): Estimate {
  return calibrated(AGENT_KIND_ESTIMATES[kind ?? agentKind(name)], measuredRuns);
}
