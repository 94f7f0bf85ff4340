/** Deliberate budget decisions: override, adjust, stop. Each is stored with its reason, actor and time. */
import { UsageError } from '../lib/errors';
import type { Ledger } from '../ledger/db';
import { type Sprint, getSprint, insertEvent, setBudget, setStatus } from '../ledger/sprints';

interface Decision {
  reason: string;
  actor: string;
  now: number;
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
    insertEvent(l, s.id, { kind: 'override', fromPhase: s.phase, at: d.now, actor: d.actor, reason });
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
      detail: { from: s.tokenBudget, to: budget },
    });
    return { from: s.tokenBudget, to: budget };
  });
}

export function stopSprint(l: Ledger, sprintId: string, d: Decision): void {
  const reason = requireReason(d.reason);
  l.write(() => {
    const s = activeSprint(l, sprintId);
    setStatus(l, s.id, 'stopped', d.now);
    insertEvent(l, s.id, { kind: 'stop', fromPhase: s.phase, at: d.now, actor: d.actor, reason });
  });
}
