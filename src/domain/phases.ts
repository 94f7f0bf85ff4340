/** The default phase chain (docs/spec.md, "Words"). `done` is terminal. */
export const DEFAULT_PHASES: readonly string[] = Object.freeze([
  'brainstorm',
  'brainstorm-reviewed',
  'strategized',
  'planned',
  'plan-reviewed',
  'executing',
  'shipping',
  'reflect',
  'done',
]);

const PHASE_NAME = /^[a-z][a-z0-9-]{0,39}$/;

export class PhaseChainError extends Error {}

/** Parses `a,b,c` into a chain: at least two distinct lowercase names; the last one is terminal. */
export function parsePhaseChain(text: string): string[] {
  const phases = text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  if (phases.length < 2) throw new PhaseChainError('a phase chain needs at least two phases');
  for (const p of phases) {
    if (!PHASE_NAME.test(p)) throw new PhaseChainError(`invalid phase name "${p}" (use lowercase letters, digits and -)`);
  }
  const seen = new Set<string>();
  for (const p of phases) {
    if (seen.has(p)) throw new PhaseChainError(`phase "${p}" appears twice in the chain`);
    seen.add(p);
  }
  return phases;
}

/** The phase after `current`, or null when `current` is the terminal phase. */
export function nextPhase(chain: readonly string[], current: string): string | null {
  const i = chain.indexOf(current);
  if (i < 0) throw new PhaseChainError(`phase "${current}" is not in the chain ${chain.join(',')}`);
  return i + 1 < chain.length ? (chain[i + 1] as string) : null;
}

export function isTerminal(chain: readonly string[], phase: string): boolean {
  return chain[chain.length - 1] === phase;
}
