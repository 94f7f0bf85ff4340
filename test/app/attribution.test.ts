import { cpSync, mkdirSync, mkdtempSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createSprint } from '../../src/app/create';
import { recordedSpend } from '../../src/app/spend';
import { sprintBreakdown } from '../../src/app/breakdown';
import { openLedger } from '../../src/ledger/db';
import { attachSession } from '../../src/ledger/sessions';
import type { SpendRecord } from '../../src/domain/records';
import { upsertRecords } from '../../src/ledger/records';
import { readInterstat } from '../../src/interstat/agent-runs';
import { ingestTranscripts } from '../../src/app/ingest';
import { sessionTranscripts } from '../../src/transcripts/paths';

const SAMPLES = join(import.meta.dirname, '../fixtures/claude-code-2.1.332/transcripts/-home-user-project');
const SESSION = '2f615247-9f0e-4d07-ade0-cad4d6e2665c';
const AGENT = 'a946a5f5990bbc7a2';
const SAMPLE_TIME = Date.parse('2026-11-28T13:08:50.000Z');

function setup() {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'sb-attr-')));
  cpSync(SAMPLES, join(dir, 'projects', '-home-user-project'), { recursive: true });
  const l = openLedger(join(dir, 'ledger.db'), { create: true });
  const { sprint } = createSprint(l, { title: 't', budget: 10_000, project: dir, actor: 'test', now: SAMPLE_TIME - 60_000 });
  l.write(() => attachSession(l, { sessionId: SESSION, sprintId: sprint.id, at: SAMPLE_TIME - 60_000, via: 'test' }));
  const refs = sessionTranscripts(SESSION, join(dir, 'projects', '-home-user-project', `${SESSION}.jsonl`));
  return { dir, l, sprint, refs };
}

/** What the PostToolUse hook records for the sample's subagent: its own usage report. */
const hookSummary: SpendRecord = {
  key: `hook-agent:${AGENT}`,
  kind: 'summary',
  source: 'hook',
  sessionId: SESSION,
  sprintId: null,
  phase: null,
  agentId: AGENT,
  agentType: 'general-purpose',
  model: 'claude-opus-5-5',
  ts: SAMPLE_TIME + 700,
  input: 500,
  output: 20,
  cacheRead: 0,
  cacheWrite: 0,
  origin: 'hook:PostToolUse:toolu_1',
};

describe('one subagent reported by its hook and by its transcript counts once', () => {
  it('the summary stands in until the transcript is read, then the transcript replaces it', () => {
    const { l, sprint, refs } = setup();
    upsertRecords(l, [hookSummary]);
    expect(recordedSpend(l, sprint).billing).toBe(520);
    upsertRecords(l, [hookSummary]); // the hook fired twice
    expect(recordedSpend(l, sprint).billing).toBe(520);
    ingestTranscripts(l, refs);
    const spend = recordedSpend(l, sprint);
    expect(spend.billing).toBe(2 * 1040 + 520);
    const gp = spend.rows.filter((r) => r.agentType === 'general-purpose');
    expect(gp).toEqual([expect.objectContaining({ source: 'transcript', records: 1, input: 500, output: 20 })]);
  });

  it('a summary larger than the transcript read so far wins until the rest is read', () => {
    const { l, sprint } = setup();
    upsertRecords(l, [{ ...hookSummary, input: 900, output: 100 }]);
    upsertRecords(l, [{ ...hookSummary, key: 'msg:partial', kind: 'response', source: 'transcript', input: 500, output: 20, origin: 'x:1' }]);
    expect(recordedSpend(l, sprint).billing).toBe(1000);
  });
});

describe('interstat fills gaps, never doubles', () => {
  it('counts agent_runs of a session without transcripts, ignores them for a session with transcripts', () => {
    const { dir, l, sprint, refs } = setup();
    l.write(() => attachSession(l, { sessionId: 'gone-session', sprintId: sprint.id, at: SAMPLE_TIME - 60_000, via: 'test' }));
    const path = join(dir, 'interstat', 'metrics.db');
    mkdirSync(join(dir, 'interstat'));
    const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
    const db = new Database(path);
    db.exec(`CREATE TABLE agent_runs (id INTEGER PRIMARY KEY, session_id TEXT, agent_name TEXT, subagent_type TEXT, input_tokens INTEGER,
      output_tokens INTEGER, cache_read_tokens INTEGER, cache_creation_tokens INTEGER, total_tokens INTEGER, model TEXT, bead_id TEXT, phase TEXT, timestamp TEXT)`);
    const ins = db.prepare('INSERT INTO agent_runs (session_id, agent_name, subagent_type, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, model, timestamp) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    ins.run('gone-session', 'fd-safety', 'fd-safety', 3000, 300, 10, 20, 'm', new Date(SAMPLE_TIME).toISOString());
    ins.run(SESSION, 'general-purpose', 'general-purpose', 500, 20, 0, 0, 'm', new Date(SAMPLE_TIME).toISOString());
    ins.run('gone-session', 'pending', 'fd-quality', null, null, null, null, 'm', new Date(SAMPLE_TIME).toISOString()); // not backfilled yet
    db.close();

    ingestTranscripts(l, refs);
    const read = readInterstat(path);
    expect(read).toMatchObject({ skipped: 0 });
    expect(read?.records).toHaveLength(2);
    upsertRecords(l, read?.records ?? []);
    upsertRecords(l, readInterstat(path)?.records ?? []); // twice is once
    const spend = recordedSpend(l, sprint);
    expect(spend.billing).toBe(2 * 1040 + 520 + 3300);
    expect(spend.rows.filter((r) => r.source === 'interstat')).toEqual([expect.objectContaining({ agentType: 'fd-safety', input: 3000, output: 300 })]);
    const b = sprintBreakdown(l, sprint, recordedSpend(l, sprint));
    expect(b.phases[0]?.agents.map((a) => a.agent_type)).toEqual(['fd-safety', 'main', 'general-purpose']);
  });
});

describe('a session attached to another sprint', () => {
  it('counts toward the new sprint from then on, and no longer toward the old one', () => {
    const { dir, l, sprint, refs } = setup();
    const other = createSprint(l, { title: 'other', project: dir, actor: 'test', now: SAMPLE_TIME + 450 }).sprint;
    // msg_s_1 (13:08:50.410) counts toward the first sprint; msg_s_3 (13:08:50.894) toward the second.
    l.write(() => attachSession(l, { sessionId: SESSION, sprintId: other.id, at: SAMPLE_TIME + 450, via: 'test' }));
    ingestTranscripts(l, refs);
    expect(recordedSpend(l, sprint).billing).toBe(1040);
    expect(recordedSpend(l, other).billing).toBe(1040 + 520);
  });
});
