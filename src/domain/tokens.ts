/** The four token counts of one API response (or of a sum of them). */
export interface TokenCounts {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

/**
 * The largest count one record may carry (docs/spec.md, "Counting"): far above any response or
 * reported total, and low enough that no sum overflows or loses exactness (SQLite's 64-bit sums,
 * JavaScript's 53-bit integers) below nine million records at the bound.
 */
export const MAX_COUNT = 1_000_000_000;

/** A token count as stored: a non-negative integer no larger than MAX_COUNT. */
export function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_COUNT;
}

/**
 * Spend as the ledger sums it: the counts of API responses, and the billing tokens a tool reported
 * only as a total. A total is kept as one: never split into input and output (docs/spec.md, "Counting").
 */
export interface SpendCounts extends TokenCounts {
  totalOnly: number;
}

export const ZERO_SPEND: Readonly<SpendCounts> = Object.freeze({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0, totalOnly: 0 });

/** Billing tokens: input + output (and totals known only as such). Cache reads and writes are tracked beside them, never mixed in (docs/spec.md, "Words"). */
export function billingTokens(t: TokenCounts & { totalOnly?: number }): number {
  return t.input + t.output + (t.totalOnly ?? 0);
}

/**
 * Raises each of `into`'s counts to `from`'s where that is larger (the same response read again, or
 * a later line of it: early lines carry placeholder outputs). Returns whether any count grew.
 */
export function raiseTokens(into: TokenCounts, from: TokenCounts): boolean {
  if (from.input <= into.input && from.output <= into.output && from.cacheRead <= into.cacheRead && from.cacheWrite <= into.cacheWrite) return false;
  into.input = Math.max(into.input, from.input);
  into.output = Math.max(into.output, from.output);
  into.cacheRead = Math.max(into.cacheRead, from.cacheRead);
  into.cacheWrite = Math.max(into.cacheWrite, from.cacheWrite);
  return true;
}

export function addSpend(a: SpendCounts, b: SpendCounts): SpendCounts {
  return {
    input: a.input + b.input,
    output: a.output + b.output,
    cacheRead: a.cacheRead + b.cacheRead,
    cacheWrite: a.cacheWrite + b.cacheWrite,
    totalOnly: a.totalOnly + b.totalOnly,
  };
}

/** "120k", "1.2M", "950": short human figures for tables and context lines. */
export function formatTokensShort(n: number): string {
  if (n >= 1_000_000) return `${trimZero((n / 1_000_000).toFixed(n >= 10_000_000 ? 0 : 1))}M`;
  if (n >= 1_000) return `${trimZero((n / 1_000).toFixed(n >= 100_000 ? 0 : 1))}k`;
  return String(n);
}

function trimZero(s: string): string {
  return s.endsWith('.0') ? s.slice(0, -2) : s;
}

/** 1234567 → "1,234,567" (stable, locale-independent). */
export function formatTokensExact(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
