/** Fan-out caps (docs/spec.md, "Fan-out caps"). Pure. */
import type { Controls } from './controls';

export interface FanOut {
  /** Dispatches that passed in the current phase, in the sprint, and those still running. */
  phase: number;
  sprint: number;
  running: number;
}

export interface CapReached {
  n: number;
  max: number;
  scope: 'per phase' | 'per sprint' | 'running at once';
}

/** The first cap one more dispatch would pass, or null. */
export function capReached(f: FanOut, c: Pick<Controls, 'maxAgentsPerPhase' | 'maxAgentsPerSprint' | 'maxConcurrent'>): CapReached | null {
  if (c.maxConcurrent !== null && f.running >= c.maxConcurrent) return { n: f.running, max: c.maxConcurrent, scope: 'running at once' };
  if (c.maxAgentsPerPhase !== null && f.phase >= c.maxAgentsPerPhase) return { n: f.phase, max: c.maxAgentsPerPhase, scope: 'per phase' };
  if (c.maxAgentsPerSprint !== null && f.sprint >= c.maxAgentsPerSprint) return { n: f.sprint, max: c.maxAgentsPerSprint, scope: 'per sprint' };
  return null;
}
