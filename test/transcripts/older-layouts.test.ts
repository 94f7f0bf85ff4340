/**
 * Transcripts left by older Claude Code versions (docs/spec.md, "Counting"), in fixtures shaped like
 * theirs (test/fixtures/older-layouts): 1.0.x subagent lines inside the main transcript, 2.0.x flat
 * `agent-<id>.jsonl` files beside the sessions, and a `<session>/subagents/` directory whose
 * `<session>.jsonl` is gone. Each response counts once, toward the session its lines name.
 */
import { cpSync, mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSprint } from '../../src/app/create';
import { ingestTranscripts } from '../../src/app/ingest';
import { currentSpend, recordedSpend } from '../../src/app/spend';
import { openLedger } from '../../src/ledger/db';
import { attachSession } from '../../src/ledger/sessions';
import { allTranscripts } from '../../src/transcripts/paths';

const FIXTURES = join(import.meta.dirname, '../fixtures/older-layouts');
const PROJECT_DIR = '/home/user/project';
const V1_SESSION = '10000000-0000-4000-8000-000000000001';
const V2_SESSION = '20000000-0000-4000-8000-000000000002';
const V2_OTHER = '20000000-0000-4000-8000-000000000003';
const ORPHAN_SESSION = '21000000-0000-4000-8000-000000000004';
const EARLY = Date.parse('2026-11-01T00:00:00Z');

/** A Claude config dir holding one layout's project directory, and a ledger with a sprint. */
function setup(layout: string) {
  const config = realpathSync(mkdtempSync(join(tmpdir(), 'sb-older-')));
  cpSync(join(FIXTURES, layout), join(config, 'projects'), { recursive: true });
  const l = openLedger(join(config, 'ledger.db'), { create: true });
  const { sprint } = createSprint(l, { title: 'older layouts', budget: null, project: PROJECT_DIR, actor: 'test', now: EARLY });
  const attach = (sessionId: string) => l.write(() => attachSession(l, { sessionId, sprintId: sprint.id, at: EARLY, via: 'test' }));
  return { config, l, sprint, attach, dir: join(config, 'projects', '-home-user-project') };
}

function byAgentType(rows: { agentType: string; input: number; output: number }[]): Record<string, number> {
  const by: Record<string, number> = {};
  for (const r of rows) by[r.agentType] = (by[r.agentType] ?? 0) + r.input + r.output;
  return by;
}

describe('1.0.x: subagent (sidechain) lines inside the main transcript', () => {
  it('count once each, as the subagent, beside the main responses; a second read adds nothing', () => {
    const { config, l, sprint, attach } = setup('claude-code-1.0.x');
    attach(V1_SESSION);
    ingestTranscripts(l, allTranscripts(config));
    const first = recordedSpend(l, sprint);
    // main 1200+80 and 1300+90; sidechain 600+30 and 700+45 (each response over two lines, the first a placeholder).
    expect(byAgentType(first.rows)).toEqual({ main: 1280 + 1390, subagent: 630 + 745 });
    expect(first.billing).toBe(4045);
    ingestTranscripts(l, allTranscripts(config), { cursors: new Map() });
    expect(recordedSpend(l, sprint).billing).toBe(4045);
    const keys = l.db.prepare('SELECT key FROM usage ORDER BY key').pluck().all();
    expect(keys).toEqual(['msg:msg_10_main_1:req_10_main_1', 'msg:msg_10_main_2:req_10_main_2', 'msg:msg_10_side_1:req_10_side_1', 'msg:msg_10_side_2:req_10_side_2']);
  });
});

describe('2.0.x: flat agent-<id>.jsonl files beside the sessions', () => {
  it('are listed as subagents whose session their lines name, not as sessions called agent-<id>', () => {
    const { config, dir } = setup('claude-code-2.0.x');
    const refs = allTranscripts(config).filter((r) => r.path.includes('/agent-'));
    expect(refs).toEqual([
      { path: join(dir, 'agent-5e1f2a3b.jsonl'), sessionId: null, agentId: '5e1f2a3b', agentType: null },
      { path: join(dir, 'agent-77aa88bb.jsonl'), sessionId: null, agentId: '77aa88bb', agentType: null },
    ]);
  });

  it("count toward the parent session's sprint, and another session's agent does not", () => {
    const { config, l, sprint, attach } = setup('claude-code-2.0.x');
    attach(V2_SESSION);
    ingestTranscripts(l, allTranscripts(config));
    expect(byAgentType(recordedSpend(l, sprint).rows)).toEqual({ main: 1050, subagent: 425 + 485 });
    const sessions = l.db.prepare("SELECT DISTINCT session_id FROM usage WHERE agent_id IS NOT NULL ORDER BY session_id").pluck().all();
    expect(sessions).toEqual([V2_SESSION, V2_OTHER]);
  });

  it("are read with the sprint's own transcripts when they change after the session was attached", () => {
    const { config, l, sprint, attach } = setup('claude-code-2.0.x');
    attach(V2_SESSION);
    // No whole-history ingest: the sprint's read alone (what every decision does first).
    expect(currentSpend(l, sprint, { CLAUDE_CONFIG_DIR: config }).billing).toBe(1050 + 910);
  });
});

describe('a subagents/ directory whose main transcript is gone', () => {
  it('is still read: by a whole-history ingest, and by the sprint the session was attached to', () => {
    const { config, l, sprint, attach, dir } = setup('orphaned-subagents');
    const agent = join(dir, ORPHAN_SESSION, 'subagents', 'agent-a1b2c3d4e5f6a7b8c.jsonl');
    expect(allTranscripts(config)).toEqual([{ path: agent, sessionId: ORPHAN_SESSION, agentId: 'a1b2c3d4e5f6a7b8c', agentType: null }]);
    attach(ORPHAN_SESSION);
    const spend = currentSpend(l, sprint, { CLAUDE_CONFIG_DIR: config });
    expect(byAgentType(spend.rows)).toEqual({ Explore: 312 });
    // Its .meta.json names the agent it was dispatched for: its runs are told from other Explore runs.
    expect(l.db.prepare('SELECT agent_id, session_id, agent_type, name, tool_use_id FROM agents').all()).toEqual([
      { agent_id: 'a1b2c3d4e5f6a7b8c', session_id: ORPHAN_SESSION, agent_type: 'Explore', name: 'fd-safety', tool_use_id: 'toolu_21_1' },
    ]);
  });
});
