/** Review triage runs: what each triage weighed and decided, agent by agent. */
import type { AgentKind } from '../domain/estimates';
import type { BudgetKey, InputType, TriageAction, TriageReason } from '../domain/triage';
import type { Ledger } from './db';

export interface TriageRun {
  id: number;
  /** Epoch milliseconds. */
  at: number;
  sprintId: string | null;
  phase: string | null;
  inputType: InputType;
  budgetKey: BudgetKey;
  typeBudget: number;
  sprintRemaining: number | null;
  budget: number;
  slicing: boolean;
  launchAll: boolean;
}

export interface TriageAgentRecord {
  name: string;
  agentType: string;
  stage: 1 | 2;
  score: number;
  kind: AgentKind;
  estimate: number;
  basis: 'default' | 'measured';
  runs: number;
  sliced: boolean;
  action: TriageAction;
  reason: TriageReason;
}

interface RunDbRow {
  id: number;
  at: number;
  sprint_id: string | null;
  phase: string | null;
  input_type: string;
  budget_key: string;
  type_budget: number;
  sprint_remaining: number | null;
  budget: number;
  slicing: number;
  launch_all: number;
}

const toRun = (r: RunDbRow): TriageRun => ({
  id: r.id,
  at: r.at,
  sprintId: r.sprint_id,
  phase: r.phase,
  inputType: r.input_type as InputType,
  budgetKey: r.budget_key as BudgetKey,
  typeBudget: r.type_budget,
  sprintRemaining: r.sprint_remaining,
  budget: r.budget,
  slicing: r.slicing === 1,
  launchAll: r.launch_all === 1,
});

/** Stores a triage run with its agents in one transaction; returns the run's id. */
export function insertTriageRun(l: Ledger, run: Omit<TriageRun, 'id'>, agents: readonly TriageAgentRecord[]): number {
  return l.write(() => {
    const info = l
      .stmt(
        `INSERT INTO triage_runs (at, sprint_id, phase, input_type, budget_key, type_budget, sprint_remaining, budget, slicing, launch_all)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        run.at,
        run.sprintId,
        run.phase,
        run.inputType,
        run.budgetKey,
        run.typeBudget,
        run.sprintRemaining,
        run.budget,
        run.slicing ? 1 : 0,
        run.launchAll ? 1 : 0,
      );
    const id = Number(info.lastInsertRowid);
    const insert = l.stmt(
      `INSERT INTO triage_agents (run_id, position, name, agent_type, stage, score, kind, estimate, basis, runs, sliced, action, reason)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    agents.forEach((a, position) =>
      insert.run(id, position, a.name, a.agentType, a.stage, a.score, a.kind, a.estimate, a.basis, a.runs, a.sliced ? 1 : 0, a.action, a.reason),
    );
    return id;
  });
}

export function getTriageRun(l: Ledger, id: number): TriageRun | null {
  const r = l.stmt('SELECT * FROM triage_runs WHERE id = ?').get(id) as RunDbRow | undefined;
  return r ? toRun(r) : null;
}

export function latestTriageRun(l: Ledger): TriageRun | null {
  const r = l.stmt('SELECT * FROM triage_runs ORDER BY at DESC, id DESC LIMIT 1').get() as RunDbRow | undefined;
  return r ? toRun(r) : null;
}

/**
 * When the next triage of the same sprint (or, for a review outside any sprint, the next one outside
 * any) started: the end of this review's window, or null while it is the last.
 */
export function nextTriageAt(l: Ledger, run: TriageRun): number | null {
  const r = l
    .stmt('SELECT at FROM triage_runs WHERE (at > @at OR (at = @at AND id > @id)) AND sprint_id IS @sprint ORDER BY at, id LIMIT 1')
    .get({ at: run.at, id: run.id, sprint: run.sprintId }) as { at: number } | undefined;
  return r ? r.at : null;
}

/** The sprint's latest triage: the review its dispatches are made for. */
export function latestSprintTriage(l: Ledger, sprintId: string): TriageRun | null {
  const r = l.stmt('SELECT * FROM triage_runs WHERE sprint_id = ? ORDER BY at DESC, id DESC LIMIT 1').get(sprintId) as RunDbRow | undefined;
  return r ? toRun(r) : null;
}

export function triageRunAgents(l: Ledger, runId: number): TriageAgentRecord[] {
  const rows = l
    .stmt(
      `SELECT name, agent_type AS agentType, stage, score, kind, estimate, basis, runs, sliced, action, reason
       FROM triage_agents WHERE run_id = ? ORDER BY position`,
    )
    .all(runId) as (Omit<TriageAgentRecord, 'sliced'> & { sliced: number })[];
  return rows.map((r) => ({ ...r, sliced: r.sliced === 1 }));
}
