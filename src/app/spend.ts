/**
 * A sprint's spend. Every decision (an advance, a dispatch, what remains for triage) and every figure
 * shown goes through `currentSpend`: the sprint's sessions' transcripts are read up to date first,
 * then the spend is summed over the ledger's records (docs/spec.md, "Counting").
 */
import { dirname } from 'node:path';
import { type BudgetState, budgetState } from '../domain/budget';
import { remainingAfter } from '../domain/reservations';
import { type SpendCounts, ZERO_SPEND, addSpend, billingTokens } from '../domain/tokens';
import type { Ledger } from '../ledger/db';
import { type SpendRow, sprintSpendRows } from '../ledger/records';
import { reservedTokens } from '../ledger/reservations';
import { sprintAttachments } from '../ledger/sessions';
import type { Sprint } from '../ledger/sprints';
import { type StoredUnreadNote, unreadOf } from '../ledger/unread';
import {
  type TranscriptRef,
  claudeConfigDir,
  findSessionTranscript,
  flatSubagents,
  orphanSubagents,
  projectTranscriptDir,
  sessionTranscripts,
} from '../transcripts/paths';
import { ingestTranscripts } from './ingest';

export interface SprintSpend {
  total: SpendCounts;
  /** Billing tokens: input + output, and totals recorded as such. */
  billing: number;
  /** Billing tokens reserved by dispatched subagents whose usage is not recorded yet (docs/spec.md, "Reservations"). */
  reserved: number;
  /** max(0, budget − spent − reserved), or null without a budget. */
  remaining: number | null;
  state: BudgetState;
  rows: SpendRow[];
}

/** The sprint's spend as the ledger holds it now (no transcript is read). */
export function recordedSpend(l: Ledger, s: Sprint): SprintSpend {
  const rows = sprintSpendRows(l, s.id, s.phases[0] as string);
  const total = rows.reduce<SpendCounts>((acc, r) => addSpend(acc, r), { ...ZERO_SPEND });
  const billing = billingTokens(total);
  const reserved = reservedTokens(l, s.id);
  return {
    total,
    billing,
    reserved,
    remaining: remainingAfter(billing, reserved, s.tokenBudget),
    state: budgetState(billing, s.tokenBudget, s.warnPct),
    rows,
  };
}

/**
 * The transcripts of every session attached to the sprint (ever: a closed window may have unread
 * lines): each one's main transcript and subagents, its subagents alone when the main one is gone,
 * and the flat subagent files of older versions written since the sprint's sessions were attached.
 */
export function sprintTranscripts(l: Ledger, s: Sprint, env: NodeJS.ProcessEnv): TranscriptRef[] {
  const configDir = claudeConfigDir(env);
  const refs: TranscriptRef[] = [];
  const done = new Set<string>();
  /** Project transcript directory → the earliest attachment of a session kept there. */
  const dirs = new Map<string, number>();
  for (const a of sprintAttachments(l, s.id)) {
    if (done.has(a.sessionId)) continue;
    done.add(a.sessionId);
    const main = a.transcriptPath ?? findSessionTranscript(configDir, a.sessionId, s.project);
    if (main) refs.push(...sessionTranscripts(a.sessionId, main));
    else refs.push(...orphanSubagents(configDir, a.sessionId, s.project));
    const dir = main ? dirname(main) : projectTranscriptDir(configDir, s.project);
    dirs.set(dir, Math.min(dirs.get(dir) ?? a.attachedAt, a.attachedAt));
  }
  for (const [dir, since] of dirs) refs.push(...flatSubagents(dir, since));
  return refs;
}

export interface CurrentSpend extends SprintSpend {
  /** What of the sprint's transcripts could not be read: its spend is not counted. */
  unread: StoredUnreadNote[];
}

/** The sprint's spend brought up to date: its sessions' new transcript lines read first. */
export function currentSpend(l: Ledger, s: Sprint, env: NodeJS.ProcessEnv): CurrentSpend {
  const refs = sprintTranscripts(l, s, env);
  ingestTranscripts(l, refs);
  return { ...recordedSpend(l, s), unread: unreadOf(l, new Set(refs.map((r) => r.path))) };
}
