/**
 * Prices (docs/spec.md, "Cost in dollars"): the table shipped with the plugin (config/pricing.json),
 * or a newer one taken with `pricing update --from FILE` (kept in the user's config directory, since
 * the plugin's own directory is replaced on every update); and a sprint's spend priced by model.
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Dollars, LONG_CONTEXT_TOKENS, type PricingTable, UNKNOWN_MODEL, addCost, noDollars } from '../domain/pricing';
import { parseIsoDate } from '../domain/time';
import type { Ledger } from '../ledger/db';
import { type CostRow, sprintCostRows } from '../ledger/records';
import type { Sprint } from '../ledger/sprints';
import { UsageError, errorMessage } from '../platform/errors';

export const SHIPPED_PRICING_FILE = 'config/pricing.json';

/** Where `pricing update` keeps the table it took: $XDG_CONFIG_HOME or ~/.config, under sprint-budget/. */
export function userPricingFile(env: NodeJS.ProcessEnv): string | null {
  const xdg = env.XDG_CONFIG_HOME?.trim();
  if (xdg) return join(xdg, 'sprint-budget', 'pricing.json');
  const home = env.HOME?.trim();
  return home ? join(home, '.config', 'sprint-budget', 'pricing.json') : null;
}

/** The plugin's table: beside dist/ in the bundle, under plugin/ when run from the sources. */
export function shippedPricingFile(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const root of [resolve(here, '..'), resolve(here, '../../plugin')]) {
    const candidate = join(root, SHIPPED_PRICING_FILE);
    if (statSync(candidate, { throwIfNoEntry: false })?.isFile()) return candidate;
  }
  return null;
}

/** A pricing table as JSON text → the table, or why it is not one. */
export function parsePricing(text: string, origin: string): PricingTable {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${origin} is not JSON (${errorMessage(err)})`);
  }
  const t = raw as Partial<PricingTable> | null;
  if (!t || typeof t !== 'object' || typeof t.models !== 'object' || t.models === null || typeof t.taken !== 'string') {
    throw new UsageError(`${origin} is not a sprint-budget pricing table ({source, taken, models})`);
  }
  return { source: typeof t.source === 'string' ? t.source : origin, taken: t.taken, models: t.models };
}

function readTable(path: string | null): PricingTable | null {
  if (path === null) return null;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  try {
    return parsePricing(text, path);
  } catch {
    // A damaged user table gives way to the shipped one: prices are information, never a failure.
    return null;
  }
}

export interface LoadedPricing {
  table: PricingTable;
  /** The file it came from. */
  origin: string;
}

/** The newer (by `taken`) of the shipped table and the one `pricing update` took; null when there is none. */
export function loadPricing(env: NodeJS.ProcessEnv): LoadedPricing | null {
  const shippedPath = shippedPricingFile();
  const userPath = userPricingFile(env);
  const shipped = readTable(shippedPath);
  const user = readTable(userPath);
  if (user && (!shipped || user.taken > shipped.taken)) return { table: user, origin: userPath as string };
  return shipped ? { table: shipped, origin: shippedPath as string } : null;
}

export interface PricingUpdate {
  path: string;
  taken: string;
  models: number;
  source: string;
}

/**
 * `pricing update --from FILE`: takes the Claude models (litellm_provider `anthropic`, chat) of a
 * LiteLLM model_prices_and_context_window.json, or of a table of ours, into the user's table.
 */
export function updatePricing(env: NodeJS.ProcessEnv, from: string, taken?: string): PricingUpdate {
  let text: string;
  try {
    text = readFileSync(from, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${from}: ${errorMessage(err)}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${from} is not JSON (${errorMessage(err)})`);
  }
  if (!raw || typeof raw !== 'object') throw new UsageError(`${from} is not a LiteLLM price file`);
  const entries = (typeof (raw as PricingTable).models === 'object' ? (raw as PricingTable).models : raw) as Record<string, unknown>;
  const models: Record<string, Record<string, unknown>> = {};
  for (const [name, e] of Object.entries(entries)) {
    const entry = e as Record<string, unknown> | null;
    if (!entry || typeof entry !== 'object' || entry.litellm_provider !== 'anthropic' || !name.startsWith('claude-')) continue;
    if (entry.mode !== undefined && entry.mode !== 'chat') continue;
    models[name] = entry;
  }
  if (Object.keys(models).length === 0) throw new UsageError(`${from} holds no Claude model (litellm_provider "anthropic")`);
  const date = taken ?? new Date(statSync(from).mtimeMs).toISOString().slice(0, 10);
  if (parseIsoDate(date) === null) throw new UsageError(`--taken: "${date}" is not an ISO date`);
  const path = userPricingFile(env);
  if (path === null) throw new UsageError('no HOME or XDG_CONFIG_HOME to keep the pricing table in');
  const table: PricingTable = { source: `LiteLLM model_prices_and_context_window.json (${resolve(from)})`, taken: date.slice(0, 10), models: Object.fromEntries(Object.entries(models).sort(([a], [b]) => a.localeCompare(b))) };
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(table, null, 2)}\n`);
  renameSync(tmp, path);
  return { path, taken: table.taken, models: Object.keys(models).length, source: table.source };
}

const NO_PRICES: PricingTable = { source: 'none', taken: '', models: {} };

/** One group of a sprint's spend (phase × agent type × model) with its dollars. */
export interface CostLine extends CostRow {
  dollars: Dollars;
}

/** A sprint's spend per phase, agent type and model, each group priced by its own model. */
export function sprintCostLines(l: Ledger, s: Sprint, table: PricingTable | null): CostLine[] {
  const lines = new Map<string, CostLine>();
  for (const r of sprintCostRows(l, s.id, s.phases[0] as string, LONG_CONTEXT_TOKENS)) {
    const id = JSON.stringify([r.phase, r.agentType, r.model]);
    let line = lines.get(id);
    if (!line) {
      line = { ...r, fast: false, long: false, input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cacheWrite5m: 0, cacheWrite1h: 0, totalOnly: 0, records: 0, dollars: noDollars() };
      lines.set(id, line);
    }
    // Fast-mode and long-context groups are priced apart, then shown with their model.
    addCost(line.dollars, table ?? NO_PRICES, r.model, r);
    // A total known only as such has no input/output split to price: it is "no price", never $0.
    if (r.totalOnly > 0) {
      const model = r.model ?? UNKNOWN_MODEL;
      line.dollars.unpriced[model] = (line.dollars.unpriced[model] ?? 0) + r.totalOnly;
    }
    line.totalOnly += r.totalOnly;
    line.fast ||= r.fast;
    line.long ||= r.long;
    line.input += r.input;
    line.output += r.output;
    line.cacheRead += r.cacheRead;
    line.cacheWrite += r.cacheWrite;
    line.cacheWrite5m += r.cacheWrite5m;
    line.cacheWrite1h += r.cacheWrite1h;
    line.records += r.records;
  }
  return [...lines.values()];
}
