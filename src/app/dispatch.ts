/**
 * The dispatch gate: may a subagent be dispatched now? Over an exceeded budget (and no standing
 * override) the dispatch is stopped with the pause line — denied under the `hard` policy, put to the
 * user under `soft`. Under budget, an agent type whose estimate is larger than what remains passes with
 * a warning for the model. Every stop is recorded in the sprint's history, keyed by the tool use id, so
 * a hook that fires twice records once; the user's answer to an `ask` is recorded when the dispatch runs.
 */
import type { Estimate } from '../domain/estimates';
import { overrideStands } from '../domain/overrides';
import { budgetExceeded, formatPause } from '../domain/protocol';
import type { SpendRecord } from '../domain/records';
import type { Ledger } from '../ledger/db';
import { upsertRecords } from '../ledger/records';
import { openAttachment } from '../ledger/sessions';
import { type EventKind, type Sprint, getSprint, insertEvent, listEvents } from '../ledger/sprints';
import { dispatchEstimate } from './agent-estimate';
import { type DispatchPolicy, type PolicyChoice, dispatchPolicy } from './config';
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
  | { action: 'deny' | 'ask'; line: string; spent: number; budget: number };

export interface Dispatch {
  sessionId: string;
  toolUseId: string;
  agentType: string;
  /** The agent the dispatch's description names (`fd-safety: …`), for its estimate. */
  name?: string | null;
  at: number;
}

/** The decision alone, over the sprint's spend as the ledger has it now. */
export function decideDispatch(l: Ledger, s: Sprint, agentType: string, policy: DispatchPolicy, name: string | null = null): DispatchDecision {
  if (policy === 'off' || s.tokenBudget === null) return { action: 'allow' };
  const spend = recordedSpend(l, s);
  const overridden = spend.state === 'exceeded' && overrideStands(listEvents(l, s.id));
  if (spend.state === 'exceeded' && !overridden) {
    return {
      action: policy === 'hard' ? 'deny' : 'ask',
      line: formatPause(budgetExceeded(s.phase, spend.billing, s.tokenBudget)),
      spent: spend.billing,
      budget: s.tokenBudget,
    };
  }
  const remaining = spend.remaining as number;
  const estimate = dispatchEstimate(l, s, { agentType, name });
  if (estimate.tokens > remaining) return { action: 'warn', agentType, estimate, remaining, overridden };
  return { action: 'allow' };
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

/** Decides and records a stop in one transaction: what was checked is what is recorded. */
export function gateDispatch(l: Ledger, s: Sprint, d: Dispatch, policy: DispatchPolicy): DispatchDecision {
  return l.write(() => {
    const decision = decideDispatch(l, s, d.agentType, policy, d.name ?? null);
    if (decision.action === 'deny' || decision.action === 'ask') {
      recordOnce(l, s, decision.action === 'deny' ? 'dispatch_denied' : 'dispatch_asked', d, decision.line, {
        policy,
        spent: decision.spent,
        budget: decision.budget,
      });
    }
    return decision;
  });
}

/**
 * The dispatch ran (its PostToolUse arrived): if the gate had asked the user, they said yes.
 * Looks the question up in the session's sprint; returns whether an approval was recorded now.
 */
export function recordDispatchRan(l: Ledger, d: Dispatch): boolean {
  return l.write(() => {
    const att = openAttachment(l, d.sessionId);
    const s = att ? getSprint(l, att.sprintId) : null;
    if (!s || !hasDispatchEvent(l, s.id, 'dispatch_asked', d.toolUseId)) return false;
    if (hasDispatchEvent(l, s.id, 'dispatch_approved', d.toolUseId)) return false;
    recordOnce(l, s, 'dispatch_approved', d, 'the user approved the dispatch when asked', {});
    return true;
  });
}

/**
 * PreToolUse for a subagent: the gate's decision on this dispatch, under the project's policy, the
 * sprint's spend brought up to date first. `policy` says which policy applied and any problem with
 * the configured one.
 */
export function gateSubagent(l: Ledger, session: SessionRef, d: Dispatch, env: NodeJS.ProcessEnv): { decision: DispatchDecision; policy: PolicyChoice } {
  const policy = dispatchPolicy(l.path, env);
  const sprint = sessionSprint(l, session);
  if (!sprint || policy.policy === 'off') return { decision: { action: 'allow' }, policy };
  currentSpend(l, sprint, env);
  return { decision: gateDispatch(l, sprint, d, policy.policy), policy };
}

/**
 * PostToolUse for a subagent: its own usage report recorded at once (a summary its transcript
 * replaces once read), and the user's yes recorded if the gate had asked.
 */
export function subagentReturned(l: Ledger, session: SessionRef, report: SpendRecord | null, d: Dispatch): void {
  // Attached (if it was not) no later than the report's time, so the report counts.
  if (!sessionSprint(l, session, d.at)) return;
  if (report) upsertRecords(l, [report]);
  recordDispatchRan(l, d);
}
