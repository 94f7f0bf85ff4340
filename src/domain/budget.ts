/** Budgets and budget states (docs/spec.md, "Budgets"). Pure. */
import { isComplexity } from './complexity';

export const DEFAULT_WARN_PCT = 80;

export const DEFAULT_BUDGETS: Readonly<Record<1 | 2 | 3 | 4 | 5, number>> = Object.freeze({
  1: 50_000,
  2: 100_000,
  3: 250_000,
  4: 500_000,
  5: 1_000_000,
});

/** Default budget for a tier; an unknown or missing tier is 3, never the largest budget. */
export function defaultBudget(complexity: unknown): number {
  return DEFAULT_BUDGETS[isComplexity(complexity) ? complexity : 3];
}

export type BudgetState = 'none' | 'ok' | 'warning' | 'exceeded';

/** Level-triggered: "exceeded" on every read while spent ≥ budget. */
export function budgetState(spent: number, budget: number | null, warnPct: number): BudgetState {
  if (budget === null) return 'none';
  if (spent >= budget) return 'exceeded';
  if (spent * 100 >= budget * warnPct) return 'warning';
  return 'ok';
}

/** max(0, budget − spent), or null when there is no budget: "no budget" and "nothing left" never share a value. */
export function tokensRemaining(spent: number, budget: number | null): number | null {
  return budget === null ? null : Math.max(0, budget - spent);
}

export function percentUsed(spent: number, budget: number): number {
  return Math.floor((spent * 100) / budget);
}

export class AmountError extends Error {}

/** Parses a token amount: "250000", "250,000", "250k", "1.5M". Positive integers only. */
export function parseTokenAmount(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?|\d{1,3}(?:,\d{3})+)\s*([kKmM]?)\s*$/.exec(text);
  if (!m) throw new AmountError(`"${text}" is not a token amount (examples: 250000, 250k, 1.5M)`);
  const base = Number((m[1] as string).replace(/,/g, ''));
  const mult = m[2] === '' ? 1 : /k/i.test(m[2] as string) ? 1_000 : 1_000_000;
  const value = base * mult;
  if (!Number.isSafeInteger(value)) throw new AmountError(`"${text}" is not a whole number of tokens`);
  if (value <= 0) throw new AmountError(`a budget must be positive, got "${text}" (use "none" for no budget)`);
  return value;
}
