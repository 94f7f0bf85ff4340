/**
 * Reservations once made (docs/spec.md, "Reservations"): settled when the subagent's usage is
 * recorded, released when its dispatch fails, expired (and recorded) when never settled. The gate
 * makes them (app/dispatch.ts).
 */
import { reservationExpired } from '../domain/reservations';
import type { Ledger } from '../ledger/db';
import { closeReservation, openReservations, sessionOpenReservations } from '../ledger/reservations';
import { type Sprint, getSprint, insertEvent } from '../ledger/sprints';
import { subagentToolUse } from '../transcripts/paths';

/** Step 1: open reservations of the sprint older than the stated age expire, each recorded. */
export function expireOldReservations(l: Ledger, s: Sprint, maxAgeMinutes: number, now: number): void {
  for (const r of openReservations(l, s.id)) {
    if (!reservationExpired(r.at, now, maxAgeMinutes)) continue;
    expire(l, r.toolUseId, s, now, `never settled within ${maxAgeMinutes} minutes`);
  }
}

function expire(l: Ledger, toolUseId: string, s: Sprint, now: number, why: string): void {
  const r = closeReservation(l, toolUseId, 'expired', now, why);
  if (!r) return;
  insertEvent(l, s.id, {
    kind: 'reservation_expired',
    fromPhase: s.phase,
    at: now,
    actor: 'sprint-budget',
    reason: `reservation of ${r.tokens} billing tokens for a ${r.agentType} subagent expired: ${why}`,
    detail: { tool_use_id: r.toolUseId, agent_type: r.agentType, tokens: r.tokens, reserved_at: r.at },
  });
}

/** PostToolUseFailure for a subagent: the dispatch failed, its reservation is released. */
export function dispatchFailed(l: Ledger, toolUseId: string, at: number, error: string): void {
  l.write(() => closeReservation(l, toolUseId, 'released', at, `the dispatch failed: ${error}`));
}

/** SubagentStop: the subagent's reservation (named by its .meta.json) is settled; its transcript is read by then. */
export function subagentStopped(l: Ledger, agentTranscriptPath: string, at: number): void {
  const toolUseId = subagentToolUse(agentTranscriptPath);
  if (toolUseId) l.write(() => closeReservation(l, toolUseId, 'settled', at, 'the subagent stopped; its transcript is read'));
}

/** SessionEnd: what the session reserved and never settled expires, each recorded. */
export function expireSessionReservations(l: Ledger, sessionId: string, at: number): void {
  l.write(() => {
    for (const r of sessionOpenReservations(l, sessionId)) {
      const s = getSprint(l, r.sprintId);
      if (s) expire(l, r.toolUseId, s, at, 'the session ended');
    }
  });
}
