import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, startCli, tempProject } from '../helpers/cli';

function create(dir: string, ...args: string[]): string {
  const r = runCli(['create', ...args], { cwd: dir });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim();
}

function json<T = Record<string, unknown>>(args: string[], cwd: string, env?: NodeJS.ProcessEnv): T {
  const r = runCli([...args, '--json'], { cwd, env });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
}

function spend(dir: string, phase: string, tokens: number, key: string) {
  const r = runCli(['record', '--phase', phase, '--input', String(tokens), '--output', '0', '--source', 'test', '--key', key], { cwd: dir });
  expect(r.code, r.stderr).toBe(0);
}

describe('create and state', () => {
  it('prints the id, classifies, sets the default budget, and reports every field of the sprint state', () => {
    const dir = tempProject();
    const r = runCli(['create', 'Rename the config loader module please'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^sb-[0-9a-z]{6}\n$/);
    expect(r.stderr).toContain('Complexity: 1/5 (trivial)');
    const st = json(['state'], dir);
    expect(Object.keys(st)).toEqual(
      expect.arrayContaining(['id', 'title', 'phase', 'phases', 'complexity', 'auto_advance', 'token_budget', 'warn_pct', 'tokens_spent', 'tokens_remaining', 'budget_state', 'artifacts', 'history', 'active_session']),
    );
    expect(st).toMatchObject({
      id: r.stdout.trim(),
      phase: 'brainstorm',
      complexity: 1,
      token_budget: 50_000,
      warn_pct: 80,
      tokens_spent: 0,
      tokens_remaining: 50_000,
      budget_state: 'ok',
      auto_advance: true,
      artifacts: {},
      active_session: null,
    });
    expect(Object.keys(st.history as object)).toEqual(['brainstorm_at']);
  });

  it('--budget none is a null budget, never 0; remaining says none', () => {
    const dir = tempProject();
    create(dir, 'x', '--budget', 'none');
    expect(json(['state'], dir)).toMatchObject({ token_budget: null, tokens_remaining: null, budget_state: 'none' });
    expect(runCli(['remaining'], { cwd: dir }).stdout).toBe('none\n');
    expect(json(['remaining'], dir)).toEqual({ sprint: expect.stringMatching(/^sb-/), budget: null, spent: 0, reserved: 0, remaining: null, budget_state: 'none' });
  });

  it('remaining is 0 when the budget is used up', () => {
    const dir = tempProject();
    create(dir, 'x', '--budget', '1000');
    spend(dir, 'brainstorm', 1500, 'k1');
    expect(runCli(['remaining'], { cwd: dir }).stdout).toBe('0\n');
  });

  it('attaches the Claude Code session it runs in', () => {
    const dir = tempProject();
    const r = runCli(['create', 'x'], { cwd: dir, env: { CLAUDE_CODE_SESSION_ID: 'sess-1' } });
    expect(r.code).toBe(0);
    expect(json(['state'], dir)).toMatchObject({ active_session: 'sess-1' });
  });

  it('finds the ledger by walking up, creates it at the git root, honours --db and SPRINT_BUDGET_DB', () => {
    const dir = tempProject();
    const sub = join(dir, 'a', 'b');
    mkdirSync(sub, { recursive: true });
    const id = create(sub, 'x');
    expect(existsSync(join(dir, '.sprint-budget', 'ledger.db'))).toBe(true);
    expect(json<{ id: string }>(['state'], sub).id).toBe(id);
    const other = join(dir, 'elsewhere.db');
    const r = runCli(['create', 'y', '--db', other], { cwd: dir });
    expect(r.code).toBe(0);
    expect(json<{ id: string }>(['state'], dir, { SPRINT_BUDGET_DB: other }).id).toBe(r.stdout.trim());
  });

  it('keeps the ledger private (0600) and in WAL mode', () => {
    const dir = tempProject();
    create(dir, 'x');
    const db = join(dir, '.sprint-budget', 'ledger.db');
    expect(statSync(db).mode & 0o777).toBe(0o600);
    expect(readFileSync(db).subarray(18, 20)).toEqual(Buffer.from([2, 2])); // WAL read/write versions
  });
});

describe('advance: the pause protocol', () => {
  it('moves one phase and prints Phase: from → to', () => {
    const dir = tempProject();
    create(dir, 'x');
    const r = runCli(['advance', '--from', 'brainstorm'], { cwd: dir });
    expect(r).toMatchObject({ code: 0, stdout: 'Phase: brainstorm → brainstorm-reviewed\n' });
    expect(json(['state'], dir)).toMatchObject({ phase: 'brainstorm-reviewed' });
  });

  it('budget_exceeded is level-triggered: every advance past the budget pauses, until an override', () => {
    const dir = tempProject();
    create(dir, 'x', '--budget', '1000');
    spend(dir, 'brainstorm', 1200, 'k1');
    for (let i = 0; i < 2; i++) {
      const r = runCli(['advance'], { cwd: dir });
      expect(r).toMatchObject({ code: 1, stdout: 'budget_exceeded|brainstorm|1200/1000 billing tokens\n' });
      expect(json(['state'], dir)).toMatchObject({ budget_state: 'exceeded', phase: 'brainstorm' });
    }
    expect(runCli(['override', '--reason', 'worth finishing'], { cwd: dir }).code).toBe(0);
    const passed = runCli(['advance'], { cwd: dir });
    expect(passed.code).toBe(0);
    expect(passed.stderr).toContain('budget_warning|brainstorm|1200/1000 billing tokens (120%)');
    // The override was used: the next advance pauses again.
    expect(runCli(['advance'], { cwd: dir })).toMatchObject({ code: 1, stdout: 'budget_exceeded|brainstorm-reviewed|1200/1000 billing tokens\n' });
    const st = json<{ events: { kind: string; reason: string | null }[] }>(['state'], dir);
    expect(st.events.find((e) => e.kind === 'override')?.reason).toBe('worth finishing');
  });

  it('counts the phase being left before checking (no one-phase lag, defect 9)', () => {
    const dir = tempProject();
    create(dir, 'x', '--budget', '1000');
    spend(dir, 'brainstorm', 1000, 'k1');
    expect(runCli(['advance'], { cwd: dir }).stdout).toBe('budget_exceeded|brainstorm|1000/1000 billing tokens\n');
  });

  it('set-budget adjusts the budget with a reason, visible in the history', () => {
    const dir = tempProject();
    create(dir, 'x', '--budget', '1000');
    spend(dir, 'brainstorm', 1200, 'k1');
    const r = runCli(['set-budget', '5k', '--reason', 'bigger than thought'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(runCli(['advance'], { cwd: dir }).code).toBe(0);
    const st = json<{ token_budget: number; events: { kind: string; reason: string; detail: unknown }[] }>(['state'], dir);
    expect(st.token_budget).toBe(5000);
    expect(st.events.find((e) => e.kind === 'set_budget')).toMatchObject({ reason: 'bigger than thought', detail: { from: 1000, to: 5000 } });
  });

  it('warns on stderr past warn_pct without stopping', () => {
    const dir = tempProject();
    create(dir, 'x', '--budget', '1000', '--warn-pct', '50');
    spend(dir, 'brainstorm', 600, 'k1');
    const r = runCli(['advance'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('budget_warning|brainstorm|600/1000 billing tokens (60%)');
  });

  it('gate_blocked until the artifact is recorded, or skipped with a reason', () => {
    const dir = tempProject();
    create(dir, 'x', '--phases', 'draft,planned,done', '--gate', 'planned=plan');
    const r = runCli(['advance'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^gate_blocked\|planned\|missing artifact plan/);
    mkdirSync(join(dir, 'docs'));
    writeFileSync(join(dir, 'docs/plan.md'), '# Plan\n');
    expect(runCli(['artifact', 'plan', 'docs/plan.md'], { cwd: dir }).code).toBe(0);
    expect(runCli(['advance'], { cwd: dir }).stdout).toBe('Phase: draft → planned\n');
    const dir2 = tempProject();
    create(dir2, 'x', '--phases', 'draft,planned,done', '--gate', 'planned=plan');
    expect(runCli(['advance', '--skip-gate'], { cwd: dir2 }).code).toBe(2);
    expect(runCli(['advance', '--skip-gate', '--reason', 'plan lives in the issue'], { cwd: dir2 }).code).toBe(0);
  });

  it('manual_pause when auto_advance is off, until confirmed', () => {
    const dir = tempProject();
    create(dir, 'x', '--manual');
    expect(runCli(['advance'], { cwd: dir })).toMatchObject({ code: 1, stdout: 'manual_pause|brainstorm-reviewed|auto_advance=false\n' });
    expect(runCli(['advance', '--confirm'], { cwd: dir }).code).toBe(0);
  });

  it('stale_phase when --from is not the current phase; it never advances twice', () => {
    const dir = tempProject();
    create(dir, 'x');
    expect(runCli(['advance', '--from', 'brainstorm'], { cwd: dir }).code).toBe(0);
    expect(runCli(['advance', '--from', 'brainstorm'], { cwd: dir })).toMatchObject({
      code: 1,
      stdout: 'stale_phase|brainstorm|Phase already advanced to brainstorm-reviewed\n',
    });
    expect(json(['state'], dir)).toMatchObject({ phase: 'brainstorm-reviewed' });
  });

  it('--to names the phase to enter (the one gate_blocked and manual_pause name); a sprint behind or ahead is stale_phase', () => {
    const dir = tempProject();
    create(dir, 'x', '--manual');
    expect(runCli(['advance', '--from', 'brainstorm'], { cwd: dir }).stdout).toBe('manual_pause|brainstorm-reviewed|auto_advance=false\n');
    // The literal reading of the old text: --from the phase the pause line named.
    expect(runCli(['advance', '--from', 'brainstorm-reviewed', '--confirm'], { cwd: dir }).stdout).toBe('stale_phase|brainstorm-reviewed|Phase is still brainstorm\n');
    expect(runCli(['advance', '--to', 'strategized', '--confirm'], { cwd: dir }).stdout).toBe('stale_phase|brainstorm-reviewed|Phase is still brainstorm\n');
    expect(runCli(['advance', '--to', 'brainstorm-reviewed', '--confirm'], { cwd: dir })).toMatchObject({ code: 0, stdout: 'Phase: brainstorm → brainstorm-reviewed\n' });
    expect(runCli(['advance', '--to', 'brainstorm-reviewed', '--confirm'], { cwd: dir }).stdout).toBe('stale_phase|brainstorm|Phase already advanced to brainstorm-reviewed\n');
    expect(runCli(['advance', '--from', 'brainstorm', '--to', 'planned'], { cwd: dir }).code).toBe(2);
  });

  it('a --from or --to that is not a phase of the sprint is a bad argument (exit 2), not a stale phase', () => {
    const dir = tempProject();
    create(dir, 'x', '--phases', 'draft,review,done');
    for (const args of [['--from', 'brainstorm'], ['--to', 'planned'], ['--to', 'draft']]) {
      const r = runCli(['advance', ...args], { cwd: dir });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
    }
    expect(runCli(['advance', '--from', 'brainstorm'], { cwd: dir }).stderr).toMatch(/--from: "brainstorm" is not a phase of sprint sb-\w+ \(draft,review,done\)/);
  });

  it('a chain ends with done; entering done ends the sprint', () => {
    const dir = tempProject();
    expect(runCli(['create', 'x', '--phases', 'draft,review'], { cwd: dir })).toMatchObject({ code: 2, stderr: expect.stringContaining('a phase chain ends with "done"') });
    expect(runCli(['create', 'x', '--phases', 'draft,done,review'], { cwd: dir }).code).toBe(2);
    const id = create(dir, 'x', '--phases', 'draft,done');
    expect(runCli(['advance'], { cwd: dir }).code).toBe(0);
    expect(json(['state', id], dir)).toMatchObject({ phase: 'done', status: 'done' });
    expect(runCli(['advance', id], { cwd: dir })).toMatchObject({ code: 2, stderr: `sprint-budget: sprint ${id} is done; it does not advance\n` });
  });

  it('a gate on the first phase is refused at create; an artifact that does not exist is not recorded', () => {
    const dir = tempProject();
    const first = runCli(['create', 'x', '--gate', 'brainstorm=notes'], { cwd: dir });
    expect(first.code).toBe(2);
    expect(first.stderr).toContain('gate for "brainstorm": the sprint starts in it');
    create(dir, 'x', '--gate', 'planned=plan');
    const missing = runCli(['artifact', 'plan', 'docs/plan.md'], { cwd: dir });
    expect(missing).toMatchObject({ code: 2, stderr: 'sprint-budget: artifact plan: there is no docs/plan.md (write it first, then record it)\n' });
    expect(json<{ artifacts: object }>(['state'], dir).artifacts).toEqual({});
  });

  it('--json answers a pause with its parts', () => {
    const dir = tempProject();
    create(dir, 'x', '--budget', '10');
    spend(dir, 'brainstorm', 20, 'k');
    const r = runCli(['advance', '--json'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ advanced: false, type: 'budget_exceeded', phase: 'brainstorm', line: 'budget_exceeded|brainstorm|20/10 billing tokens' });
  });
});

describe('concurrency', () => {
  it('8 racing advances move the sprint exactly one phase; the rest get stale_phase, none SQLITE_BUSY', async () => {
    const dir = tempProject();
    create(dir, 'x');
    const results = await Promise.all(Array.from({ length: 8 }, () => startCli(['advance', '--from', 'brainstorm'], { cwd: dir })));
    expect(results.filter((r) => r.code === 0)).toHaveLength(1);
    const stale = results.filter((r) => r.code === 1);
    expect(stale).toHaveLength(7);
    for (const r of stale) expect(r.stdout).toBe('stale_phase|brainstorm|Phase already advanced to brainstorm-reviewed\n');
    for (const r of results) expect(r.stderr).not.toMatch(/BUSY|locked/i);
    const st = json<{ phase: string; events: { kind: string }[] }>(['state'], dir);
    expect(st.phase).toBe('brainstorm-reviewed');
    expect(st.events.filter((e) => e.kind === 'advance')).toHaveLength(1);
  });

  it('the same record key written by 8 processes at once counts once', async () => {
    const dir = tempProject();
    create(dir, 'x');
    const args = ['record', '--phase', 'brainstorm', '--input', '700', '--output', '30', '--source', 'my-tool', '--key', 'run-42'];
    const results = await Promise.all(Array.from({ length: 8 }, () => startCli(args, { cwd: dir })));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    expect(json(['state'], dir)).toMatchObject({ tokens_spent: 730 });
  });
});

describe('bad input: exit 2 and one line naming the problem', () => {
  it('an unknown sprint', () => {
    const dir = tempProject();
    create(dir, 'x');
    const r = runCli(['state', 'sb-nope00'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('unknown sprint "sb-nope00"');
  });

  it('a non-numeric budget', () => {
    const dir = tempProject();
    for (const args of [['create', 'x', '--budget', 'lots'], ['create', 'x', '--complexity', '9'], ['create', 'x', '--warn-pct', '0']]) {
      const r = runCli(args, { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    create(dir, 'x');
    const r = runCli(['set-budget', 'lots', '--reason', 'r'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"lots" is not a token amount');
  });

  it('a corrupt ledger: exit 2, named, never overwritten', () => {
    const dir = tempProject();
    const db = join(dir, '.sprint-budget', 'ledger.db');
    mkdirSync(join(dir, '.sprint-budget'));
    const garbage = Buffer.from('this is not a sqlite database, but someone cares about it\n'.repeat(200));
    writeFileSync(db, garbage);
    const hash = () => createHash('sha256').update(readFileSync(db)).digest('hex');
    const before = hash();
    for (const args of [['state'], ['create', 'y'], ['advance']]) {
      const r = runCli(args, { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(`ledger ${db} is damaged (file is not a database); it is left as it is and nothing more is written to it; sprint-budget doctor says how to recover it`);
    }
    expect(hash()).toBe(before);
  });

  it('no active sprint is a negative answer (exit 1), unknown commands and flags are errors (exit 2)', () => {
    const dir = tempProject();
    expect(runCli(['state'], { cwd: dir }).code).toBe(1);
    create(dir, 'x');
    expect(runCli(['stop', '--reason', 'done for now'], { cwd: dir }).code).toBe(0);
    expect(runCli(['state'], { cwd: dir }).code).toBe(1);
    expect(runCli(['frobnicate'], { cwd: dir }).code).toBe(2);
    expect(runCli(['state', '--frob'], { cwd: dir }).code).toBe(2);
  });
});

describe('every command', () => {
  const commands = ['create', 'state', 'list', 'advance', 'remaining', 'tokens', 'set-budget', 'override', 'stop', 'artifact', 'record', 'attach', 'ingest', 'classify'];
  it.each(commands)('%s has --help', (cmd) => {
    const r = runCli([cmd, '--help'], { cwd: tempProject() });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: sprint-budget ${cmd}`);
    expect(r.stdout).toContain('--json');
  });

  it('classify answers in text and JSON', () => {
    const dir = tempProject();
    expect(runCli(['classify', 'explore and research the caching options we have'], { cwd: dir }).stdout).toBe(
      'Complexity: 5/5 (research) · 8 words · rule research\n',
    );
    expect(json(['classify', 'fix typo in the readme file'], dir)).toMatchObject({ complexity: 1, rule: 'trivial' });
  });

  it('list shows sprints with their spend', () => {
    const dir = tempProject();
    const id = create(dir, 'first');
    spend(dir, 'brainstorm', 1234, 'k');
    const rows = json<{ id: string; tokens_spent: number }[]>(['list'], dir);
    expect(rows).toEqual([expect.objectContaining({ id, tokens_spent: 1234 })]);
    expect(runCli(['list'], { cwd: dir }).stdout).toMatch(/^ID\s+Status\s+Phase\s+Spent/);
  });
});
