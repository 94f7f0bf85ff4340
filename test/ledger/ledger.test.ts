import { existsSync, mkdtempSync, realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { LedgerError, openLedger } from '../../src/ledger/db';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/ledger/schema';
import { getCursor, putCursor } from '../../src/ledger/cursors';

const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;

function tmp(): string {
  return realpathSync(mkdtempSync(join(tmpdir(), 'sb-ledger-')));
}

describe('migrations', () => {
  it('a ledger at an older schema is backed up, then migrated, keeping its data', () => {
    expect(SCHEMA_VERSION).toBeGreaterThan(1);
    const path = join(tmp(), 'ledger.db');
    const old = new Database(path);
    old.exec(MIGRATIONS[0] as string);
    old.pragma('user_version = 1');
    old.prepare(`INSERT INTO sprints (id, title, project, phases, phase, complexity, complexity_source, token_budget, warn_pct, created_at, updated_at)
      VALUES ('sb-old001', 'kept', '/p', '["a","done"]', 'a', 3, 'explicit', 1000, 80, 1, 1)`).run();
    old.close();

    const l = openLedger(path);
    expect(l.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect((l.db.prepare('SELECT title FROM sprints').get() as { title: string }).title).toBe('kept');
    l.close();

    const backup = `${path}.v1.bak`;
    expect(existsSync(backup)).toBe(true);
    expect(statSync(backup).mode & 0o777).toBe(0o600);
    const b = new Database(backup, { readonly: true });
    expect(b.pragma('user_version', { simple: true })).toBe(1);
    expect((b.prepare('SELECT title FROM sprints').get() as { title: string }).title).toBe('kept');
    b.close();
  });

  it('a new ledger is created at the latest schema without a backup', () => {
    const path = join(tmp(), 'ledger.db');
    openLedger(path, { create: true }).close();
    expect(existsSync(`${path}.v0.bak`)).toBe(false);
    const l = openLedger(path);
    expect(l.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(l.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(l.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(l.db.pragma('synchronous', { simple: true })).toBe(1);
    expect(l.db.pragma('busy_timeout', { simple: true })).toBe(10_000);
    l.close();
    // Hooks wait less for a writer before they spool.
    const hook = openLedger(path, { busyTimeoutMs: 2_000 });
    expect(hook.db.pragma('busy_timeout', { simple: true })).toBe(2_000);
    hook.close();
  });

  it('refuses a ledger from a newer sprint-budget instead of guessing', () => {
    const path = join(tmp(), 'ledger.db');
    const db = new Database(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openLedger(path)).toThrow(LedgerError);
  });

  it('a missing ledger is an error unless asked to create it', () => {
    expect(() => openLedger(join(tmp(), 'nope.db'))).toThrow(/no ledger at/);
  });
});

describe('token counts are bounded', () => {
  const usageRow = (key: string, input: number | bigint, source = 'transcript', origin = `/t.jsonl:${key.charCodeAt(0)}`) =>
    [key, 'response', source, 's1', null, null, null, 'main', 'm', 1000, input, 1, 0, 0, origin] as const;
  const INSERT = `INSERT INTO usage (key, kind, source, session_id, sprint_id, phase, agent_id, agent_type, model, ts,
    input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

  it('rows stored out of range by an older version are moved out into notes when the ledger is migrated, and sums work again', () => {
    const path = join(tmp(), 'ledger.db');
    const old = new Database(path);
    // The ledger as the version before the bound left it.
    const before = MIGRATIONS.findIndex((m) => m.includes('CREATE TABLE unread'));
    for (const m of MIGRATIONS.slice(0, before)) old.exec(m);
    old.pragma(`user_version = ${before}`);
    old.defaultSafeIntegers(true);
    for (const [key, input] of [['a', 9_000_000_000_000_000_000n], ['b', 9_000_000_000_000_000_000n], ['c', 100n]] as const) old.prepare(INSERT).run(...usageRow(key, input));
    old.prepare(INSERT).run(...usageRow('d', 5_000_000_000n, 'hook', 'hook:PostToolUse:toolu_9'));
    expect(() => old.prepare('SELECT SUM(input_tokens) FROM usage').get()).toThrow('integer overflow');
    old.close();

    const l = openLedger(path);
    expect(l.db.prepare('SELECT SUM(input_tokens) AS s, COUNT(*) AS n FROM usage').get()).toEqual({ s: 100, n: 1 });
    const reason = (input: string) => `usage counts out of range (input ${input}, output 1, cache read 0, cache write 0 (5m 0, 1h 0), total 0; at most 1000000000 each): removed from the ledger`;
    expect(l.db.prepare('SELECT path, line, reason FROM unread ORDER BY path, line').all()).toEqual([
      { path: '/t.jsonl', line: 97, reason: reason('9000000000000000000') },
      { path: '/t.jsonl', line: 98, reason: reason('9000000000000000000') },
      { path: 'hook:PostToolUse:toolu_9', line: 0, reason: reason('5000000000') },
    ]);
    l.close();
  });

  it('the ledger refuses a count out of range, whatever writes it', () => {
    const l = openLedger(join(tmp(), 'ledger.db'), { create: true });
    expect(() => l.db.prepare(INSERT).run(...usageRow('k', 1_000_000_001))).toThrow('CHECK constraint failed: usage_counts_bounded');
    l.db.prepare(INSERT).run(...usageRow('k', 1_000_000_000));
    expect(() => l.db.prepare('UPDATE usage SET output_tokens = 1000000001').run()).toThrow('CHECK constraint failed: usage_counts_bounded');
    l.close();
  });
});

describe('cursors', () => {
  it('never move back for the same file (a concurrent reader went further), unless the read started over', () => {
    const l = openLedger(join(tmp(), 'ledger.db'), { create: true });
    const at = (offset: number, ino = 1) => ({ path: '/t.jsonl', dev: 1, ino, size: 500, offset, lines: offset / 10, tail: 'h', mtimeMs: 1 });
    putCursor(l, at(300), false, 1);
    putCursor(l, at(200), false, 2);
    expect(getCursor(l, '/t.jsonl')?.offset).toBe(300);
    putCursor(l, at(200), true, 3);
    expect(getCursor(l, '/t.jsonl')?.offset).toBe(200);
    putCursor(l, at(100, 2), false, 4);
    expect(getCursor(l, '/t.jsonl')).toMatchObject({ offset: 100, ino: 2 });
    l.close();
  });
});
