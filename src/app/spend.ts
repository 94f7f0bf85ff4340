/** A sprint's measured spend, as sums over the ledger's usage records. */
import { type BudgetState, budgetState, tokensRemaining } from '../domain/budget';
import { type TokenCounts, ZERO_TOKENS, addTokens, billingTokens } from '../domain/tokens';
import type { Ledger } from '../ledger/db';
import type { Sprint, SprintEvent } from '../ledger/sprints';
import { type SpendRow, sprintSpendRows } from '../ledger/usage';

export interface SprintSpend {
  total: TokenCounts;
  /** Billing tokens: input + output. */
  billing: number;
  remaining: number | null;
  state: BudgetState;
  rows: SpendRow[];
}

export function sprintSpend(l: Ledger, s: Sprint): SprintSpend {
  const rows = sprintSpendRows(l, s.id, s.phases[0] as string);
  const total = rows.reduce<TokenCounts>((acc, r) => addTokens(acc, r), { ...ZERO_TOKENS });
  const billing = billingTokens(total);
  return {
    total,
    billing,
    remaining: tokensRemaining(billing, s.tokenBudget),
    state: budgetState(billing, s.tokenBudget, s.warnPct),
    rows,
  };
}

/**
 * Whether an override stands: one was recorded after the last advance (it lets the next advance
 * pass), or the advance that entered the current phase used it (it covers the phase it let in).
 */
export function overrideStands(events: readonly SprintEvent[]): boolean {
  let standing = false;
  for (const e of events) {
    if (e.kind === 'override') standing = true;
    else if (e.kind === 'advance') standing = e.detail?.override_used === true;
    else if (e.kind === 'set_budget') standing = false;
  }
  return standing;
}

/** An override recorded since the last advance, waiting to let the next one pass. */
export function overridePending(events: readonly SprintEvent[]): boolean {
  let pending = false;
  for (const e of events) {
    if (e.kind === 'override') pending = true;
    else if (e.kind === 'advance' || e.kind === 'set_budget') pending = false;
  }
  return pending;
}
