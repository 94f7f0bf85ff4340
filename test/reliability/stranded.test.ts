/**
 * The spool, the drains and the hand-off never strand events (issue 13, items 5-7): work a killed
 * drainer took is applied by the next command or hook whatever arrives; an attach applied late still
 * counts the session from when it happened; racing drainers never fail; SessionEnd's deadline counts
 * from its process's start and what is left is handed off. Real bundles, real ledger.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLedger } from '../../src/ledger/db';
import { runCli, startCli } from '../helpers/cli';
import { SAMPLE_MAIN_BILLING, SAMPLE_SUB_BILLING, type Sandbox, payload, runHook, sandbox, spendOf, spoolEmpty, spoolLines, writeTranscripts } from '../helpers/hooks';
import { waitFor } from '../helpers/plugin-copy';

const BOTH = SAMPLE_MAIN_BILLING + SAMPLE_SUB_BILLING;

/** Runs `fn` while another writer holds the ledger's lock past the hooks' patience: their events go to the spool. */
function whileLocked(sb: Sandbox, fn: () => void): void {
  const holder = openLedger(sb.ledger);
  holder.db.exec('BEGIN IMMEDIATE');
  try {
    fn();
  } finally {
    holder.db.exec('ROLLBACK');
    holder.close();
  }
}

/** The spool as a drainer leaves it when it took it (renamed it to its own name) and then stopped. */
function takenBy(sb: Sandbox, pid: number): string {
  const taken = join(sb.project, '.sprint-budget', `spool.${pid}.${Date.now()}.0.draining`);
  renameSync(join(sb.project, '.sprint-budget', 'spool.jsonl'), taken);
  return taken;
}

/** Kills a process and waits until it is reaped (a zombie's pid still answers as alive). */
async function killed(child: ReturnType<typeof spawn>): Promise<void> {
  const gone = new Promise((done) => child.once('exit', done));
  child.kill('SIGKILL');
  await gone;
}

function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid as number;
}

function tokensSpent(sb: Sandbox): number {
  const r = runCli(['state', sb.sprintId as string, '--json'], { cwd: sb.project, env: { HOME: sb.home } });
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { tokens_spent: number }).tokens_spent;
}

describe('work a killed drainer took', () => {
  it('is applied by the next command, though nothing new was spooled', () => {
    const sb = sandbox();
    whileLocked(sb, () => {
      runHook('session-start', payload(sb, 'session-start'), sb);
      runHook('post-tool-use', payload(sb, 'post-tool-use'), sb);
    });
    expect(spoolLines(sb).map((e) => e.type)).toEqual(['attach', 'attach', 'usage', 'dispatch_ran']);
    takenBy(sb, deadPid());
    expect(spoolLines(sb)).toEqual([]);

    expect(tokensSpent(sb)).toBe(SAMPLE_SUB_BILLING);
    expect(spoolEmpty(sb)).toBe(true);
  });
});

describe('an attach applied late', () => {
  /**
   * SessionStart's attach queued (the ledger was locked), then taken by a drainer that lives, slowly:
   * hooks and commands leave its work alone while `meanwhile` runs; then it dies, and the next
   * command applies the attach, with its own time.
   */
  async function strandedWhile(sb: Sandbox, meanwhile: () => void): Promise<void> {
    whileLocked(sb, () => runHook('session-start', payload(sb, 'session-start'), sb));
    const slow = spawn('sleep', ['60']);
    try {
      takenBy(sb, slow.pid as number);
      writeTranscripts(sb);
      meanwhile();
    } finally {
      await killed(slow);
    }
  }

  it('counts the session from when it attached, though a later hook attached it first', async () => {
    const sb = sandbox();
    await strandedWhile(sb, () => {
      // Stop finds the session unattached and attaches it now: its responses so far are before that.
      expect(runHook('stop', payload(sb, 'stop'), sb).code).toBe(0);
      expect(spendOf(sb).billing).toBe(0);
    });
    expect(tokensSpent(sb)).toBe(BOTH);
  });

  it('counts lines read while the session was attached to nothing: its transcript is read again', async () => {
    const sb = sandbox();
    await strandedWhile(sb, () => {
      // A history read passes over the main responses of a session attached to no sprint (and moves on).
      const ingest = runCli(['ingest', '--json'], { cwd: sb.project, env: { HOME: sb.home } });
      expect(ingest.code, ingest.stderr).toBe(0);
    });
    expect(tokensSpent(sb)).toBe(BOTH);
  });
});

describe('racing drainers', () => {
  it('sixteen commands at once, with abandoned work waiting: none fails, each event applies once', async () => {
    const sb = sandbox();
    whileLocked(sb, () => {
      runHook('session-start', payload(sb, 'session-start'), sb);
      runHook('post-tool-use', payload(sb, 'post-tool-use'), sb);
    });
    const taken = takenBy(sb, deadPid());
    // More abandoned work: the same events again, as a second killed drainer would leave them (idempotent).
    writeFileSync(taken.replace('.0.draining', '.1.draining'), readFileSync(taken));
    const runs = await Promise.all(Array.from({ length: 16 }, () => startCli(['state', '--json'], { cwd: sb.project, env: { HOME: sb.home } })));
    expect(runs.filter((r) => r.code !== 0).map((r) => r.stderr)).toEqual([]);
    expect(spoolEmpty(sb)).toBe(true);
    expect(spendOf(sb).billing).toBe(SAMPLE_SUB_BILLING);
  });
});

describe("SessionEnd's deadline", () => {
  it('counts from the process start: a slow start leaves no time to read, so the read is handed off, and nothing is lost', async () => {
    const sb = sandbox();
    runHook('session-start', payload(sb, 'session-start'), sb);
    writeTranscripts(sb);
    // Node's start made slow (1.2 s before the hook's code runs), and every Node process started logged.
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'sb-slow-')));
    const log = join(dir, 'started.log');
    const preload = join(dir, 'slow-start.cjs');
    writeFileSync(
      preload,
      `require('node:fs').appendFileSync(${JSON.stringify(log)}, JSON.stringify(process.argv.slice(2)) + '\\n');\n` +
        'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1200);\n',
    );
    const r = runHook('session-end', payload(sb, 'session-end'), sb, { env: { NODE_OPTIONS: `--require ${preload}` } });
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    // The hook handed its read to a detached worker, which applies it.
    await waitFor('the detached worker', () => existsSync(log) && readFileSync(log, 'utf8').includes('--drain') && spoolEmpty(sb));
    expect(spendOf(sb).billing).toBe(BOTH);
    expect(readdirSync(join(sb.project, '.sprint-budget')).filter((f) => f.startsWith('spool'))).toEqual([]);
  });
});
