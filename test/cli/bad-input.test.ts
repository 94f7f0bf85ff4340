/**
 * Bad input gets one clear line and exit 2, and text people typed cannot drive the terminal: titles
 * are one plain line of bounded length, negative numbers reach the check of what they were given for,
 * a ledger held by another process is "busy", and the ledger folder is never committed by accident.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqlite } from '../../src/install/binding';
import { runCli, startCli, tempProject } from '../helpers/cli';

const ESC = '\u001b';

describe('titles', () => {
  it('are stored as one plain line: escape sequences and control characters removed, newlines made spaces', () => {
    const dir = tempProject();
    const title = `Add ${ESC}[31mred${ESC}[0m CSV${ESC}]0;pwned${ESC}\\ export\nand\tmore\u202e`;
    const r = runCli(['create', title], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const st = JSON.parse(runCli(['state', '--json'], { cwd: dir }).stdout) as { title: string };
    expect(st.title).toBe('Add red CSV export and more');
  });

  it('longer than 120 characters are refused, with where the rest goes', () => {
    const dir = tempProject();
    const r = runCli(['create', 'x'.repeat(121)], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('sprint-budget: the title is 121 characters long, at most 120 (put the rest in --description)\n');
    expect(runCli(['create', 'x'.repeat(120)], { cwd: dir }).code).toBe(0);
    expect(runCli(['create', `${ESC}[2J\n\t`], { cwd: dir }).stderr).toBe('sprint-budget: a sprint needs a title\n');
  });

  it('already in a ledger with escapes or newlines reach list and state plain (issue 13, item 14)', () => {
    const dir = tempProject();
    const id = runCli(['create', 'placeholder'], { cwd: dir }).stdout.trim();
    const db = openSqlite(join(dir, '.sprint-budget/ledger.db'));
    db.prepare('UPDATE sprints SET title = ? WHERE id = ?').run(`Evil${ESC}[2J${ESC}]0;retitled\u0007\nsecond line`, id);
    db.close();
    expect(runCli(['override', '--reason', `because${ESC}[1A\nreally`], { cwd: dir }).code).toBe(0);
    for (const args of [['list'], ['state'], ['tokens']]) {
      const out = runCli(args, { cwd: dir }).stdout;
      expect(out, args.join(' ')).not.toContain(ESC);
      expect(out, args.join(' ')).not.toContain('\u0007');
    }
    expect(runCli(['list'], { cwd: dir }).stdout).toMatch(/ Evil second line\n$/);
    const state = runCli(['state'], { cwd: dir }).stdout;
    expect(state.split('\n')[0]).toBe(`Sprint ${id} · Evil second line`);
    expect(state).toContain('· "because really"');
  });
});

describe('negative numbers', () => {
  it('get the message of the check they were given to, not node\'s "argument is ambiguous"', () => {
    const dir = tempProject();
    runCli(['create', 'x'], { cwd: dir });
    const cases: [string[], string][] = [
      [['create', 'y', '--budget', '-5'], '--budget: a budget must be positive, got "-5" (use "none" for no budget)'],
      [['create', 'y', '--files', '-1'], '--files: expected an integer ≥ 0, got "-1"'],
      [['create', 'y', '--complexity', '-3'], '--complexity: expected an integer from 1 to 5, got "-3"'],
      [['record', '--phase', 'brainstorm', '--input', '-5', '--output', '1', '--source', 't', '--key', 'k'], '--input: expected an integer from 0 to 1000000000, got "-5"'],
      [['record', '--phase', 'brainstorm', '--total', '-2k', '--source', 't', '--key', 'k'], '--total: expected an integer from 0 to 1000000000, got "-2k"'],
      [['set-budget', '-5', '--reason', 'x'], 'budget: a budget must be positive, got "-5" (use "none" for no budget)'],
      [['classify', 'rename it', '--files=-4'], '--files: expected an integer ≥ 0, got "-4"'],
    ];
    for (const [args, message] of cases) {
      const r = runCli(args, { cwd: dir });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toBe(`sprint-budget: ${message}\n`);
    }
  });
});

describe('a ledger held by another process', () => {
  it('says the ledger is busy (exit 2), not "internal error"', async () => {
    const dir = tempProject();
    runCli(['create', 'x'], { cwd: dir });
    const db = openSqlite(join(dir, '.sprint-budget/ledger.db'));
    db.exec('BEGIN IMMEDIATE');
    try {
      const r = await startCli(['record', '--phase', 'brainstorm', '--total', '10', '--source', 't', '--key', 'k'], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toBe('sprint-budget: the ledger is busy (another sprint-budget process held it for 10 s); try again\n');
    } finally {
      db.exec('ROLLBACK');
      db.close();
    }
  }, 30_000);
});

it('the ledger folder carries its own .gitignore when it is made', () => {
  const dir = tempProject();
  expect(runCli(['create', 'x'], { cwd: dir }).code).toBe(0);
  expect(readFileSync(join(dir, '.sprint-budget/.gitignore'), 'utf8')).toMatch(/^\*$/m);
});
