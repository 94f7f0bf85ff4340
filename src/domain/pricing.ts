/**
 * What spend costs in dollars (docs/spec.md, "Cost in dollars"). Pure: a pricing table in LiteLLM's
 * fields (model_prices_and_context_window.json) and a group of records of one model in, dollars out.
 * Budgets stay in billing tokens; dollars are information.
 *
 * Figures are kept in nano-dollars: every published per-token price is a whole number of them, so
 * sums are exact integers and a hand-computed figure matches to the last digit.
 */
import type { TokenCounts } from './tokens';

/** A pricing table: LiteLLM's entries for Claude models, where it came from and when it was taken. */
export interface PricingTable {
  source: string;
  /** ISO date the table was taken. */
  taken: string;
  /** Model id → LiteLLM's entry (input_cost_per_token, cache_creation_input_token_cost_above_1hr, ...). */
  models: Record<string, Record<string, unknown>>;
}

/** Per-token prices in nano-dollars; null where the table gives none. */
export interface Rates {
  input: number | null;
  output: number | null;
  cacheRead: number | null;
  /** 5-minute cache writes (the API's default lifetime). */
  cacheWrite5m: number | null;
  cacheWrite1h: number | null;
}

export interface ModelPrice {
  /** The table's key the model was priced by. */
  key: string;
  base: Rates;
  /** Rates for a response whose prompt is longer than LONG_CONTEXT_TOKENS, where the model has them. */
  long: Rates | null;
  /** Fast mode's multiple of every rate (LiteLLM: provider_specific_entry.fast), or null. */
  fast: number | null;
}

/** The long-context premium applies past this many prompt tokens (LiteLLM's `_above_200k_tokens`). */
export const LONG_CONTEXT_TOKENS = 200_000;

const NANO_PER_USD = 1_000_000_000;

function nano(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.round(v * NANO_PER_USD) : null;
}

function rates(e: Record<string, unknown>, suffix: string): Rates {
  return {
    input: nano(e[`input_cost_per_token${suffix}`]),
    output: nano(e[`output_cost_per_token${suffix}`]),
    cacheRead: nano(e[`cache_read_input_token_cost${suffix}`]),
    cacheWrite5m: nano(e[`cache_creation_input_token_cost${suffix}`]),
    cacheWrite1h: nano(e[`cache_creation_input_token_cost_above_1hr${suffix}`]),
  };
}

/** A model id with a date suffix (`claude-opus-4-5-20251101`) falls back to its alias's entry. */
const DATE_SUFFIX = /-\d{8}$/;

/** The price of `model`, or null when the table has none (the model is then shown as "no price"). */
export function modelPrice(table: PricingTable, model: string | null): ModelPrice | null {
  if (model === null) return null;
  const key = Object.hasOwn(table.models, model) ? model : model.replace(DATE_SUFFIX, '');
  const e = Object.hasOwn(table.models, key) ? table.models[key] : undefined;
  if (!e) return null;
  const base = rates(e, '');
  if (base.input === null || base.output === null) return null;
  const long = rates(e, '_above_200k_tokens');
  const hasLong = Object.values(long).some((r) => r !== null);
  const fast = (e.provider_specific_entry as Record<string, unknown> | undefined)?.fast;
  return { key, base, long: hasLong ? long : null, fast: typeof fast === 'number' && fast > 0 ? fast : null };
}

/** What a usage says beside its four counts that changes its price. */
export interface PriceSplit {
  /** Cache writes by lifetime (`usage.cache_creation`); both 0 where the usage does not split them. */
  cacheWrite5m: number;
  cacheWrite1h: number;
  /** `usage.speed` is "fast": fast mode, priced at a multiple. */
  fast: boolean;
}

/** Records of one model, summed, as they are priced; cache writes not split by lifetime are priced as 5-minute writes. */
export interface PricedCounts extends TokenCounts, PriceSplit {
  /** Responses whose prompts were longer than LONG_CONTEXT_TOKENS. */
  long: boolean;
}

export interface CostParts {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
}

export type Priced = { nano: number; parts: CostParts } | { nano: null; missing: string };

/**
 * The cost of `c` at `price`, in nano-dollars: each component at its rate (the long-context rate
 * where the prompts were long and the model has one, else the base rate), times the fast multiple in
 * fast mode. A component with tokens but no rate leaves the whole group unpriced: never a partial $.
 */
export function costOf(price: ModelPrice, c: PricedCounts): Priced {
  const unsplit = Math.max(0, c.cacheWrite - c.cacheWrite5m - c.cacheWrite1h);
  const tokens: CostParts = { input: c.input, output: c.output, cacheRead: c.cacheRead, cacheWrite5m: c.cacheWrite5m + unsplit, cacheWrite1h: c.cacheWrite1h };
  let multiple = 1;
  if (c.fast) {
    if (price.fast === null) return { nano: null, missing: 'no fast-mode price' };
    multiple = price.fast;
  }
  const parts: CostParts = { input: 0, output: 0, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0 };
  for (const k of Object.keys(tokens) as (keyof CostParts)[]) {
    if (tokens[k] === 0) continue;
    const rate = (c.long ? price.long?.[k] : null) ?? price.base[k];
    if (rate === null) return { nano: null, missing: `no ${PART_NAMES[k]} price` };
    parts[k] = Math.round(tokens[k] * rate * multiple);
  }
  return { nano: parts.input + parts.output + parts.cacheRead + parts.cacheWrite5m + parts.cacheWrite1h, parts };
}

const PART_NAMES: Record<keyof CostParts, string> = {
  input: 'input',
  output: 'output',
  cacheRead: 'cache read',
  cacheWrite5m: '5-minute cache write',
  cacheWrite1h: '1-hour cache write',
};

/** Dollars of a set of records: the priced part, and what could not be priced, by model. */
export interface Dollars {
  nano: number;
  /** Model (or `unknown model`) → billing tokens of its records that have no price. */
  unpriced: Record<string, number>;
}

export const UNKNOWN_MODEL = 'unknown model';

export function noDollars(): Dollars {
  return { nano: 0, unpriced: {} };
}

/** Adds one group of records of `model` to `into`. */
export function addCost(into: Dollars, table: PricingTable, model: string | null, c: PricedCounts): void {
  const price = modelPrice(table, model);
  const priced = price ? costOf(price, c) : null;
  if (priced && priced.nano !== null) into.nano += priced.nano;
  else {
    const name = model ?? UNKNOWN_MODEL;
    into.unpriced[name] = (into.unpriced[name] ?? 0) + c.input + c.output;
  }
}

export function mergeDollars(into: Dollars, from: Dollars): void {
  into.nano += from.nano;
  for (const [m, b] of Object.entries(from.unpriced)) into.unpriced[m] = (into.unpriced[m] ?? 0) + b;
}

export function toUsd(nanoUsd: number): number {
  return Math.round(nanoUsd / 1000) / 1_000_000;
}

/**
 * `$12.34`, `$0.0123`; with records of no price `$1.20 + no price (claude-x)`, and `no price` when
 * nothing could be priced: never $0 for a model without a price.
 */
export function formatDollars(d: Dollars): string {
  const missing = Object.keys(d.unpriced);
  if (missing.length === 0) return formatUsd(d.nano);
  const list = `no price (${missing.join(', ')})`;
  return d.nano === 0 ? list : `${formatUsd(d.nano)} + ${list}`;
}

export function formatUsd(nanoUsd: number): string {
  const usd = nanoUsd / NANO_PER_USD;
  return `$${usd >= 1 || usd === 0 ? usd.toFixed(2) : usd.toFixed(4)}`;
}

/** The JSON shape of dollars beside a figure: `cost_usd` (the priced part) and what has no price. */
export interface DollarsJson {
  /** Dollars of the priced records; null when none of the figure's records has a price. */
  cost_usd: number | null;
  /** Models whose records have no price, with their billing tokens: never counted as $0. */
  unpriced: { model: string; billing: number }[];
}

export function dollarsJson(d: Dollars): DollarsJson {
  const unpriced = Object.entries(d.unpriced).map(([model, billing]) => ({ model, billing }));
  return { cost_usd: unpriced.length > 0 && d.nano === 0 ? null : toUsd(d.nano), unpriced };
}

/** A table cell: `$1.20`, `$1.20 + no price`, `no price` (the models are listed under the table). */
export function formatCostCell(j: DollarsJson): string {
  if (j.unpriced.length === 0) return formatUsd(Math.round((j.cost_usd ?? 0) * NANO_PER_USD));
  return j.cost_usd === null ? 'no price' : `${formatUsd(Math.round(j.cost_usd * NANO_PER_USD))} + no price`;
}
