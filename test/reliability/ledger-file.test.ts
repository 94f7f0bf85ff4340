/**
 * The ledger file cannot be turned against the user, and its failures are said clearly (issue 13,
 * items 10-13): a symlinked ledger is refused unless named; a damaged ledger is found (after an
 * unclean shutdown, or when SQLite meets the damage), never written further, and said with the way
 * to recover; a full disk is "disk full" with the path, leaves no temporary and loses nothing; a hook
 * payload's odd cwd is one line. Real bundles, a real ledger, a real full disk (a small tmpfs).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, realpathSync, rmSync, symlinkSync, utimesSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, cleanEnv, runCli, tempProject } from '../helpers/cli';
import { HOOKS, type HookName, SAMPLE_MAIN_BILLING, SAMPLE_SUB_BILLING, type Sandbox, payload, runHook, sandbox, spoolLines, writeTranscripts } from '../helpers/hooks';

const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
const BOTH = SAMPLE_MAIN_BILLING + SAMPLE_SUB_BILLING;
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function cli(sb: Pick<Sandbox, 'project' | 'home'>, args: string[], env: NodeJS.ProcessEnv = {}) {
  return runCli(args, { cwd: sb.project, env: { HOME: sb.home, ...env } });
}

describe('a symlinked ledger', () => {
  it('found in the project is refused by commands and hooks, in one line; nothing is made or changed at its target', () => {
    const project = tempProject();
    const elsewhere = realpathSync(mkdtempSync(join(tmpdir(), 'sb-elsewhere-')));
    mkdirSync(join(project, '.sprint-budget'));
    // A dangling link: following it would create a ledger outside the project.
    symlinkSync(join(elsewhere, 'ledger.db'), join(project, '.sprint-budget', 'ledger.db'));
    const refused = `sprint-budget: ${join(project, '.sprint-budget', 'ledger.db')} is a symlink (to ${join(elsewhere, 'ledger.db')}): a ledger found in a project is not followed through one; name it with --db or SPRINT_BUDGET_DB to use it\n`;
    for (const args of [['create', 'Through a link'], ['state']]) {
      const r = runCli(args, { cwd: project });
      expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 2, stderr: refused });
    }
    const home = realpathSync(mkdtempSync(join(tmpdir(), 'sb-home-')));
    const sb = { ...sandboxPaths(project, home), sprintId: null };
    const hook = runHook('session-start', payload(sb, 'session-start'), sb);
    expect(hook.code).toBe(1);
    expect(hook.stderr).toBe(refused.replace('sprint-budget: ', 'sprint-budget SessionStart hook: ignored: '));
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('named with --db or SPRINT_BUDGET_DB is followed', () => {
    const project = tempProject();
    const elsewhere = realpathSync(mkdtempSync(join(tmpdir(), 'sb-elsewhere-')));
    symlinkSync(elsewhere, join(project, 'shared-ledgers'));
    const db = join(project, 'shared-ledgers', 'ledger.db');
    expect(runCli(['create', 'Named', '--db', db], { cwd: project }).code).toBe(0);
    expect(runCli(['state', '--json'], { cwd: project, env: { SPRINT_BUDGET_DB: db } }).code).toBe(0);
    expect(readdirSync(elsewhere)).toContain('ledger.db');
  });
});

/** The root page of a table, and the page size. */
function pageOf(ledger: string, table: string): { page: number; size: number } {
  const db = new Database(ledger, { readonly: true });
  try {
    const { rootpage } = db.prepare('SELECT rootpage FROM sqlite_master WHERE name = ?').get(table) as { rootpage: number };
    return { page: rootpage, size: db.pragma('page_size', { simple: true }) as number };
  } finally {
    db.close();
  }
}

/** Damages a table's root page (its b-tree page type byte), as a bad disk or a stray write would. */
function damage(ledger: string, table: string): void {
  const { page, size } = pageOf(ledger, table);
  const fd = openSync(ledger, 'r+');
  try {
    writeSync(fd, Buffer.from([0xff, 0xff, 0xff, 0xff]), 0, 4, (page - 1) * size);
  } finally {
    closeSync(fd);
  }
}

/** A process that writes to the ledger and is killed before it closes it: its write-ahead log stays, idle for two minutes. */
function uncleanShutdown(ledger: string): void {
  const r = spawnSync(process.execPath, [
    '-e',
    `const D=require(${JSON.stringify(createRequire(import.meta.url).resolve('better-sqlite3'))});const d=new D(process.argv[1]);d.pragma('journal_mode=WAL');d.exec('UPDATE sprints SET updated_at = updated_at + 1');process.kill(process.pid,'SIGKILL')`,
    ledger,
  ]);
  expect(r.signal).toBe('SIGKILL');
  const old = new Date(Date.now() - 120_000);
  utimesSync(`${ledger}-wal`, old, old);
}

describe('a damaged ledger', () => {
  it('after an unclean shutdown, is checked before anything is written: refused in one line, with how to recover, and left as it is', () => {
    const sb = sandbox();
    runHook('session-start', payload(sb, 'session-start'), sb);
    writeTranscripts(sb);
    // Damage where no command reads: it would be written further, unseen.
    damage(sb.ledger, 'triage_runs');
    uncleanShutdown(sb.ledger);
    const before = sha(sb.ledger);
    const r = cli(sb, ['state', '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(`^sprint-budget: ledger ${sb.ledger.replaceAll('.', '\\.')} is damaged \\(integrity check after an unclean shutdown: .+\\); it is left as it is and nothing more is written to it; sprint-budget doctor says how to recover it\\n$`),
    );
    expect(sha(sb.ledger)).toBe(before);
    // Refused from now on, though the write-ahead log is gone: the hooks queue what they would write.
    rmSync(`${sb.ledger}-wal`);
    rmSync(`${sb.ledger}-shm`, { force: true });
    expect(cli(sb, ['state']).stderr).toContain('is damaged (integrity check after an unclean shutdown');
    const stop = runHook('stop', payload(sb, 'stop'), sb);
    expect(stop.code).toBe(1);
    expect(stop.stderr).toMatch(/^sprint-budget Stop hook: ledger .* is damaged .*sprint-budget doctor says how to recover it \(events queued in the spool\)\n$/);
    expect(spoolLines(sb).map((e) => e.type)).toEqual(['attach', 'ingest']);
    expect(sha(sb.ledger)).toBe(before);
  });

  it('met by SQLite while a command works: marked, said with the backup to restore, never written further', () => {
    const sb = sandbox();
    runHook('session-start', payload(sb, 'session-start'), sb);
    // An automatic backup exists (made before a migration).
    writeFileSync(`${sb.ledger}.v4.bak`, readFileSync(sb.ledger));
    damage(sb.ledger, 'sprint_events');
    const before = sha(sb.ledger);
    const r = cli(sb, ['state']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `sprint-budget: ledger ${sb.ledger} is damaged (database disk image is malformed); it is left as it is and nothing more is written to it; sprint-budget doctor says how to recover it from the backup ${sb.ledger}.v4.bak (doctor --fix puts it in place)\n`,
    );
    expect(readFileSync(`${sb.ledger}.damaged`, 'utf8')).toMatch(/^database disk image is malformed\n/);
    writeTranscripts(sb);
    for (const hook of ['post-tool-use', 'stop'] as const) expect(runHook(hook, payload(sb, hook), sb).code).toBe(1);
    expect(sha(sb.ledger)).toBe(before);
  });

  it('doctor --fix puts the newest backup in its place, keeps the damaged one beside it, and the spend is read again', () => {
    const sb = sandbox();
    runHook('session-start', payload(sb, 'session-start'), sb);
    writeFileSync(`${sb.ledger}.v4.bak`, readFileSync(sb.ledger));
    writeTranscripts(sb);
    runHook('stop', payload(sb, 'stop'), sb);
    damage(sb.ledger, 'sprint_events');
    expect(cli(sb, ['state']).code).toBe(2);
    const damaged = sha(sb.ledger);
    const doctor = cli(sb, ['doctor', '--fix', '--json']);
    expect((JSON.parse(doctor.stdout) as { checks: { name: string; status: string }[] }).checks.find((c) => c.name === 'ledger')?.status).toBe('ok');
    expect(existsSync(`${sb.ledger}.damaged`)).toBe(false);
    const aside = readdirSync(dirname(sb.ledger)).filter((f) => f.startsWith('ledger.db.damaged-') && !f.endsWith('-wal') && !f.endsWith('-shm'));
    expect(aside).toHaveLength(1);
    expect(sha(join(dirname(sb.ledger), aside[0] as string))).toBe(damaged);
    // The backup knew the session but none of its spend: the transcripts give it all back.
    expect(JSON.parse(cli(sb, ['state', '--json']).stdout).tokens_spent).toBe(SAMPLE_MAIN_BILLING + SAMPLE_SUB_BILLING);
  });
});

/** A small filesystem of its own (tmpfs), to be filled: only root can mount one, so elsewhere these cases are skipped. */
const mounted: string[] = [];
function smallDisk(): string | null {
  if (process.getuid?.() !== 0) return null;
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'sb-full-')));
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir]).status !== 0) return null;
  mounted.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of mounted) spawnSync('umount', ['-l', dir]);
});

/** Fills the filesystem at `dir` to its last byte with one file; returns it. */
function fill(dir: string): string {
  const filler = join(dir, 'filler');
  const fd = openSync(filler, 'w');
  const block = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, block);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
    for (let n = 4096; n >= 1; n = Math.floor(n / 2)) {
      try {
        for (;;) writeSync(fd, block, 0, n);
      } catch {
        // Smaller pieces fill what is left.
      }
    }
  } finally {
    closeSync(fd);
  }
  return filler;
}

describe('a full disk', () => {
  it('is "disk full" with the path; no temporary is left; nothing is lost once there is room again', () => {
    const disk = smallDisk();
    if (!disk) return;
    // The project (its ledger) and the plugin's data (its code cache) on the small disk; the transcripts elsewhere.
    const project = join(disk, 'project');
    mkdirSync(join(project, '.git'), { recursive: true });
    const home = realpathSync(mkdtempSync(join(tmpdir(), 'sb-home-')));
    const data = join(disk, 'plugin-data');
    const env = { CLAUDE_PLUGIN_DATA: data };
    expect(runCli(['create', 'On a small disk', '--budget', '1000000'], { cwd: project, env: { HOME: home } }).code).toBe(0);
    const sb = { ...sandboxPaths(project, home), sprintId: null } as Sandbox;
    expect(runHook('session-start', payload(sb, 'session-start'), sb, { env }).code).toBe(0);
    writeTranscripts(sb);
    const filler = fill(disk);

    const state = cli(sb, ['state', '--json'], env);
    expect({ code: state.code, stderr: state.stderr }).toEqual({ code: 2, stderr: expect.stringMatching(/^sprint-budget: disk full: cannot write \/.+\n$/) });
    expect(state.stderr).toContain(disk);
    const stop = runHook('stop', payload(sb, 'stop'), sb, { env });
    expect(stop.code).toBe(1);
    expect(stop.stderr).toMatch(/^sprint-budget Stop hook: disk full: cannot write .*; and the spool could not be written: disk full: cannot write .*spool\.jsonl\n$/);
    const temporaries = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String).filter((f) => /\.(tmp|draining)$/.test(f)) : []);
    expect([...temporaries(join(project, '.sprint-budget')), ...temporaries(data)]).toEqual([]);

    rmSync(filler);
    const after = cli(sb, ['state', '--json'], env);
    expect(after.code, after.stderr).toBe(0);
    expect(JSON.parse(after.stdout).tokens_spent).toBe(BOTH);
  });
});

/** The sandbox's paths for a project and HOME made by hand. */
function sandboxPaths(project: string, home: string): Omit<Sandbox, 'sprintId'> {
  const dir = join(home, '.claude/projects', project.replace(/[^a-zA-Z0-9]/g, '-'));
  return {
    project,
    home,
    ledger: join(project, '.sprint-budget/ledger.db'),
    transcript: join(dir, '2f615247-9f0e-4d07-ade0-cad4d6e2665c.jsonl'),
    subagentTranscript: join(dir, '2f615247-9f0e-4d07-ade0-cad4d6e2665c', 'subagents', 'agent-a946a5f5990bbc7a2.jsonl'),
    envFile: join(home, 'session-env.sh'),
  };
}

describe('a hook payload with an odd cwd', () => {
  it('under a regular file, or holding a NUL byte: one line on stderr, a non-blocking exit, nothing written', () => {
    const sb = sandbox();
    const file = join(sb.project, 'README');
    writeFileSync(file, 'a file');
    for (const cwd of [join(file, 'sub'), `${sb.project}/a\u0000b`]) {
      for (const hook of Object.keys(HOOKS) as HookName[]) {
        const r = spawnSync(process.execPath, [join(CLI, '..', 'hooks', `${hook}.cjs`)], {
          cwd: sb.project,
          input: JSON.stringify(payload(sb, hook, { cwd })),
          env: cleanEnv({ HOME: sb.home }),
          encoding: 'utf8',
        });
        expect({ hook, cwd, status: r.status }).toEqual({ hook, cwd, status: 1 });
        expect(r.stderr).toMatch(new RegExp(`^sprint-budget ${HOOKS[hook]} hook: ignored: cwd .+ cannot be used \\((ENOTDIR: not a directory|it holds a NUL byte)\\)\\n$`));
      }
    }
  });
});
