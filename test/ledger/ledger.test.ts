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
