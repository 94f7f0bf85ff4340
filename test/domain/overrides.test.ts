import { describe, expect, it } from 'vitest';
import { type DecisionEvent, overridePending, overrideStands } from '../../src/domain/overrides';

const e = (kind: string, detail: Record<string, unknown> | null = null): DecisionEvent => ({ kind, detail });
const advance = (overrideUsed: boolean) => e('advance', { override_used: overrideUsed });

describe('an override', () => {
  it('stands from when it is recorded, through the advance it lets pass, until the advance after', () => {
    expect(overrideStands([e('create')])).toBe(false);
    expect(overrideStands([e('create'), e('override')])).toBe(true);
    expect(overrideStands([e('create'), e('override'), advance(true)])).toBe(true);
    expect(overrideStands([e('create'), e('override'), advance(true), advance(false)])).toBe(false);
  });

  it('is ended by a budget change, whenever it comes', () => {
    expect(overrideStands([e('override'), e('set_budget')])).toBe(false);
    expect(overrideStands([e('override'), advance(true), e('set_budget')])).toBe(false);
    expect(overridePending([e('override'), e('set_budget')])).toBe(false);
  });

  it('waits for the next advance only until that advance', () => {
    expect(overridePending([e('override')])).toBe(true);
    expect(overridePending([e('override'), advance(true)])).toBe(false);
    expect(overridePending([e('override'), advance(true), e('override')])).toBe(true);
  });

  it('is not made by other events: dispatch decisions, skipped gates and stops leave it as it was', () => {
    for (const kind of ['dispatch_denied', 'dispatch_asked', 'dispatch_approved', 'skip_gate', 'stop']) {
      expect(overrideStands([e(kind)])).toBe(false);
      expect(overrideStands([e('override'), e(kind)])).toBe(true);
      expect(overridePending([e('override'), e(kind)])).toBe(true);
    }
  });
});
