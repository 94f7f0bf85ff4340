/** What a hook says back to Claude Code (documented hook output), and the lines it puts in it. */
import type { SprintSpend } from '../app/spend';
import { percentUsed } from '../domain/budget';
import { plainText } from '../domain/text';
import { formatTokensShort } from '../domain/tokens';
import type { Sprint } from '../ledger/sprints';
import type { UnreadNote } from '../ledger/unread';

export interface HookAnswer {
  /** One line shown to the user. */
  systemMessage?: string;
  /** false: Claude Code stops the main loop after this tool call (documented hook output). */
  continue?: boolean;
  /** Why the loop stopped, shown to the user. */
  stopReason?: string;
  hookSpecificOutput?: {
    hookEventName: string;
    permissionDecision?: 'deny' | 'ask';
    permissionDecisionReason?: string;
    /** Text added to the model's context. */
    additionalContext?: string;
  };
}

export function contextAnswer(event: string, text: string, systemMessage?: string | null): HookAnswer {
  return { ...(systemMessage ? { systemMessage } : {}), hookSpecificOutput: { hookEventName: event, additionalContext: text } };
}

export function noticeAnswer(line: string | null | undefined): HookAnswer | null {
  return line ? { systemMessage: line } : null;
}

/** `sprint sb-x "Add CSV export" · phase planned · 120k / 250k billing tokens (48%)`, the state added past the warning mark. */
export function sprintContextLine(s: Sprint, spend: SprintSpend): string {
  const head = `sprint ${s.id} "${plainText(s.title)}" · phase ${s.phase}`;
  if (s.tokenBudget === null) return `${head} · ${formatTokensShort(spend.billing)} billing tokens (no budget)`;
  const figures = `${formatTokensShort(spend.billing)} / ${formatTokensShort(s.tokenBudget)} billing tokens (${percentUsed(spend.billing, s.tokenBudget)}%)`;
  const state = spend.state === 'exceeded' ? ' · budget exceeded' : spend.state === 'warning' ? ' · past the warning mark' : '';
  return `${head} · ${figures}${state}`;
}

/** Joins the lines that are there into one (a systemMessage is one line). */
export function oneLine(...parts: (string | null | undefined)[]): string | null {
  const kept = parts.filter((p): p is string => Boolean(p));
  return kept.length > 0 ? kept.join(' · ') : null;
}

/** What could not be read, told once: the first three, each with its path and why. */
export function unreadNotice(notes: readonly UnreadNote[]): string | null {
  if (notes.length === 0) return null;
  const told = notes
    .slice(0, 3)
    .map((n) => (n.line === null ? `cannot read ${n.path} (${n.reason}): not counted until it can be read` : `passed over line ${n.line} of ${n.path} (${n.reason})`));
  const more = notes.length > 3 ? `; and ${notes.length - 3} more (sprint-budget state)` : '';
  return `sprint-budget: ${told.join('; ')}${more}`;
}
