/** The forecast's defaults (docs/spec.md, "Forecast"): a sprint on its tier's default budget is not projected over it. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BUDGETS } from '../../src/domain/budget';
import { defaultPhaseEstimates, forecast } from '../../src/domain/forecast';

const STANDARD = ['brainstorm', 'brainstorm-reviewed', 'strategized', 'planned', 'plan-reviewed', 'executing', 'shipping', 'reflect', 'done'];

describe('default phase estimates', () => {
  it("share the tier's default budget by the phases' default weights, rounded down to 1,000", () => {
    // Tier 3 (250k) over the standard chain, whose default weights sum to 420k: executing 250k × 150/420.
    const d = defaultPhaseEstimates(STANDARD, DEFAULT_BUDGETS[3]);
    expect(d.executing).toBe(89_000);
    expect(d.brainstorm).toBe(17_000);
    expect(Object.values(d).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(250_000);
  });

  it('never project a sprint on its default budget over it, whatever its chain (property)', () => {
    const phase = fc.oneof(fc.constantFrom(...STANDARD), fc.stringMatching(/^[a-z]{1,8}$/));
    fc.assert(
      fc.property(fc.uniqueArray(phase, { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 10_000_000 }), (chain, tierBudget) => {
        const f = forecast({ phases: [...chain, 'done'], phase: chain[0] as string, active: true, complexity: 3, budget: tierBudget, spent: 0, measured: {}, history: {}, tierBudget });
        expect(f.projected_p50).toBeLessThanOrEqual(tierBudget);
        expect(f.over_budget).toBe(false);
      }),
    );
  });
});
