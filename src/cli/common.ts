/** What the sprint commands share: the --sprint option, and how a sprint's state reads. */
import type { SprintState } from '../app/state';
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
    [
      'Tokens',
      `input ${formatTokensShort(st.tokens.input)} · output ${formatTokensShort(st.tokens.output)} · cache read ${formatTokensShort(st.tokens.cache_read)} · cache write ${formatTokensShort(st.tokens.cache_write)}`,
    ],
  ];
  if (st.override_standing) pairs.push(['Override', 'standing (dispatches and the next advance pass the budget)']);
  if (st.active_session) pairs.push(['Session', st.active_session]);
  if (st.unread.length > 0) pairs.push(['Unread', unreadSummary(st.unread)]);
  if (Object.keys(st.artifacts).length > 0) {
    pairs.push(['Artifacts', Object.entries(st.artifacts).map(([k, v]) => `${k}=${v}`).join(' · ')]);
  }
  const lines = [`Sprint ${st.id} · ${st.title}`, ...formatPairs(pairs), 'History'];
  for (const e of st.events) {
    if (e.kind.startsWith('dispatch_') && e.kind !== 'dispatch_denied') continue;
    const what =
      e.kind === 'create' || e.kind === 'advance'
        ? `${e.from_phase ? `${e.from_phase} → ` : ''}${e.to_phase}`
        : e.kind === 'set_budget'
          ? `budget ${fmtBudget(e.detail?.from)} → ${fmtBudget(e.detail?.to)}`
          : (e.from_phase ?? '');
    const reason = e.reason ? ` · "${e.reason}"` : '';
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

function fmtBudget(v: unknown): string {
  return typeof v === 'number' ? formatTokensExact(v) : 'none';
}
