/** A sprint's state (docs/spec.md, "Sprint state"): the record `state` prints and every surface reads. */
import type { BudgetState } from '../domain/budget';
import { COMPLEXITY_LABELS, type Complexity } from '../domain/complexity';
import { overrideStands } from '../domain/overrides';
import { isoTime } from '../domain/time';
import type { Ledger } from '../ledger/db';
import { sprintAttachments } from '../ledger/sessions';
import { type Sprint, type SprintEvent, type SprintStatus, listArtifacts, listEvents, listSprints } from '../ledger/sprints';
import { type Caller, callerSession, inProject } from './project';
import { resolveSprint } from './resolve';
import { type CurrentSpend, currentSpend } from './spend';

export interface HistoryEntry {
  kind: string;
  at: string;
  from_phase: string | null;
  to_phase: string | null;
  actor: string;
  reason: string | null;
  detail: Record<string, unknown> | null;
}

export interface SprintState {
  id: string;
  title: string;
  project: string;
  status: string;
  phase: string;
  phases: string[];
  complexity: number;
  complexity_label: string;
  complexity_source: string;
  auto_advance: boolean;
  token_budget: number | null;
  warn_pct: number;
  tokens_spent: number;
  tokens_remaining: number | null;
  budget_state: BudgetState;
  override_standing: boolean;
  tokens: { input: number; output: number; cache_read: number; cache_write: number };
  gates: Record<string, string[]>;
  artifacts: Record<string, string>;
  /** `<phase>_at` → when the sprint entered that phase. */
  history: Record<string, string>;
  /** Every move, override, budget change and dispatch decision, oldest first. */
  events: HistoryEntry[];
  active_session: string | null;
  sessions: { session_id: string; attached_at: string; detached_at: string | null; via: string }[];
  /** What of the sprint's transcripts could not be read (a file, or one line: `line`), and since when. */
  unread: { path: string; line: number | null; reason: string; since: string }[];
  created_at: string;
  updated_at: string;
}

export function phaseHistory(events: readonly SprintEvent[]): Record<string, string> {
  const history: Record<string, string> = {};
  for (const e of events) {
    if ((e.kind === 'create' || e.kind === 'advance') && e.toPhase) history[`${e.toPhase}_at`] = isoTime(e.at);
  }
  return history;
}

/** The state of `s` with its spend as given. */
export function sprintState(l: Ledger, s: Sprint, spend: CurrentSpend): SprintState {
  const events = listEvents(l, s.id);
  const attachments = sprintAttachments(l, s.id);
  const open = attachments.filter((a) => a.detachedAt === null);
  return {
    id: s.id,
    title: s.title,
    project: s.project,
    status: s.status,
    phase: s.phase,
    phases: s.phases,
    complexity: s.complexity,
    complexity_label: COMPLEXITY_LABELS[s.complexity as Complexity],
    complexity_source: s.complexitySource,
    auto_advance: s.autoAdvance,
    token_budget: s.tokenBudget,
    warn_pct: s.warnPct,
    tokens_spent: spend.billing,
    tokens_remaining: spend.remaining,
    budget_state: spend.state,
    override_standing: overrideStands(events),
    tokens: {
      input: spend.total.input,
      output: spend.total.output,
      cache_read: spend.total.cacheRead,
      cache_write: spend.total.cacheWrite,
    },
    gates: s.gates,
    artifacts: listArtifacts(l, s.id),
    history: phaseHistory(events),
    events: events.map((e) => ({
      kind: e.kind,
      at: isoTime(e.at),
      from_phase: e.fromPhase,
      to_phase: e.toPhase,
      actor: e.actor,
      reason: e.reason,
      detail: e.detail,
    })),
    active_session: open.length > 0 ? (open[open.length - 1] as (typeof open)[number]).sessionId : null,
    sessions: attachments.map((a) => ({
      session_id: a.sessionId,
      attached_at: isoTime(a.attachedAt),
      detached_at: a.detachedAt === null ? null : isoTime(a.detachedAt),
      via: a.via,
    })),
    unread: spend.unread.map((u) => ({ path: u.path, line: u.line, reason: u.reason, since: isoTime(u.since) })),
    created_at: isoTime(s.createdAt),
    updated_at: isoTime(s.updatedAt),
  };
}

/** `sprint-budget state`: the sprint's state, its spend brought up to date. */
export function readState(caller: Caller, id?: string): SprintState {
  return inProject(caller, {}, (l) => {
    const s = resolveSprint(l, id, callerSession(caller));
    return sprintState(l, s, currentSpend(l, s, caller.env));
  });
}

export interface Remaining {
  sprint: string;
  budget: number | null;
  spent: number;
  /** Billing tokens left: 0 when used up, null without a budget (never one value for both). */
  remaining: number | null;
  budget_state: BudgetState;
}

/** `sprint-budget remaining`: what the sprint has left, up to date. */
export function readRemaining(caller: Caller, id?: string): Remaining {
  return inProject(caller, {}, (l) => {
    const s = resolveSprint(l, id, callerSession(caller));
    const spend = currentSpend(l, s, caller.env);
    return { sprint: s.id, budget: s.tokenBudget, spent: spend.billing, remaining: spend.remaining, budget_state: spend.state };
  });
}

export interface SprintSummary {
  sprint: Sprint;
  spend: CurrentSpend;
}

/** `sprint-budget list`: the project's sprints, newest first, each with its spend up to date. */
export function listSprintSummaries(caller: Caller, status?: SprintStatus): SprintSummary[] {
  return inProject(caller, {}, (l) => listSprints(l, status).map((sprint) => ({ sprint, spend: currentSpend(l, sprint, caller.env) })));
}
