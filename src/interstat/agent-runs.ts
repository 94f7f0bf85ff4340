/**
 * interstat's `agent_runs` as a gap filler (docs/spec.md, "interstat"): rows for sessions whose
 * transcripts are gone. Its tokens are NULL until its session-end backfill runs, so it is never the
 * live source; and the ledger's sums ignore an interstat row of any session that has transcript
 * rows, so nothing counts twice.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod/mini';
import type { SpendRecord } from '../domain/records';
import { tokenCount } from '../domain/token-count';
import { openSqlite } from '../install/binding';

export function interstatPath(configDir: string): string {
  return join(configDir, 'interstat', 'metrics.db');
}

const Row = z.object({
  session_id: z.string(),
  agent_name: z.nullable(z.string()),
  subagent_type: z.nullable(z.string()),
  input_tokens: tokenCount(),
  output_tokens: tokenCount(),
  cache_read_tokens: z.nullable(tokenCount()),
  cache_creation_tokens: z.nullable(tokenCount()),
  model: z.nullable(z.string()),
  timestamp: z.union([z.string(), z.number()]),
});

function epochMs(t: string | number): number {
  if (typeof t === 'number') return t < 1e12 ? t * 1000 : t;
  const n = Date.parse(t);
  return Number.isFinite(n) ? n : 0;
}

export interface InterstatRead {
  path: string;
  /** Keyed by session, agent and time: storing them again changes nothing. */
  records: SpendRecord[];
  /** Rows whose values are not what interstat's schema promises. */
  skipped: number;
}

/** interstat's filled rows as records, or null when there is no interstat database. */
export function readInterstat(path: string): InterstatRead | null {
  if (!existsSync(path)) return null;
  const src = openSqlite(path, { readonly: true, fileMustExist: true, timeout: 5000 });
  try {
    const raw = src
      .prepare(
        `SELECT session_id, agent_name, subagent_type, input_tokens, output_tokens, cache_read_tokens,
           cache_creation_tokens, model, timestamp
         FROM agent_runs WHERE input_tokens IS NOT NULL AND output_tokens IS NOT NULL`,
      )
      .all();
    const records: SpendRecord[] = [];
    let skipped = 0;
    for (const r of raw) {
      const parsed = z.safeParse(Row, r);
      if (!parsed.success) {
        skipped++;
        continue;
      }
      const row = parsed.data;
      const agent = row.subagent_type ?? row.agent_name ?? 'main';
      records.push({
        key: `interstat:${row.session_id}:${row.agent_name ?? agent}:${row.timestamp}`,
        kind: 'report',
        source: 'interstat',
        sessionId: row.session_id,
        sprintId: null,
        phase: null,
        agentId: null,
        agentType: agent,
        model: row.model,
        ts: epochMs(row.timestamp),
        input: row.input_tokens,
        output: row.output_tokens,
        cacheRead: row.cache_read_tokens ?? 0,
        cacheWrite: row.cache_creation_tokens ?? 0,
        origin: `${path}:agent_runs`,
      });
    }
    return { path, records, skipped };
  } finally {
    src.close();
  }
}
