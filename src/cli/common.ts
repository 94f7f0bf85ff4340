/** Pieces every sprint command shares: opening the ledger, picking the sprint, printing its state. */
import { resolveSprint } from '../app/resolve';
import { openProjectLedger } from '../app/open';
import { type SprintState } from '../app/state';
import { formatTokensExact, formatTokensShort } from '../domain/tokens';
import { claudeSessionId } from '../lib/env';
import type { Ledger } from '../ledger/db';
import type { Sprint } from '../ledger/sprints';
import type { CommandContext, OptionSpec } from './framework';
import { formatPairs } from './output';
import { optString } from './validate';

export const SPRINT_OPTION: Record<string, OptionSpec> = {
  sprint: { type: 'string', value: 'ID', description: "sprint id (default: this session's sprint, else the newest active one)" },
};

export function withLedger<T>(ctx: CommandContext, opts: { create?: boolean }, fn: (l: Ledger) => T): T {
  const l = openProjectLedger({ cwd: ctx.cwd, db: optString(ctx.values, 'db'), env: ctx.env, create: opts.create });
  let result: T;
  try {
    result = fn(l);
  } catch (err) {
    l.close();
    throw err;
  }
  if (result instanceof Promise) return result.finally(() => l.close()) as T;
  l.close();
  return result;
}

/** The sprint named by the positional id or --sprint, else the active one. */
export function pickSprint(l: Ledger, ctx: CommandContext, positional?: string): Sprint {
  return resolveSprint(l, positional ?? optString(ctx.values, 'sprint'), claudeSessionId(ctx.env));
}

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

function fmtBudget(v: unknown): string {
  return typeof v === 'number' ? formatTokensExact(v) : 'none';
}
