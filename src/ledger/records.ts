/**
 * The records of spend: the only place spend lives (docs/spec.md, "Counting"). One row per API
 * response or per reported total, unique by its key, so writing a record twice changes nothing.
 * Every figure shown or checked is a query over this table (SQLite table `usage`).
 */
import type { SpendRecord } from '../domain/records';
import type { SpendCounts } from '../domain/tokens';
import type { Ledger } from './db';

/** Upserts records in one transaction, keeping the largest count seen for each key. */
export function upsertRecords(l: Ledger, records: readonly SpendRecord[]): number {
  if (records.length === 0) return 0;
  return l.write(() => putRecords(l, records));
}

/** upsertRecords within the caller's transaction. */
export function putRecords(l: Ledger, records: readonly SpendRecord[]): number {
  // Positional parameters: binding nineteen named ones from an object costs more than the insert.
  const stmt = l.stmt(
    `INSERT INTO usage (key, kind, source, session_id, sprint_id, phase, agent_id, agent_type, model, ts,
       input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, origin,
       cache_write_5m_tokens, cache_write_1h_tokens, fast, total_tokens)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET
       total_tokens = MAX(usage.total_tokens, excluded.total_tokens),
       origin = CASE WHEN excluded.output_tokens > usage.output_tokens THEN excluded.origin ELSE usage.origin END,
       input_tokens = MAX(usage.input_tokens, excluded.input_tokens),
       output_tokens = MAX(usage.output_tokens, excluded.output_tokens),
       cache_read_tokens = MAX(usage.cache_read_tokens, excluded.cache_read_tokens),
       cache_write_tokens = MAX(usage.cache_write_tokens, excluded.cache_write_tokens),
       cache_write_5m_tokens = MAX(usage.cache_write_5m_tokens, excluded.cache_write_5m_tokens),
       cache_write_1h_tokens = MAX(usage.cache_write_1h_tokens, excluded.cache_write_1h_tokens),
       fast = MAX(usage.fast, excluded.fast),
       model = COALESCE(usage.model, excluded.model),
       agent_id = COALESCE(usage.agent_id, excluded.agent_id),
       session_id = COALESCE(usage.session_id, excluded.session_id)`,
  );
  for (const r of records) {
    stmt.run(
      r.key, r.kind, r.source, r.sessionId, r.sprintId, r.phase, r.agentId, r.agentType, r.model, r.ts,
      r.input, r.output, r.cacheRead, r.cacheWrite, r.origin, r.cacheWrite5m ?? 0, r.cacheWrite1h ?? 0, r.fast ? 1 : 0, r.totalOnly ?? 0,
    );
  }
  return records.length;
}

/**
 * The rows that count toward one sprint, each once:
 * - rows reported for the sprint, and rows of its sessions inside their attachment windows;
 * - a subagent's summary only while its transcript rows add up to less (the detail wins once read);
 * - interstat rows only for sessions with no transcript rows at all (a gap filler, never a double).
 * Each row's phase is the one it was reported for, else the phase current at its timestamp.
 */
const EFFECTIVE = `
  WITH att AS (
    SELECT session_id, attached_at AS since, COALESCE(detached_at, 9007199254740991) AS until
    FROM sessions WHERE sprint_id = @sprint
  ),
  mine AS (
    SELECT u.* FROM usage u WHERE u.sprint_id = @sprint
    UNION ALL
    SELECT u.* FROM att JOIN usage u ON u.session_id = att.session_id AND u.ts >= att.since AND u.ts < att.until
    WHERE u.sprint_id IS NULL
  ),
  agents AS (
    SELECT agent_id,
      SUM(CASE WHEN kind = 'response' THEN input_tokens + output_tokens ELSE 0 END) AS detailed,
      MAX(CASE WHEN kind = 'summary' THEN input_tokens + output_tokens END) AS summary
    FROM mine WHERE agent_id IS NOT NULL GROUP BY agent_id
  ),
  effective AS (
    SELECT m.* FROM mine m LEFT JOIN agents a ON a.agent_id = m.agent_id
    WHERE CASE
      WHEN m.kind = 'summary' THEN a.detailed < a.summary
      WHEN m.kind = 'response' AND m.agent_id IS NOT NULL THEN a.summary IS NULL OR a.detailed >= a.summary
      ELSE 1 END
    AND (m.source <> 'interstat' OR NOT EXISTS (
      SELECT 1 FROM usage t WHERE t.session_id = m.session_id AND t.source = 'transcript'))
  ),
  phased AS (
    SELECT e.*, COALESCE(e.phase, (
      SELECT ev.to_phase FROM sprint_events ev
      WHERE ev.sprint_id = @sprint AND ev.kind IN ('create', 'advance') AND ev.at <= e.ts
      ORDER BY ev.at DESC, ev.id DESC LIMIT 1), @firstPhase) AS at_phase
    FROM effective e
  )`;

export interface SpendRow extends SpendCounts {
  phase: string;
  agentType: string;
  source: string;
  /** How many records (responses, summaries, reports) the figure sums. */
  records: number;
}

/** Spend of a sprint grouped by phase, agent type and source. */
export function sprintSpendRows(l: Ledger, sprintId: string, firstPhase: string): SpendRow[] {
  return l
    .stmt(
      `${EFFECTIVE}
       SELECT at_phase AS phase, agent_type AS agentType, source, COUNT(*) AS records,
         SUM(input_tokens) AS input, SUM(output_tokens) AS output,
         SUM(cache_read_tokens) AS cacheRead, SUM(cache_write_tokens) AS cacheWrite, SUM(total_tokens) AS totalOnly
       FROM phased GROUP BY at_phase, agent_type, source ORDER BY at_phase, agent_type, source`,
    )
    .all({ sprint: sprintId, firstPhase }) as SpendRow[];
}

/** Spend grouped as it is priced: per phase, agent type and model, fast mode and long context apart. */
export interface CostRow extends SpendCounts {
  phase: string;
  agentType: string;
  model: string | null;
  cacheWrite5m: number;
  cacheWrite1h: number;
  fast: boolean;
  /** Responses whose prompts (input + cache read + cache write) were longer than `longPrompt` tokens (never a total). */
  long: boolean;
  records: number;
}

/** A sprint's spend as it is priced (docs/spec.md, "Cost in dollars"). */
export function sprintCostRows(l: Ledger, sprintId: string, firstPhase: string, longPrompt: number): CostRow[] {
  const rows = l
    .stmt(
      `${EFFECTIVE}
       SELECT at_phase AS phase, agent_type AS agentType, model, fast,
         (kind = 'response' AND input_tokens + cache_read_tokens + cache_write_tokens > @longPrompt) AS long, COUNT(*) AS records,
         SUM(input_tokens) AS input, SUM(output_tokens) AS output,
         SUM(cache_read_tokens) AS cacheRead, SUM(cache_write_tokens) AS cacheWrite,
         SUM(cache_write_5m_tokens) AS cacheWrite5m, SUM(cache_write_1h_tokens) AS cacheWrite1h, SUM(total_tokens) AS totalOnly
       FROM phased GROUP BY at_phase, agent_type, model, fast, long ORDER BY at_phase, agent_type, model, fast, long`,
    )
    .all({ sprint: sprintId, firstPhase, longPrompt }) as (Omit<CostRow, 'fast' | 'long'> & { fast: number; long: number })[];
  return rows.map((r) => ({ ...r, fast: r.fast === 1, long: r.long === 1 }));
}

/** The records behind one sprint's figures, for tracing a number back to its lines. */
export function sprintSpendRecords(l: Ledger, sprintId: string, firstPhase: string): (SpendRecord & { atPhase: string })[] {
  return l
    .stmt(
      `${EFFECTIVE}
       SELECT key, kind, source, session_id AS sessionId, sprint_id AS sprintId, phase, agent_id AS agentId,
         agent_type AS agentType, model, ts, input_tokens AS input, output_tokens AS output,
         cache_read_tokens AS cacheRead, cache_write_tokens AS cacheWrite, total_tokens AS totalOnly, origin, at_phase AS atPhase
       FROM phased ORDER BY ts, key`,
    )
    .all({ sprint: sprintId, firstPhase }) as (SpendRecord & { atPhase: string })[];
}
