/**
 * The dispatch gate (docs/spec.md, "Dispatch gate"): may a subagent be dispatched now? In one
 * IMMEDIATE transaction, so that parallel dispatches (one assistant message with several Agent calls
 * fires their PreToolUse hooks at once) are decided one after the other:
 * 1. open reservations past their stated age expire (recorded);
 * 2. a fan-out cap reached stops the dispatch with `agent_cap|…`;
 * 3. spent + reserved at or past the budget stops it with `budget_exceeded|…`;
 * 4. otherwise it passes and reserves its estimate (with a warning for the model when the estimate is
 *    more than what remains).
 * A standing override lets 2 and 3 pass. A stop is denied under the `hard` policy, put to the user
 * under `soft`. Every stop is recorded in the sprint's history, keyed by the tool use id, so a hook
 * that fires twice records once; the user's answer to an `ask` is recorded when the dispatch runs.
 */
import { type Controls } from '../domain/controls';
import type { Estimate } from '../domain/estimates';
import { capReached } from '../domain/fan-out';
import { overrideStands } from '../domain/overrides';
import { agentCap, budgetCommitted, budgetExceeded, formatPause } from '../domain/protocol';
import type { SpendRecord } from '../domain/records';
import type { Ledger } from '../ledger/db';
import { upsertRecords } from '../ledger/records';
import { closeReservation, dispatchCounts, getReservation, reserve } from '../ledger/reservations';
import { openAttachment } from '../ledger/sessions';
import { type EventKind, type Sprint, getSprint, insertEvent, listEvents } from '../ledger/sprints';
import { awaitToolUse } from '../transcripts/tool-use';
import { dispatchEstimate } from './agent-estimate';
import { type DispatchPolicy, type ProjectConfig, projectConfig, sprintControls } from './config';
import { configNotice } from './notices';
import { expireOldReservations } from './reservations';
import { type SessionRef, sessionSprint } from './session';
import { currentSpend, recordedSpend } from './spend';

export type DispatchDecision =
  | { action: 'allow' }
  | {
      action: 'warn';
      agentType: string;
      estimate: Estimate;
      remaining: number;
      /** The budget is exceeded but a recorded override lets dispatches pass. */
      overridden: boolean;
    }
  | { action: 'deny' | 'ask'; line: string; kind: 'budget' | 'cap' };

export interface Dispatch {
  sessionId: string;
  toolUseId: string;
  agentType: string;
  /** The agent the dispatch's description names (`fd-safety: …`), for its estimate. */
  name?: string | null;
  at: number;
}

function stop(policy: DispatchPolicy, line: string, kind: 'budget' | 'cap'): DispatchDecision {
  return { action: policy === 'hard' ? 'deny' : 'ask', line, kind };
}

/** Step 2 and 3: a cap reached or the budget committed, unless an override stands; null when the dispatch may pass. */
function stopFor(l: Ledger, s: Sprint, controls: Controls, policy: DispatchPolicy): DispatchDecision | null {
  if (overrideStands(listEvents(l, s.id))) return null;
  const cap = capReached(dispatchCounts(l, s.id, s.phase), controls);
  if (cap) return stop(policy, formatPause(agentCap(s.phase, cap.n, cap.max, cap.scope)), 'cap');
  if (s.tokenBudget === null) return null;
  const spend = recordedSpend(l, s);
  if (spend.billing >= s.tokenBudget) return stop(policy, formatPause(budgetExceeded(s.phase, spend.billing, s.tokenBudget)), 'budget');
  if (spend.billing + spend.reserved >= s.tokenBudget) {
    return stop(policy, formatPause(budgetCommitted(s.phase, spend.billing, spend.reserved, s.tokenBudget)), 'budget');
  }
  return null;
}

function hasDispatchEvent(l: Ledger, sprintId: string, kind: EventKind, toolUseId: string): boolean {
  return listEvents(l, sprintId).some((e) => e.kind === kind && e.detail?.tool_use_id === toolUseId);
}

function recordOnce(l: Ledger, s: Sprint, kind: EventKind, d: Dispatch, reason: string, extra: Record<string, unknown>): void {
  if (hasDispatchEvent(l, s.id, kind, d.toolUseId)) return;
  insertEvent(l, s.id, {
    kind,
    fromPhase: s.phase,
    at: d.at,
    actor: `session:${d.sessionId}`,
    reason,
    detail: { tool_use_id: d.toolUseId, agent_type: d.agentType, ...extra },
  });
}

/** Decides, reserves and records in one transaction: what was checked is what is recorded, and parallel gates see each other's reservations. */
export function gateDispatch(l: Ledger, s: Sprint, d: Dispatch, policy: DispatchPolicy, controls: Controls): DispatchDecision {
  return l.write(() => {
    const sprint = getSprint(l, s.id) ?? s;
    expireOldReservations(l, sprint, controls.reservationMaxAgeMinutes, d.at);
    if (getReservation(l, d.toolUseId)) return { action: 'allow' }; // this hook fired twice: decided already
    const stopped = stopFor(l, sprint, controls, policy);
    if (stopped && stopped.action !== 'allow' && stopped.action !== 'warn') {
      const kind: EventKind = stopped.kind === 'cap' ? 'dispatch_capped' : stopped.action === 'deny' ? 'dispatch_denied' : 'dispatch_asked';
      recordOnce(l, sprint, kind, d, stopped.line, { policy, ...(stopped.kind === 'cap' ? { decision: stopped.action } : {}) });
      return stopped;
    }
    const estimate = dispatchEstimate(l, sprint, { agentType: d.agentType, name: d.name ?? null });
    const before = recordedSpend(l, sprint);
    reserve(l, { toolUseId: d.toolUseId, sprintId: sprint.id, sessionId: d.sessionId, phase: sprint.phase, agentType: d.agentType, tokens: estimate.tokens, at: d.at });
    if (sprint.tokenBudget === null) return { action: 'allow' };
    const overridden = before.billing + before.reserved >= sprint.tokenBudget;
    const remaining = before.remaining as number;
    if (estimate.tokens > remaining) return { action: 'warn', agentType: d.agentType, estimate, remaining, overridden };
    return { action: 'allow' };
  });
}

/**
 * The dispatch ran (its PostToolUse arrived): its reservation is settled (the usage report recorded
 * with it replaces the estimate), and if the gate had asked the user, they said yes. Looks the
 * dispatch up in the session's sprint; returns whether an approval was recorded now.
 */
export function recordDispatchRan(l: Ledger, d: Dispatch, settled: boolean = true): boolean {
  return l.write(() => {
    if (settled) closeReservation(l, d.toolUseId, 'settled', d.at, 'the subagent reported its usage');
    const att = openAttachment(l, d.sessionId);
    const s = att ? getSprint(l, att.sprintId) : null;
    if (!s || !hasDispatchEvent(l, s.id, 'dispatch_asked', d.toolUseId)) return false;
    if (hasDispatchEvent(l, s.id, 'dispatch_approved', d.toolUseId)) return false;
    recordOnce(l, s, 'dispatch_approved', d, 'the user approved the dispatch when asked', {});
    // It counts toward the fan-out caps like any dispatch that ran; its spend is measured, not reserved.
    reserve(l, { toolUseId: d.toolUseId, sprintId: s.id, sessionId: d.sessionId, phase: s.phase, agentType: d.agentType, tokens: 0, at: d.at });
    if (settled) closeReservation(l, d.toolUseId, 'settled', d.at, 'approved by the user; its usage is measured');
    return true;
  });
}

/** How long the gate waits for the response that asked for a dispatch to reach the transcript (seen: up to ~0.5 s on a loaded machine). */
const RESPONSE_WAIT_MS = 2000;

/**
 * PreToolUse for a subagent: the gate's decision on this dispatch, under the project's settings, the
 * sprint's spend brought up to date first. Also returns the settings used and a note for anything
 * unusable in them (said once per sprint).
 */
export function gateSubagent(l: Ledger, session: SessionRef, d: Dispatch, env: NodeJS.ProcessEnv): { decision: DispatchDecision; config: ProjectConfig; note: string | null } {
  const config = projectConfig(l.path, env);
  const sprint = sessionSprint(l, session);
  if (!sprint || config.policy.policy === 'off') return { decision: { action: 'allow' }, config, note: null };
  const note = configNotice(l, sprint, config.problems, d.at);
  // The response that asked for this dispatch may not be written yet: its tokens are part of the spend decided on.
  awaitToolUse(session.transcriptPath, d.toolUseId, RESPONSE_WAIT_MS);
  currentSpend(l, sprint, env);
  return { decision: gateDispatch(l, sprint, d, config.policy.policy, sprintControls(sprint, config.controls)), config, note };
}

/**
 * PostToolUse for a subagent: its own usage report recorded at once (a summary its transcript
 * replaces once read), its reservation settled (a background launch reports no usage yet: it stays
 * open until SubagentStop), and the user's yes recorded if the gate had asked.
 */
export function subagentReturned(l: Ledger, session: SessionRef, report: SpendRecord | null, d: Dispatch): void {
  // Attached (if it was not) no later than the report's time, so the report counts.
  if (!sessionSprint(l, session, d.at)) return;
  if (report) upsertRecords(l, [report]);
  recordDispatchRan(l, d, report !== null);
}
