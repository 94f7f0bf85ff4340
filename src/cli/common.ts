/** What the sprint commands share: the --sprint option, and how a sprint's state reads. */
import type { SprintState } from '../app/state';
import { type Forecast, budgetForecastLine } from '../domain/forecast';
import { type DollarsJson, formatCostCell } from '../domain/pricing';
import { plainText } from '../domain/text';
import { formatTokensExact, formatTokensShort } from '../domain/tokens';
import type { OptionSpec } from './framework';
import { formatPairs } from './output';

export const SPRINT_OPTION = {
  sprint: { type: 'string', value: 'ID', description: "sprint id (default: this session's sprint, else the newest active one)" },
} as const satisfies Record<string, OptionSpec>;

export const ID_POSITIONAL = { name: 'id', description: "sprint id (default: this session's sprint, else the newest active one)" };

export function budgetSummary(st: Pick<SprintState, 'tokens_spent' | 'token_budget'>): string {
  if (st.token_budget === null) return `${formatTokensExact(st.tokens_spent)} billing tokens (no budget)`;
  const pct = Math.floor((st.tokens_spent * 100) / st.token_budget);
  return `${formatTokensExact(st.tokens_spent)} / ${formatTokensExact(st.token_budget)} billing tokens (${pct}%)`;
}

export function stateLines(st: SprintState): string[] {
  const idx = st.phases.indexOf(st.phase) + 1;
  const pairs: [string, string][] = [
    ['Phase', `${st.phase} (${idx}/${st.phases.length})${st.status === 'active' ? '' : ` · ${st.status}`}`],
    ['Complexity', `${st.complexity}/5 (${st.complexity_label}${st.complexity_source === 'explicit' ? ', set' : ''})`],
    ['Budget', `${budgetSummary(st)} · ${st.budget_state}${st.token_budget === null ? '' : ` · warn at ${st.warn_pct}%`}`],
    ['Remaining', st.tokens_remaining === null ? 'none (no budget)' : formatTokensExact(st.tokens_remaining)],
    ['Dollars', `${formatCostCell(st.cost)}${st.cost.unpriced.length > 0 ? ` (${st.cost.unpriced.map((u) => u.model).join(', ')})` : ''} · information; the budget is in billing tokens`],
    ['Forecast', forecastText(st.forecast)],
    [
      'Tokens',
      `input ${formatTokensShort(st.tokens.input)} · output ${formatTokensShort(st.tokens.output)} · cache read ${formatTokensShort(st.tokens.cache_read)} · cache write ${formatTokensShort(st.tokens.cache_write)}`,
    ],
  ];
  if (st.tokens.total_only > 0) pairs.push(['Totals', `${formatTokensExact(st.tokens.total_only)} billing tokens recorded as totals (no input/output split)`]);
  if (st.tokens_reserved > 0) pairs.push(['Reserved', `${formatTokensExact(st.tokens_reserved)} by running subagents`]);
  for (const stage of st.stages ?? []) {
    pairs.push([`Stage ${stage.stage}`, `${formatTokensShort(stage.spent)} / ${formatTokensShort(stage.budget as number)}${stage.depleted ? ' · depleted' : ''} (${stage.phases.join(', ')})`]);
  }
  if (st.override_standing) pairs.push(['Override', 'standing (dispatches and the next advance pass the budget)']);
  pairs.push(['Sessions', sessionsLine(st)]);
  if (st.unread.length > 0) pairs.push(['Unread', unreadSummary(st.unread)]);
  if (Object.keys(st.artifacts).length > 0) {
    pairs.push(['Artifacts', Object.entries(st.artifacts).map(([k, v]) => `${k}=${plainText(v)}`).join(' · ')]);
  }
  const lines = [`Sprint ${st.id} · ${plainText(st.title)}`, ...formatPairs(pairs), 'History'];
  for (const e of st.events) {
    if (e.kind.startsWith('dispatch_') && e.kind !== 'dispatch_denied') continue;
    const what =
      e.kind === 'create' || e.kind === 'advance'
        ? `${e.from_phase ? `${e.from_phase} → ` : ''}${e.to_phase}`
        : e.kind === 'set_budget'
          ? `budget ${fmtBudget(e.detail?.from)} → ${fmtBudget(e.detail?.to)}`
          : (e.from_phase ?? '');
    const reason = e.reason ? ` · "${plainText(e.reason)}"` : '';
    lines.push(`  ${e.at.replace('T', ' ').slice(0, 19)}  ${e.kind.padEnd(15)} ${what}${reason}`);
  }
  return lines;
}

/** What could not be read, in one line: how many files and lines, the first of each (the rest: state --json). */
function unreadSummary(unread: SprintState['unread']): string {
  const part = (notes: SprintState['unread'], what: string) => {
    const [first] = notes;
    if (!first) return [];
    const where = first.line === null ? first.path : `${first.path}:${first.line}`;
    const more = notes.length > 1 ? `, and ${notes.length - 1} more (state --json)` : '';
    return [`${notes.length} ${what}${notes.length > 1 ? 's' : ''} could not be read: ${where} (${first.reason})${more}`];
  };
  return [...part(unread.filter((u) => u.line === null), 'transcript'), ...part(unread.filter((u) => u.line !== null), 'line')].join(' · ');
}

/** Which sessions count toward the sprint now, and where the caller's own session counts. */
function sessionsLine(st: SprintState): string {
  const mine = st.this_session;
  const attached = st.active_sessions.map((id) => (id === mine?.session_id ? `${id} (this session)` : id));
  const line = attached.length > 0 ? `${attached.join(', ')} attached` : st.status === 'active' ? 'none attached' : `none (the sprint is ${st.status}: it counts nothing more)`;
  if (!mine || mine.sprint === st.id) return line;
  const where = mine.sprint ? `counts toward ${mine.sprint}` : 'counts toward no sprint';
  return `${line} · this session ${where}${st.status === 'active' ? ` (sprint-budget resume ${st.id} moves it here)` : ''}`;
}

function fmtBudget(v: unknown): string {
  return typeof v === 'number' ? formatTokensExact(v) : 'none';
}

/** Under a table with dollars: the models that have no price, and how to refresh the prices. */
export function unpricedLines(unpriced: DollarsJson['unpriced'], pricing: { taken: string } | null): string[] {
  if (unpriced.length === 0) return [];
  const list = unpriced.map((u) => `${u.model} (${formatTokensExact(u.billing)} billing tokens)`).join(', ');
  const table = pricing ? `prices taken ${pricing.taken}` : 'no pricing table found';
  return [`No price: ${list} · ${table}; refresh: sprint-budget pricing update --from FILE`];
}

/** `projected 305,000 billing tokens (p90 340,000) · a projection from default estimates`. */
export function forecastText(fc: Forecast): string {
  const over = fc.over_budget ? ` · over the budget of ${formatTokensExact(fc.budget as number)}` : '';
  return `projected ${formatTokensExact(fc.projected_p50)} billing tokens (p90 ${formatTokensExact(fc.projected_p90)})${over} · a projection from ${fc.basis}`;
}

/** What create, advance and state say on stderr about the forecast: the projection, and `budget_forecast|...` when it is over budget. */
export function forecastStderr(phase: string, fc: Forecast, opts: { projection: boolean }): string[] {
  const lines = opts.projection ? [`Forecast: ${forecastText(fc)}`] : [];
  if (fc.over_budget) lines.push(budgetForecastLine(phase, fc));
  return lines;
}
