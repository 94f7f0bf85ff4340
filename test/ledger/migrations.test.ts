/**
 * Migration 5 on a ledger written before it: sessions still open on a stopped sprint
 * are closed when it stopped, and recorded figures take their per-sprint keys, so recording the same
 * figure again after the upgrade changes nothing.
 */
import { mkdtempSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { expect, it } from 'vitest';
import { figureKey } from '../../src/app/record';
import { openLedger } from '../../src/ledger/db';
import { MIGRATIONS } from '../../src/ledger/schema';

const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;

it('closes open sessions of stopped sprints at the stop, and re-keys recorded figures per sprint', () => {
  const path = join(realpathSync(mkdtempSync(join(tmpdir(), 'sb-migrate-'))), 'ledger.db');
  const old = new Database(path);
  for (const m of MIGRATIONS.slice(0, 2)) old.exec(m);
  old.pragma('user_version = 2');
  const sprint = old.prepare(
    `INSERT INTO sprints (id, title, project, phases, phase, complexity, complexity_source, token_budget, warn_pct, status, created_at, updated_at)
     VALUES (?, ?, '/p', '["a","done"]', 'a', 3, 'explicit', NULL, 80, ?, 1000, ?)`,
  );
  sprint.run('sb-stop01', 'stopped', 'stopped', 5000);
  sprint.run('sb-live01', 'live', 'active', 1000);
  const session = old.prepare('INSERT INTO sessions (session_id, sprint_id, attached_at, detached_at, via) VALUES (?, ?, ?, NULL, ?)');
  session.run('s-stopped', 'sb-stop01', 2000, 'hook');
  session.run('s-live', 'sb-live01', 2000, 'hook');
  const usage = old.prepare(
    `INSERT INTO usage (key, kind, source, session_id, sprint_id, phase, agent_id, agent_type, model, ts, input_tokens, output_tokens,
       cache_read_tokens, cache_write_tokens, origin) VALUES (?, ?, ?, NULL, ?, 'a', NULL, 'main', NULL, 3000, ?, 0, 0, 0, ?)`,
  );
  usage.run('run-1', 'report', 'my-tool', 'sb-live01', 700, 'record:my-tool:run-1');
  usage.run('interstat:s:x:t', 'report', 'interstat', null, 50, 'interstat:metrics.db:1');
  old.close();

  const l = openLedger(path);
  try {
    const sessions = l.db.prepare('SELECT session_id, detached_at FROM sessions ORDER BY session_id').all();
    expect(sessions).toEqual([
      { session_id: 's-live', detached_at: null },
      { session_id: 's-stopped', detached_at: 5000 },
    ]);
    const keys = l.db.prepare('SELECT key, total_tokens FROM usage ORDER BY key').all();
    expect(keys).toEqual([
      { key: 'interstat:s:x:t', total_tokens: 0 },
      { key: figureKey('sb-live01', 'my-tool', 'run-1'), total_tokens: 0 },
    ]);
  } finally {
    l.close();
  }
});
