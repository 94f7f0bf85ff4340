/**
 * The dispatch gate under the `hard` policy, with one fault at a time (issue 13, the reliability
 * suite): whatever goes wrong (the ledger locked, damaged or symlinked; a transcript that cannot be
 * read, a FIFO, a line out of range; work stranded in the spool; a full disk; a damaged code cache),
 * a dispatch over an exceeded budget is never let through.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openLedger } from '../../src/ledger/db';
import { runCli } from '../helpers/cli';
import { SAMPLE_SESSION, type Sandbox, answerOf, payload, runHook, sandbox, writeTranscripts } from '../helpers/hooks';
import { report } from '../helpers/reliability';
import { responseLine } from '../helpers/transcripts';

const counts = { cases: 0, dispatches_let_through_under_hard: 0 };
afterAll(() => report('gate under faults', counts));

const HARD = { SPRINT_BUDGET_DISPATCH_POLICY: 'hard' };

/** A sprint of 1,000 billing tokens whose session has spent 2,600 (its transcripts, read by the gate itself). */
function exceeded(): Sandbox {
  const sb = sandbox({ budget: '1000' });
  expect(runHook('session-start', payload(sb, 'session-start'), sb).code).toBe(0);
  writeTranscripts(sb);
  return sb;
}

/** The gate's decision on a dispatch (`deny` when it stops it); counted as let through unless denied. */
function gate(sb: Sandbox, env: NodeJS.ProcessEnv = {}): string {
  counts.cases++;
  const r = runHook('pre-tool-use', payload(sb, 'pre-tool-use'), sb, { env: { ...HARD, ...env } });
  const decision = (answerOf(r)?.hookSpecificOutput?.permissionDecision as string | undefined) ?? `let through (exit ${r.code}: ${r.stderr.trim()})`;
  if (decision !== 'deny') counts.dispatches_let_through_under_hard++;
  return decision;
}

function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid as number;
}

describe('the dispatch gate under hard, one fault at a time', () => {
  it('no fault: denied', () => {
    expect(gate(exceeded())).toBe('deny');
  });

  it('the ledger locked past the hook\'s patience: denied, the budget could not be checked', () => {
    const sb = exceeded();
    const holder = openLedger(sb.ledger);
    holder.db.exec('BEGIN IMMEDIATE');
    try {
      expect(gate(sb)).toBe('deny');
    } finally {
      holder.db.exec('ROLLBACK');
      holder.close();
    }
  });

  it('the ledger damaged: denied', () => {
    const sb = exceeded();
    writeFileSync(sb.ledger, 'not a database any more'.repeat(200));
    expect(gate(sb)).toBe('deny');
  });

  it('the ledger a symlink (refused): denied', () => {
    const sb = exceeded();
    const elsewhere = realpathSync(mkdtempSync(join(tmpdir(), 'sb-elsewhere-')));
    renameSync(sb.ledger, join(elsewhere, 'ledger.db'));
    symlinkSync(join(elsewhere, 'ledger.db'), sb.ledger);
    expect(gate(sb)).toBe('deny');
  });

  it('one of the session\'s transcripts unreadable (a symlink loop): the others counted, denied', () => {
    const sb = exceeded();
    const loop = join(dirname(sb.subagentTranscript), 'agent-0loop.jsonl');
    symlinkSync(loop, loop);
    expect(gate(sb)).toBe('deny');
  });

  it('another session of the sprint with a FIFO for a transcript: never waited on, denied', () => {
    const sb = exceeded();
    const fifo = join(dirname(sb.transcript), 'other.jsonl');
    execFileSync('mkfifo', [fifo]);
    expect(runHook('session-start', payload(sb, 'session-start', { session_id: 'other', transcript_path: fifo }), sb).code).toBe(0);
    expect(gate(sb)).toBe('deny');
  });

  it('a line too long and a count out of range among the responses: passed over, the rest counted, denied', () => {
    const sb = exceeded();
    appendFileSync(sb.transcript, `{"type": "assistant", "message": {"usage": {"input_tokens": 1}, "x": "${'y'.repeat(2 * 1024 * 1024)}"}}\n`);
    appendFileSync(sb.transcript, responseLine({ sessionId: SAMPLE_SESSION, id: 'msg_huge', input: 9e18, output: 1 }));
    expect(gate(sb)).toBe('deny');
  });

  it('the session\'s attach stranded in the spool by a killed drainer: applied first, with its time, denied', () => {
    const sb = sandbox({ budget: '1000' });
    const holder = openLedger(sb.ledger);
    holder.db.exec('BEGIN IMMEDIATE');
    try {
      runHook('session-start', payload(sb, 'session-start'), sb);
    } finally {
      holder.db.exec('ROLLBACK');
      holder.close();
    }
    const dir = join(sb.project, '.sprint-budget');
    renameSync(join(dir, 'spool.jsonl'), join(dir, `spool.${deadPid()}.${Date.now()}.0.draining`));
    writeTranscripts(sb);
    expect(gate(sb)).toBe('deny');
  });

  it('a full disk under the ledger: denied', () => {
    if (process.getuid?.() !== 0) return;
    const disk = realpathSync(mkdtempSync(join(tmpdir(), 'sb-full-')));
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', disk]).status !== 0) return;
    try {
      const project = join(disk, 'project');
      mkdirSync(join(project, '.git'), { recursive: true });
      const sb0 = exceeded();
      const sb = { ...sb0, project, ledger: join(project, '.sprint-budget/ledger.db') };
      expect(runCli(['create', 'Full', '--budget', '1000'], { cwd: project }).code).toBe(0);
      expect(runHook('session-start', payload(sb, 'session-start'), sb).code).toBe(0);
      const fd = openSync(join(disk, 'filler'), 'w');
      try {
        for (const n of [65536, 4096, 512, 64, 8, 1]) {
          try {
            for (;;) writeSync(fd, Buffer.alloc(n, 1));
          } catch {
            // Full for pieces of this size: smaller ones next.
          }
        }
      } finally {
        closeSync(fd);
      }
      expect(gate(sb)).toBe('deny');
    } finally {
      spawnSync('umount', ['-l', disk]);
    }
  });

  it('the hook\'s code cache damaged: the hook does not crash, denied', () => {
    const sb = exceeded();
    const data = realpathSync(mkdtempSync(join(tmpdir(), 'sb-plugin-data-')));
    expect(gate(sb, { CLAUDE_PLUGIN_DATA: data })).toBe('deny');
    const dir = join(data, 'v8-cache', 'pre-tool-use.bundle');
    for (const f of readdirSync(dir)) {
      const bytes = Buffer.alloc(4096, 0xa5);
      writeFileSync(join(dir, f), bytes, { flag: 'r+' });
    }
    expect(gate(sb, { CLAUDE_PLUGIN_DATA: data })).toBe('deny');
    rmSync(data, { recursive: true, force: true });
  });

  it('let through: none', () => {
    expect(counts.dispatches_let_through_under_hard).toBe(0);
  });
});
