/**
 * The status line Claude Code shows under the prompt (docs/spec.md, "Status line"). Pure: a sprint's
 * figures in, one line out, coloured by budget state or plain.
 */
import { type BudgetState, percentUsed } from './budget';
import { type Dollars, formatUsd } from './pricing';
import { formatTokensShort } from './tokens';

export interface StatusFigures {
  sprint: string;
  phase: string;
  /** 1-based position of the phase in its chain, and the chain's length. */
  phaseIndex: number;
  phases: number;
  spent: number;
  budget: number | null;
  state: BudgetState;
  /** Null without a pricing table; a figure with no price at all shows no dollars. */
  dollars: Dollars | null;
}

export const BAR_CELLS = 10;

const COLORS: Record<BudgetState, string> = { ok: '\x1b[32m', warning: '\x1b[33m', exceeded: '\x1b[31m', none: '\x1b[2m' };
const RESET = '\x1b[0m';

/** `███████░░░`: the share of the budget spent, in BAR_CELLS cells (full past the budget). */
export function bar(spent: number, budget: number): string {
  const filled = Math.min(BAR_CELLS, Math.floor((spent * BAR_CELLS) / budget));
  return '█'.repeat(filled) + '░'.repeat(BAR_CELLS - filled);
}

/**
 * The dollars the line shows: `$4.12`, `≥$4.12` when some records have no price (their part is
 * unknown, never $0), nothing when none has a price.
 */
export function statusDollars(d: Dollars | null): string | null {
  if (d === null) return null;
  const unpriced = Object.keys(d.unpriced).length > 0;
  if (unpriced && d.nano === 0) return null;
  return `${unpriced ? '≥' : ''}${formatUsd(d.nano)}`;
}

/** `sb-38hfjs · planned 4/9 · ███████░░░ 182.5k/250k billing tokens 73% · warning · $4.12` */
export function statusLine(f: StatusFigures, color: boolean): string {
  const paint = (text: string) => (color ? `${COLORS[f.state]}${text}${RESET}` : text);
  const parts = [f.sprint, `${f.phase} ${f.phaseIndex}/${f.phases}`];
  if (f.budget === null) parts.push(`${formatTokensShort(f.spent)} billing tokens`, paint('no budget'));
  else {
    parts.push(`${paint(bar(f.spent, f.budget))} ${formatTokensShort(f.spent)}/${formatTokensShort(f.budget)} billing tokens ${percentUsed(f.spent, f.budget)}%`, paint(f.state));
  }
  const usd = statusDollars(f.dollars);
  if (usd !== null) parts.push(usd);
  return parts.join(' · ');
}
