/** A sprint's state (docs/spec.md, "Sprint state"): the record `state` prints and every surface reads. */
import type { BudgetState } from '../domain/budget';
import { COMPLEXITY_LABELS, type Complexity } from '../domain/complexity';
import type { Forecast } from '../domain/forecast';
import { type DollarsJson, dollarsJson, mergeDollars, noDollars } from '../domain/pricing';
import { overrideStands } from '../domain/overrides';
import { isoTime } from '../domain/time';
import type { Ledger } from '../ledger/db';
import { claudeSessionId } from '../platform/env';
import { openAttachment, sprintAttachments } from '../ledger/sessions';
import { type Sprint, type SprintEvent, type SprintStatus, listArtifacts, listEvents, listSprints } from '../ledger/sprints';
import { sprintForecast } from './forecast';
import { loadPricing, sprintCostLines } from './pricing';
import { controlsToJson } from '../domain/controls';
import type { StageSpend } from '../domain/stages';
import { projectControls, sprintControls } from './config';
import { type Caller, callerSession, inProject } from './project';
import { resolveSprint } from './resolve';
import { type CurrentSpend, currentSpend } from './spend';
import { sprintStages } from './stages';

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
  /** Billing tokens reserved by dispatched subagents not settled yet (docs/spec.md, "Reservations"). */
  tokens_reserved: number;
  budget_state: BudgetState;
  override_standing: boolean;
  /** Each stage's budget and spend, when the sprint has stage budgets (docs/spec.md, "Stage budgets"). */
  stages: StageSpend[] | null;
  /** The spend controls in force: the sprint's own settings over the project's, over the defaults. */
  controls: Record<string, unknown>;
  gates: Record<string, string[]>;
  artifacts: Record<string, string>;
  /** `<phase>_at` → when the sprint entered that phase. */
  history: Record<string, string>;
  /** Every move, override, budget change and dispatch decision, oldest first. */
  events: HistoryEntry[];
  /** The session attached most recently, of those attached now. */
  active_session: string | null;
  /** Every session attached now: what they spend counts toward this sprint. */
  active_sessions: string[];
  /** The Claude Code session the caller runs in, and the sprint it counts toward (null: none); null outside Claude Code. */
  this_session: { session_id: string; sprint: string | null } | null;
  sessions: { session_id: string; attached_at: string; detached_at: string | null; via: string }[];
  /** What of the sprint's transcripts could not be read (a file, or one line: `line`), and since when. */
  unread: { path: string; line: number | null; reason: string; since: string }[];
  tokens: { input: number; output: number; cache_read: number; cache_write: number; total_only: number };
  created_at: string;
  updated_at: string;
  /** Dollars of the spend, each record priced by its model; `unpriced`: models with no price (never $0). */
  cost: DollarsJson & { pricing_taken: string | null };
  /** The projected total: spent plus an estimate for each phase still to run (never spend). */
  forecast: Forecast;
}

export function phaseHistory(events: readonly SprintEvent[]): Record<string, string> {
  const history: Record<string, string> = {};
  for (const e of events) {
    if ((e.kind === 'create' || e.kind === 'advance') && e.toPhase) history[`${e.toPhase}_at`] = isoTime(e.at);
  }
  return history;
}

/** The state of `s` with its spend as given; `env` finds the pricing table and the caller's Claude Code session. */
export function sprintState(l: Ledger, s: Sprint, spend: CurrentSpend, env: NodeJS.ProcessEnv): SprintState {
  const pricing = loadPricing(env);
  const dollars = noDollars();
  for (const line of sprintCostLines(l, s, pricing?.table ?? null)) mergeDollars(dollars, line.dollars);
  const session = claudeSessionId(env);
  const events = listEvents(l, s.id);
  const controls = sprintControls(s, projectControls(l.path));
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
    tokens_reserved: spend.reserved,
    budget_state: spend.state,
    override_standing: overrideStands(events),
    stages: sprintStages(s, spend, controls),
    controls: controlsToJson(controls),
    tokens: {
      input: spend.total.input,
      output: spend.total.output,
      cache_read: spend.total.cacheRead,
      cache_write: spend.total.cacheWrite,
      total_only: spend.total.totalOnly,
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
    active_sessions: open.map((a) => a.sessionId),
    this_session: session === null ? null : { session_id: session, sprint: openAttachment(l, session)?.sprintId ?? null },
    sessions: attachments.map((a) => ({
      session_id: a.sessionId,
      attached_at: isoTime(a.attachedAt),
      detached_at: a.detachedAt === null ? null : isoTime(a.detachedAt),
      via: a.via,
    })),
    unread: spend.unread.map((u) => ({ path: u.path, line: u.line, reason: u.reason, since: isoTime(u.since) })),
    created_at: isoTime(s.createdAt),
    updated_at: isoTime(s.updatedAt),
    cost: { ...dollarsJson(dollars), pricing_taken: pricing?.table.taken ?? null },
    forecast: sprintForecast(l, s, spend),
  };
}

/** `sprint-budget state`: the sprint's state, its spend brought up to date. */
export function readState(caller: Caller, id?: string): SprintState {
  return inProject(caller, {}, (l) => {
    const s = resolveSprint(l, id, callerSession(caller));
    return sprintState(l, s, currentSpend(l, s, caller.env), caller.env);
  });
}

export interface Remaining {
  sprint: string;
  budget: number | null;
  spent: number;
  /** Billing tokens reserved by running subagents. */
  reserved: number;
  /** Billing tokens left after what is spent and reserved: 0 when used up, null without a budget (never one value for both). */
  remaining: number | null;
  budget_state: BudgetState;
}

/** `sprint-budget remaining`: what the sprint has left, up to date. */
export function readRemaining(caller: Caller, id?: string): Remaining {
  return inProject(caller, {}, (l) => {
    const s = resolveSprint(l, id, callerSession(caller));
    const spend = currentSpend(l, s, caller.env);
    return { sprint: s.id, budget: s.tokenBudget, spent: spend.billing, reserved: spend.reserved, remaining: spend.remaining, budget_state: spend.state };
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
