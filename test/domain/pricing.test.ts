import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type PricedCounts,
  type PricingTable,
  addCost,
  costOf,
  dollarsJson,
  formatDollars,
  modelPrice,
  noDollars,
} from '../../src/domain/pricing';

// The table the plugin ships: the figures below are worked out by hand from its LiteLLM fields.
const TABLE = JSON.parse(readFileSync(join(import.meta.dirname, '../../plugin/config/pricing.json'), 'utf8')) as PricingTable;

const counts = (c: Partial<PricedCounts>): PricedCounts => ({
  input: 0,
  output: 0,
  cacheRead: 0,
  cacheWrite: 0,
  cacheWrite5m: 0,
  cacheWrite1h: 0,
  fast: false,
  long: false,
  ...c,
});

function cost(model: string, c: Partial<PricedCounts>) {
  const price = modelPrice(TABLE, model);
  if (!price) throw new Error(`no price for ${model}`);
  return costOf(price, counts(c));
}

describe('each price component, by hand (nano-dollars: $1 = 1e9)', () => {
  // claude-sonnet-4-5: input 3e-06, output 1.5e-05, cache read 3e-07, 5-minute write 3.75e-06, 1-hour write 6e-06 $/token.
  const mixed = { input: 1000, output: 200, cacheRead: 10_000, cacheWrite: 3000, cacheWrite5m: 1000, cacheWrite1h: 1500 };

  it('input, output, cache read, 5-minute and 1-hour cache writes; writes with no split count as 5-minute', () => {
    const r = cost('claude-sonnet-4-5', mixed);
    expect(r).toEqual({
      nano: 23_625_000,
      parts: {
        input: 1000 * 3000, // $0.003
        output: 200 * 15_000, // $0.003
        cacheRead: 10_000 * 300, // $0.003
        cacheWrite5m: (1000 + 500) * 3750, // the 500 not split by lifetime at the 5-minute rate: $0.005625
        cacheWrite1h: 1500 * 6000, // $0.009
      },
    });
    expect(dollarsJson({ nano: r.nano as number, unpriced: {} }).cost_usd).toBe(0.023625);
  });

  it('the long-context premium: a prompt over 200k tokens is priced at the _above_200k_tokens rates', () => {
    const r = cost('claude-sonnet-4-5', { ...mixed, long: true });
    // input 6e-06, output 2.25e-05, cache read 6e-07, 5-minute write 7.5e-06, 1-hour write 1.2e-05.
    expect(r.nano).toBe(1000 * 6000 + 200 * 22_500 + 10_000 * 600 + 1500 * 7500 + 1500 * 12_000);
    expect(r.nano).toBe(45_750_000);
  });

  it('a model without long-context rates keeps its base rates for a long prompt', () => {
    expect(cost('claude-opus-4-8', { input: 300_000, long: true }).nano).toBe(300_000 * 5000);
  });

  it('fast mode: every rate times the model\'s fast multiple (claude-opus-4-8: 2)', () => {
    // input 5e-06, output 2.5e-05: (1000 × 5000 + 100 × 25000) × 2.
    expect(cost('claude-opus-4-8', { input: 1000, output: 100, fast: true }).nano).toBe(15_000_000);
    expect(cost('claude-opus-4-7', { input: 1000, output: 100, fast: true }).nano).toBe(45_000_000);
  });

  it('fast mode on a model with no fast price, and 1-hour writes on a model with no 1-hour price: no price, never a partial figure', () => {
    expect(cost('claude-sonnet-4-6', { input: 10, fast: true })).toEqual({ nano: null, missing: 'no fast-mode price' });
    expect(cost('claude-4-opus-20250514', { input: 10, cacheWrite: 5, cacheWrite1h: 5 })).toEqual({ nano: null, missing: 'no 1-hour cache write price' });
    expect(cost('claude-4-opus-20250514', { input: 10, cacheWrite: 5 }).nano).toBe(10 * 15_000 + 5 * 18_750);
  });

  it('a dated model id is priced by its alias when the table has only the alias', () => {
    expect(modelPrice(TABLE, 'claude-opus-4-8-20261101')?.key).toBe('claude-opus-4-8');
    expect(modelPrice(TABLE, 'claude-opus-4-5-20251101')?.key).toBe('claude-opus-4-5-20251101');
  });
});

describe('a model without a price', () => {
  it('is "no price", listed with its billing tokens, never $0', () => {
    expect(modelPrice(TABLE, 'claude-opus-5-5')).toBeNull();
    const d = noDollars();
    addCost(d, TABLE, 'claude-opus-5-5', counts({ input: 1000, output: 40, cacheRead: 2000 }));
    expect(d).toEqual({ nano: 0, unpriced: { 'claude-opus-5-5': 1040 } });
    expect(formatDollars(d)).toBe('no price (claude-opus-5-5)');
    expect(dollarsJson(d)).toEqual({ cost_usd: null, unpriced: [{ model: 'claude-opus-5-5', billing: 1040 }] });
  });

  it('beside priced records: the priced part and the list, and a record of no known model too', () => {
    const d = noDollars();
    addCost(d, TABLE, 'claude-haiku-4-5', counts({ input: 1000, output: 1000 })); // 1000 × 1000 + 1000 × 5000
    addCost(d, TABLE, 'claude-opus-5-5', counts({ input: 5, output: 5 }));
    addCost(d, TABLE, null, counts({ input: 7, output: 0 }));
    expect(d.nano).toBe(6_000_000);
    expect(formatDollars(d)).toBe('$0.0060 + no price (claude-opus-5-5, unknown model)');
    expect(dollarsJson(d).cost_usd).toBe(0.006);
  });
});
