/** The default phase chain (docs/spec.md, "Words"). `done` is terminal. */
export const DONE = 'done';

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

/** Parses `a,b,…,done` into a chain: at least two distinct lowercase names, the last of them `done`. */
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
  if (phases[phases.length - 1] !== DONE) throw new PhaseChainError(`a phase chain ends with "${DONE}" (got ${phases.join(',')})`);
  return phases;
}

/** The phase after `current`, or null when `current` is terminal. */
export function nextPhase(chain: readonly string[], current: string): string | null {
  const i = chain.indexOf(current);
  if (i < 0) throw new PhaseChainError(`phase "${current}" is not in the chain ${chain.join(',')}`);
  return isTerminal(chain, current) || i + 1 >= chain.length ? null : (chain[i + 1] as string);
}

/** `done` ends a sprint wherever a chain has it (a chain made before chains had to end with it may have it inside); so does a chain's last phase. */
export function isTerminal(chain: readonly string[], phase: string): boolean {
  return phase === DONE || chain[chain.length - 1] === phase;
}
