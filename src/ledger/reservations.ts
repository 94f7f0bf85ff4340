/** Reservations of dispatched subagents' estimates, one per Agent tool use. Plain reads and writes; callers own transactions. */
import type { Ledger } from './db';

export type ReservationState = 'open' | 'settled' | 'released' | 'expired';

export interface Reservation {
  toolUseId: string;
  sprintId: string;
  sessionId: string;
  phase: string;
  agentType: string;
  tokens: number;
  at: number;
  state: ReservationState;
}

interface ReservationRow {
  tool_use_id: string;
  sprint_id: string;
  session_id: string;
  phase: string;
  agent_type: string;
  tokens: number;
  at: number;
  state: string;
}

const toReservation = (r: ReservationRow): Reservation => ({
  toolUseId: r.tool_use_id,
  sprintId: r.sprint_id,
  sessionId: r.session_id,
  phase: r.phase,
  agentType: r.agent_type,
  tokens: r.tokens,
  at: r.at,
  state: r.state as ReservationState,
});

/** Records a reservation; a tool use reserves once (a hook that fires twice changes nothing). */
export function reserve(l: Ledger, r: Omit<Reservation, 'state'>): void {
  l.stmt(
    `INSERT INTO reservations (tool_use_id, sprint_id, session_id, phase, agent_type, tokens, at, state)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'open') ON CONFLICT (tool_use_id) DO NOTHING`,
  ).run(r.toolUseId, r.sprintId, r.sessionId, r.phase, r.agentType, r.tokens, r.at);
}

export function getReservation(l: Ledger, toolUseId: string): Reservation | null {
  const r = l.stmt('SELECT * FROM reservations WHERE tool_use_id = ?').get(toolUseId) as ReservationRow | undefined;
  return r ? toReservation(r) : null;
}

/** Closes an open reservation; returns it as it was, or null when there was none open. */
export function closeReservation(l: Ledger, toolUseId: string, state: Exclude<ReservationState, 'open'>, at: number, reason: string): Reservation | null {
  const r = l.stmt(`UPDATE reservations SET state = ?, closed_at = ?, reason = ? WHERE tool_use_id = ? AND state = 'open' RETURNING *`).get(
    state,
    at,
    reason,
    toolUseId,
  ) as ReservationRow | undefined;
  return r ? { ...toReservation(r), state: 'open' } : null;
}

export function openReservations(l: Ledger, sprintId: string): Reservation[] {
  const rows = l.stmt(`SELECT * FROM reservations WHERE sprint_id = ? AND state = 'open' ORDER BY at, tool_use_id`).all(sprintId) as ReservationRow[];
  return rows.map(toReservation);
}

export function sessionOpenReservations(l: Ledger, sessionId: string): Reservation[] {
  const rows = l.stmt(`SELECT * FROM reservations WHERE session_id = ? AND state = 'open' ORDER BY at, tool_use_id`).all(sessionId) as ReservationRow[];
  return rows.map(toReservation);
}

/** Billing tokens reserved by the sprint's open reservations. */
export function reservedTokens(l: Ledger, sprintId: string): number {
  const r = l.stmt(`SELECT COALESCE(SUM(tokens), 0) AS n FROM reservations WHERE sprint_id = ? AND state = 'open'`).get(sprintId) as { n: number };
  return r.n;
}

/** Dispatches that passed the gate (every reservation but a released one): in the phase, in the sprint, still running. */
export function dispatchCounts(l: Ledger, sprintId: string, phase: string): { phase: number; sprint: number; running: number } {
  return l
    .stmt(
      `SELECT COALESCE(SUM(phase = ?), 0) AS phase, COUNT(*) AS sprint, COALESCE(SUM(state = 'open'), 0) AS running
       FROM reservations WHERE sprint_id = ? AND state != 'released'`,
    )
    .get(phase, sprintId) as { phase: number; sprint: number; running: number };
}
