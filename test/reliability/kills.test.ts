/**
 * Killed at random points (issue 13, the reliability suite): hooks and commands are SIGKILLed while
 * transcripts grow and a history is read, some at a random time, some the moment the ledger's
 * write-ahead log starts to grow (inside a commit). Afterwards one ordinary read must find every
 * token exactly once: none lost, none counted twice, the ledger whole, nothing left in the spool.
 */
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCorpus, rng } from '../../scripts/corpus.mjs';
import { openLedger } from '../../src/ledger/db';
import { attachSession } from '../../src/ledger/sessions';
import { runCli } from '../helpers/cli';
import { SAMPLE_AGENT, SAMPLE_SESSION, type Sandbox, payload, runHook, sandbox, writeTranscripts } from '../helpers/hooks';
import { type Job, type Truth, addResponse, endsInsideCommit, expectEveryTokenOnce, grows, jobName, killJob, report, sampleTruth, startJob } from '../helpers/reliability';
import { responseLine } from '../helpers/transcripts';

const KILLS = 60;
const counts = { kills: 0, kills_inside_commits: 0, processes: 0, tokens_lost: -1 };
afterAll(() => report('kills', counts));

/** Histories to reveal one at a time (dense: many responses per byte, so a first read commits much), with their totals. */
function histories(n: number): { dir: string; sessions: string[]; byAgentType: Truth }[] {
  return Array.from({ length: n }, (_, i) => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), `sb-history-${i}-`)));
    const c = generateCorpus(dir, { seed: 1000 + i, targetBytes: 2 * 1024 * 1024, profile: 'dense', projects: 1 });
    return { dir, sessions: Object.keys(c.bySession), byAgentType: c.byAgentType as Truth };
  });
}

describe('killed at random points', () => {
  it(`${KILLS} SIGKILLs of hooks and commands, some inside commits: afterwards every token counts once`, { timeout: 600_000 }, async () => {
    // Seeded: a failing run can be replayed.
    const rand = rng(20261203);
    const sb: Sandbox = sandbox({ budget: '900000000' });
    expect(runHook('session-start', payload(sb, 'session-start'), sb).code).toBe(0);
    writeTranscripts(sb);
    const expected = sampleTruth();

    // Other sessions of the sprint, whose histories appear while the kills go on.
    const projects = join(sb.home, '.claude', 'projects');
    const pending = histories(10);
    const l = openLedger(sb.ledger);
    try {
      l.write(() => {
        for (const h of pending) for (const s of h.sessions) attachSession(l, { sessionId: s, sprintId: sb.sprintId as string, at: 0, via: 'test' });
      });
    } finally {
      l.close();
    }
    const reveal = () => {
      const h = pending.shift();
      if (!h) return;
      for (const project of readdirSync(join(h.dir, 'projects'))) {
        mkdirSync(join(projects, project), { recursive: true });
        for (const entry of readdirSync(join(h.dir, 'projects', project))) renameSync(join(h.dir, 'projects', project, entry), join(projects, project, entry));
      }
      for (const [type, t] of Object.entries(h.byAgentType)) {
        const e = (expected[type] ??= { responses: 0, input: 0, output: 0, cacheRead: 0, cacheWrite: 0 });
        e.responses += t.responses;
        e.input += t.input;
        e.output += t.output;
        e.cacheRead += t.cacheRead;
        e.cacheWrite += t.cacheWrite;
      }
    };

    let seq = 0;
    const grow = () => {
      // The live session goes on: new responses in its main transcript and its subagent's.
      for (let n = 1 + Math.floor(rand() * 3); n > 0; n--) {
        const r = { input: 1 + Math.floor(rand() * 5000), output: 1 + Math.floor(rand() * 900), cacheRead: Math.floor(rand() * 9000), cacheWrite: 0 };
        const sub = rand() < 0.3;
        writeLine(sub ? sb.subagentTranscript : sb.transcript, responseLine({ sessionId: SAMPLE_SESSION, id: `msg_live_${seq++}`, ...r, ...(sub ? { agentId: SAMPLE_AGENT } : {}) }));
        addResponse(expected, sub ? 'general-purpose' : 'main', r);
      }
    };

    const jobs: (() => Job)[] = [
      () => ({ hook: 'stop', payload: payload(sb, 'stop') }),
      () => ({ hook: 'subagent-stop', payload: payload(sb, 'subagent-stop') }),
      () => ({ hook: 'session-end', payload: payload(sb, 'session-end') }),
      () => ({ hook: 'post-tool-use', payload: payload(sb, 'post-tool-use') }),
      () => ({ hook: 'pre-tool-use', payload: payload(sb, 'pre-tool-use') }),
      () => ({ cli: ['ingest'] }),
      () => ({ cli: ['state', '--json'] }),
      () => ({ cli: ['tokens'] }),
    ];
    const wal = `${sb.ledger}-wal`;
    const survived: string[] = [];
    // Right after a history appears, its first read commits thousands of records: a reader is killed as it writes them.
    const firstReads = [jobs[5], jobs[6], jobs[4]] as (() => Job)[];
    for (let round = 0; counts.kills < KILLS || pending.length > 0; round++) {
      expect(round, 'rounds needed for the kills').toBeLessThan(400);
      const revealed = round % 5 === 0 && pending.length > 0;
      if (revealed) reveal();
      grow();
      const job = ((revealed ? firstReads[Math.floor(rand() * firstReads.length)] : jobs[Math.floor(rand() * jobs.length)]) as () => Job)();
      const started = startJob(job, sb);
      counts.processes += started.children.length;
      // Half the time (and after a history appears) the kill comes as the write-ahead log grows: a commit being written.
      if (revealed || rand() < 0.5) {
        if (await grows(wal, statSync(wal, { throwIfNoEntry: false })?.size ?? 0, started, 5_000)) killJob(started);
      } else {
        await new Promise((r) => setTimeout(r, Math.floor(rand() * 400)));
        killJob(started);
      }
      const e = await started.end;
      if (e.signal === 'SIGKILL') {
        counts.kills++;
        if (endsInsideCommit(wal)) counts.kills_inside_commits++;
      } else if (e.code !== 0 && !(e.code === 1 && e.stderr === '')) survived.push(`${jobName(job)}: exit ${e.code} ${e.stderr}`);
    }
    // A run that was not killed never failed.
    expect(survived).toEqual([]);

    // One ordinary read of everything, as the next session's hooks and commands would do.
    const ingest = runCli(['ingest', '--json'], { cwd: sb.project, env: { HOME: sb.home } });
    expect(ingest.code, ingest.stderr).toBe(0);
    const stop = runHook('stop', payload(sb, 'stop'), sb);
    expect(stop.code, stop.stderr).toBe(0);
    counts.tokens_lost = expectEveryTokenOnce(sb, expected);
    expect(counts.kills).toBeGreaterThanOrEqual(KILLS);
    expect(counts.kills_inside_commits).toBeGreaterThan(0);
  });
});

/** One line appended in one write (O_APPEND), as Claude Code appends to a transcript. */
function writeLine(path: string, line: string): void {
  appendFileSync(path, line);
}
