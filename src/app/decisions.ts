/** Deliberate budget decisions: override, adjust, stop. Each is stored with its reason, actor and time. */
import type { DecisionKind } from '../domain/deciders';
import type { Ledger } from '../ledger/db';
import { detachSprintSessions } from '../ledger/sessions';
import { type Sprint, getSprint, insertEvent, setBudget, setStatus } from '../ledger/sprints';
import { UsageError } from '../platform/errors';
import { decisionActor } from './deciders';
import { type Caller, callerSession, inProject } from './project';
import { resolveSprint } from './resolve';
import { type CurrentSpend, currentSpend } from './spend';
import { type SprintState, sprintState } from './state';

interface Decision {
  reason: string;
  actor: string;
  now: number;
  /** Who decided (user, model, cli) and the question the user confirmed, recorded with the decision. */
  by?: { actor_kind: string; confirmed_by?: string };
}

function requireReason(reason: string): string {
  const r = reason.trim();
  if (!r) throw new UsageError('a reason is required (--reason "...")');
  return r;
}

function activeSprint(l: Ledger, id: string): Sprint {
  const s = getSprint(l, id);
  if (!s) throw new UsageError(`unknown sprint "${id}"`);
  if (s.status !== 'active') throw new UsageError(`sprint ${s.id} is ${s.status}`);
  return s;
}

/** Lets the next advance pass an exceeded budget, and dispatches until then. */
export function recordOverride(l: Ledger, sprintId: string, d: Decision): void {
  const reason = requireReason(d.reason);
  l.write(() => {
    const s = activeSprint(l, sprintId);
    insertEvent(l, s.id, { kind: 'override', fromPhase: s.phase, at: d.now, actor: d.actor, reason, detail: d.by ?? null });
  });
}

export function changeBudget(l: Ledger, sprintId: string, budget: number | null, d: Decision): { from: number | null; to: number | null } {
  const reason = requireReason(d.reason);
  return l.write(() => {
    const s = activeSprint(l, sprintId);
    setBudget(l, s.id, budget, d.now);
    insertEvent(l, s.id, {
      kind: 'set_budget',
      fromPhase: s.phase,
      at: d.now,
      actor: d.actor,
      reason,
      detail: { from: s.tokenBudget, to: budget, ...d.by },
    });
    return { from: s.tokenBudget, to: budget };
  });
}

export function stopSprint(l: Ledger, sprintId: string, d: Decision): void {
  const reason = requireReason(d.reason);
  l.write(() => {
    const s = activeSprint(l, sprintId);
    setStatus(l, s.id, 'stopped', d.now);
    // A stopped sprint counts nothing more: its sessions' lines from now on are not its spend.
    const detached = detachSprintSessions(l, s.id, d.now);
    insertEvent(l, s.id, { kind: 'stop', fromPhase: s.phase, at: d.now, actor: d.actor, reason, detail: { ...d.by, sessions_detached: detached } });
  });
}

export interface Decided {
  sprint: Sprint;
  /** The sprint's spend, up to date, after the decision. */
  spend: CurrentSpend;
  state: SprintState;
}

/** Runs a decision on the sprint the caller means, its spend brought up to date first and read again after. */
function decide<T>(caller: Caller, id: string | undefined, kind: DecisionKind, fn: (l: Ledger, s: Sprint, who: Omit<Decision, 'reason'>) => T): Decided & { outcome: T } {
  return inProject(caller, {}, (l) => {
    const s = resolveSprint(l, id, callerSession(caller));
    currentSpend(l, s, caller.env);
    const now = Date.now();
    const who = decisionActor(l, caller, s, kind, now);
    const by = { actor_kind: who.kind, ...(who.confirmed ? { confirmed_by: who.confirmed } : {}) };
    const outcome = fn(l, s, { actor: who.actor, now, by });
    const after = getSprint(l, s.id) as Sprint;
    const spend = currentSpend(l, after, caller.env);
    return { sprint: after, spend, state: sprintState(l, after, spend, caller.env), outcome };
  });
}

/** `sprint-budget override`. */
export function overrideBudget(caller: Caller, id: string | undefined, reason: string): Decided {
  return decide(caller, id, 'override', (l, s, who) => recordOverride(l, s.id, { ...who, reason }));
}

/** `sprint-budget set-budget`. */
export function adjustBudget(caller: Caller, id: string | undefined, budget: number | null, reason: string): Decided & { from: number | null; to: number | null } {
  const r = decide(caller, id, 'set-budget', (l, s, who) => changeBudget(l, s.id, budget, { ...who, reason }));
  return { ...r, ...r.outcome };
}

/** `sprint-budget stop`. */
export function stopSprintFor(caller: Caller, id: string | undefined, reason: string): Decided {
  return decide(caller, id, 'stop', (l, s, who) => stopSprint(l, s.id, { ...who, reason }));
}
