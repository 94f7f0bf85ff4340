/**
 * What the reliability suite (test/reliability/) shares: processes started as Claude Code starts
 * them and killed at chosen points, what a kill left in the ledger's write-ahead log, the ledger's
 * own totals, and the counts each file reports.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { expect } from 'vitest';
import { openSqlite } from '../../src/install/binding';
import { handlersFor } from '../../scripts/hook-command.mjs';
import { CLI, PLUGIN, cleanEnv, runCli } from './cli';
import { HOOKS, type HookName, SAMPLE_SESSION, type Sandbox, spoolEmpty, writeDispatchResponse } from './hooks';


/** A hook (by name) or a CLI command (its arguments), as Claude Code or a user starts it. */
export type Job = { hook: HookName; payload: Record<string, unknown> } | { cli: string[] };

export function jobName(job: Job): string {
  return 'hook' in job ? HOOKS[job.hook] : `cli ${job.cli.join(' ')}`;
}

export interface Ended {
  /** The first failing exit code of its processes (0: none failed). */
  code: number | null;
  /** The signal that ended one of them, if one did. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A job started: its processes (every handler the payload selects, as Claude Code starts them) and their end. */
export interface Started {
  children: ChildProcess[];
  end: Promise<Ended>;
}

function ended(child: ChildProcess): Promise<Ended> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((done) => child.once('close', (code, signal) => done({ code, signal, stdout, stderr })));
}

/** Starts the job in the sandbox, without waiting. */
export function startJob(job: Job, sb: Pick<Sandbox, 'project' | 'home'>, env: NodeJS.ProcessEnv = {}): Started {
  const fullEnv = cleanEnv({ HOME: sb.home, CLAUDE_PROJECT_DIR: sb.project, CLAUDE_CODE_SESSION_ID: SAMPLE_SESSION, ...env });
  if ('hook' in job) writeDispatchResponse(job.hook, job.payload);
  const children =
    'cli' in job
      ? [spawn(process.execPath, [CLI, ...job.cli], { cwd: sb.project, env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] })]
      : handlersFor({ ...job.payload, hook_event_name: HOOKS[job.hook] }, PLUGIN).map(({ command, args }) => {
          const child = spawn(command, args, { cwd: sb.project, env: fullEnv, stdio: ['pipe', 'pipe', 'pipe'] });
          child.stdin?.end(JSON.stringify(job.payload));
          return child;
        });
  const end = Promise.all(children.map(ended)).then((all) => ({
    code: all.find((e) => e.code !== 0)?.code ?? 0,
    signal: all.find((e) => e.signal !== null)?.signal ?? null,
    stdout: all.map((e) => e.stdout).join(''),
    stderr: all.map((e) => e.stderr).join(''),
  }));
  return { children, end };
}

export function killJob(job: Started): void {
  for (const c of job.children) c.kill('SIGKILL');
}

const running = (job: Started) => job.children.some((c) => c.exitCode === null && c.signalCode === null);

/** Waits until the file at `path` grows past `from` bytes (true), or the job ends or `ms` pass first (false). */
export async function grows(path: string, from: number, job: Started, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until && running(job)) {
    if ((statSync(path, { throwIfNoEntry: false })?.size ?? 0) > from) return true;
    await new Promise((r) => setImmediate(r));
  }
  return false;
}

/**
 * Whether a write-ahead log ends inside a transaction: its last frame of the current generation
 * (salts as in its header) is not a commit frame. A process killed while it wrote a commit leaves
 * that; SQLite ignores those frames when it next opens the ledger.
 */
export function endsInsideCommit(wal: string): boolean {
  if (!existsSync(wal)) return false;
  const b = readFileSync(wal);
  if (b.length < 32) return false;
  const pageSize = b.readUInt32BE(8);
  const salts = [b.readUInt32BE(16), b.readUInt32BE(20)];
  let lastCommit: number | null = null;
  for (let at = 32; at + 24 <= b.length; at += 24 + pageSize) {
    if (b.readUInt32BE(at + 8) !== salts[0] || b.readUInt32BE(at + 12) !== salts[1]) break;
    lastCommit = b.readUInt32BE(at + 4);
  }
  return lastCommit === 0;
}

export interface LedgerTruth {
  /** Responses stored, per agent type: count, input, output, cache read, cache write. */
  byAgentType: Record<string, { responses: number; input: number; output: number; cacheRead: number; cacheWrite: number }>;
  integrity: string;
}

/** What the ledger holds, read with SQLite directly (no reading of transcripts on the way). */
export function ledgerTruth(path: string): LedgerTruth {
  const db = openSqlite(path, { readonly: true });
  try {
    const rows = db
      .prepare(
        `SELECT agent_type AS t, COUNT(*) AS responses, SUM(input_tokens) AS input, SUM(output_tokens) AS output,
           SUM(cache_read_tokens) AS cacheRead, SUM(cache_write_tokens) AS cacheWrite
         FROM usage WHERE kind = 'response' GROUP BY agent_type ORDER BY agent_type`,
      )
      .all() as ({ t: string } & LedgerTruth['byAgentType'][string])[];
    return { byAgentType: Object.fromEntries(rows.map(({ t, ...rest }) => [t, rest])), integrity: String(db.pragma('integrity_check', { simple: true })) };
  } finally {
    db.close();
  }
}

export type Truth = LedgerTruth['byAgentType'];

/** Counts one response of `type` into `truth`. */
export function addResponse(truth: Truth, type: string, r: { input: number; output: number; cacheRead?: number; cacheWrite?: number }): void {
  const t = (truth[type] ??= { responses: 0, input: 0, output: 0, cacheRead: 0, cacheWrite: 0 });
  t.responses++;
  t.input += r.input;
  t.output += r.output;
  t.cacheRead += r.cacheRead ?? 0;
  t.cacheWrite += r.cacheWrite ?? 0;
}

/** What writeTranscripts writes: the sample's main transcript, 2 × 1000/40 (cache read 2000, write 100), and its subagent's 500/20. */
export function sampleTruth(): Truth {
  const truth: Truth = {};
  for (let i = 0; i < 2; i++) addResponse(truth, 'main', { input: 1000, output: 40, cacheRead: 2000, cacheWrite: 100 });
  addResponse(truth, 'general-purpose', { input: 500, output: 20 });
  return truth;
}

/**
 * After one ordinary read (what the sandbox's `state` does): the ledger whole, every response in it
 * once with its counts, the sprint's spend their billing tokens, nothing left in the spool. Returns
 * the tokens lost (or counted twice), for the report.
 */
export function expectEveryTokenOnce(sb: Pick<Sandbox, 'project' | 'home' | 'ledger'>, expected: Truth): number {
  const state = runCli(['state', '--json'], { cwd: sb.project, env: { HOME: sb.home } });
  expect(state.code, state.stderr).toBe(0);
  const truth = ledgerTruth(sb.ledger);
  expect(truth.integrity).toBe('ok');
  expect(truth.byAgentType).toEqual(expected);
  expect(JSON.parse(state.stdout).tokens_spent).toBe(Object.values(expected).reduce((sum, t) => sum + t.input + t.output, 0));
  expect(spoolEmpty(sb)).toBe(true);
  return tokensLost(expected, truth.byAgentType);
}

/** |expected − measured| billing tokens over every agent type: what was lost (or counted twice). */
export function tokensLost(expected: LedgerTruth['byAgentType'], measured: LedgerTruth['byAgentType']): number {
  let lost = 0;
  for (const t of new Set([...Object.keys(expected), ...Object.keys(measured)])) {
    const e = expected[t];
    const m = measured[t];
    lost += Math.abs((e ? e.input + e.output : 0) - (m ? m.input + m.output : 0));
  }
  return lost;
}

/** One line a reliability file prints when it is done: what it did and what it found. */
export function report(file: string, counts: Record<string, number>): void {
  console.log(`sprint-budget reliability, ${file}: ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
}
