/** Sprint rows, their event history and artifacts. Plain reads and writes; callers own transactions. */
import type { Ledger } from './db';

export type SprintStatus = 'active' | 'stopped' | 'done';

export interface Sprint {
  id: string;
  title: string;
  project: string;
  phases: string[];
  phase: string;
  complexity: number;
  complexitySource: 'explicit' | 'classifier';
  tokenBudget: number | null;
  warnPct: number;
  autoAdvance: boolean;
  /** Target phase → artifact types that must exist before the sprint may enter it. */
  gates: Record<string, string[]>;
  /** The sprint's own spend-control settings (create options; config.json's keys), over the project's. */
  controls: Record<string, unknown>;
  status: SprintStatus;
  createdAt: number;
  updatedAt: number;
}

export type EventKind =
  | 'create'
  | 'advance'
  | 'override'
  | 'set_budget'
  | 'skip_gate'
  | 'stop'
  | 'dispatch_denied'
  | 'dispatch_asked'
  | 'dispatch_approved'
  | 'dispatch_capped'
  | 'reservation_expired'
  | 'budget_alert'
  | 'loop_stop'
  | 'decision_asked'
  | 'config_problem'
  /** The user chose "launch all" at a review's triage: agents over the budget launched anyway. */
  | 'triage_override';

export interface SprintEvent {
  id: number;
  sprintId: string;
  kind: EventKind;
  fromPhase: string | null;
  toPhase: string | null;
  at: number;
  actor: string;
  reason: string | null;
  detail: Record<string, unknown> | null;
}

interface SprintDbRow {
  id: string;
  title: string;
  project: string;
  phases: string;
  phase: string;
  complexity: number;
  complexity_source: string;
  token_budget: number | null;
  warn_pct: number;
  auto_advance: number;
  gates: string;
  controls: string;
  status: string;
  created_at: number;
  updated_at: number;
}

function toSprint(r: SprintDbRow): Sprint {
  return {
    id: r.id,
    title: r.title,
    project: r.project,
    phases: JSON.parse(r.phases) as string[],
    phase: r.phase,
    complexity: r.complexity,
    complexitySource: r.complexity_source as Sprint['complexitySource'],
    tokenBudget: r.token_budget,
    warnPct: r.warn_pct,
    autoAdvance: r.auto_advance === 1,
    gates: JSON.parse(r.gates) as Record<string, string[]>,
    controls: JSON.parse(r.controls) as Record<string, unknown>,
    status: r.status as SprintStatus,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function insertSprint(l: Ledger, s: Sprint): void {
  l.stmt(
    `INSERT INTO sprints (id, title, project, phases, phase, complexity, complexity_source, token_budget,
       warn_pct, auto_advance, gates, controls, status, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    s.id,
    s.title,
    s.project,
    JSON.stringify(s.phases),
    s.phase,
    s.complexity,
    s.complexitySource,
    s.tokenBudget,
    s.warnPct,
    s.autoAdvance ? 1 : 0,
    JSON.stringify(s.gates),
    JSON.stringify(s.controls),
    s.status,
    s.createdAt,
    s.updatedAt,
  );
}

export function getSprint(l: Ledger, id: string): Sprint | null {
  const r = l.stmt('SELECT * FROM sprints WHERE id = ?').get(id) as SprintDbRow | undefined;
  return r ? toSprint(r) : null;
}

export function listSprints(l: Ledger, status?: SprintStatus): Sprint[] {
  const rows = (
    status
      ? l.stmt('SELECT * FROM sprints WHERE status = ? ORDER BY created_at DESC, id').all(status)
      : l.stmt('SELECT * FROM sprints ORDER BY created_at DESC, id').all()
  ) as SprintDbRow[];
  return rows.map(toSprint);
}

/** The most recently created sprint that is still active. */
export function latestActiveSprint(l: Ledger): Sprint | null {
  const r = l.stmt(`SELECT * FROM sprints WHERE status = 'active' ORDER BY created_at DESC, rowid DESC LIMIT 1`).get() as
    | SprintDbRow
    | undefined;
  return r ? toSprint(r) : null;
}

export function setPhase(l: Ledger, id: string, phase: string, status: SprintStatus, at: number): void {
  l.stmt('UPDATE sprints SET phase = ?, status = ?, updated_at = ? WHERE id = ?').run(phase, status, at, id);
}

export function setBudget(l: Ledger, id: string, budget: number | null, at: number): void {
  l.stmt('UPDATE sprints SET token_budget = ?, updated_at = ? WHERE id = ?').run(budget, at, id);
}

export function setStatus(l: Ledger, id: string, status: SprintStatus, at: number): void {
  l.stmt('UPDATE sprints SET status = ?, updated_at = ? WHERE id = ?').run(status, at, id);
}

export interface NewEvent {
  kind: EventKind;
  fromPhase?: string | null;
  toPhase?: string | null;
  at: number;
  actor: string;
  reason?: string | null;
  detail?: Record<string, unknown> | null;
}

export function insertEvent(l: Ledger, sprintId: string, e: NewEvent): number {
  const info = l
    .stmt(
      `INSERT INTO sprint_events (sprint_id, kind, from_phase, to_phase, at, actor, reason, detail)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      sprintId,
      e.kind,
      e.fromPhase ?? null,
      e.toPhase ?? null,
      e.at,
      e.actor,
      e.reason ?? null,
      e.detail ? JSON.stringify(e.detail) : null,
    );
  return Number(info.lastInsertRowid);
}

interface EventDbRow {
  id: number;
  sprint_id: string;
  kind: string;
  from_phase: string | null;
  to_phase: string | null;
  at: number;
  actor: string;
  reason: string | null;
  detail: string | null;
}

export function listEvents(l: Ledger, sprintId: string): SprintEvent[] {
  const rows = l.stmt('SELECT * FROM sprint_events WHERE sprint_id = ? ORDER BY at, id').all(sprintId) as EventDbRow[];
  return rows.map((r) => ({
    id: r.id,
    sprintId: r.sprint_id,
    kind: r.kind as EventKind,
    fromPhase: r.from_phase,
    toPhase: r.to_phase,
    at: r.at,
    actor: r.actor,
    reason: r.reason,
    detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null,
  }));
}

export function setArtifact(l: Ledger, sprintId: string, type: string, path: string, at: number): void {
  l.stmt(
    `INSERT INTO artifacts (sprint_id, type, path, at) VALUES (?, ?, ?, ?)
     ON CONFLICT (sprint_id, type) DO UPDATE SET path = excluded.path, at = excluded.at`,
  ).run(sprintId, type, path, at);
}

export function listArtifacts(l: Ledger, sprintId: string): Record<string, string> {
  const rows = l.stmt('SELECT type, path FROM artifacts WHERE sprint_id = ? ORDER BY type').all(sprintId) as {
    type: string;
    path: string;
  }[];
  return Object.fromEntries(rows.map((r) => [r.type, r.path]));
}

/**
 * Per phase, its billing tokens in each finished (`done`) sprint of this complexity where anything
 * was measured: the history forecasts and calibration rest on.
 */
export function finishedPhaseRuns(l: Ledger, complexity: number): Record<string, number[]> {
  const rows = l
    .stmt(
      `SELECT e.from_phase AS phase, json_extract(e.detail, '$.closed.billing') AS billing FROM sprint_events e
       JOIN sprints s ON s.id = e.sprint_id
       WHERE s.status = 'done' AND s.complexity = ? AND e.kind = 'advance' AND json_extract(e.detail, '$.closed.records') > 0
       ORDER BY e.at, e.id`,
    )
    .all(complexity) as { phase: string; billing: number }[];
  const runs: Record<string, number[]> = {};
  for (const r of rows) (runs[r.phase] ??= []).push(r.billing);
  return runs;
}

export interface FinishedSprint {
  id: string;
  complexity: number;
  /** Billing tokens of all its phases, as each advance closed them. */
  billing: number;
  budget: number | null;
}

/** Every finished (`done`) sprint with its total, oldest first. */
export function finishedSprints(l: Ledger): FinishedSprint[] {
  return l
    .stmt(
      `SELECT s.id, s.complexity, s.token_budget AS budget,
         COALESCE(SUM(json_extract(e.detail, '$.closed.billing')), 0) AS billing
       FROM sprints s LEFT JOIN sprint_events e ON e.sprint_id = s.id AND e.kind = 'advance'
       WHERE s.status = 'done' GROUP BY s.id ORDER BY s.created_at, s.id`,
    )
    .all() as FinishedSprint[];
}
