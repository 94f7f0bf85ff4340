/**
 * Sixteen processes at once on growing transcripts (issue 13, the reliability suite): waves of
 * hooks of two sessions and commands started together while both sessions' transcripts grow under
 * them. None fails or says it was locked out; afterwards every token counts once.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SAMPLE_AGENT, SAMPLE_SESSION, type Sandbox, payload, runHook, sandbox, writeTranscripts } from '../helpers/hooks';
import { type Job, addResponse, expectEveryTokenOnce, jobName, report, sampleTruth, startJob } from '../helpers/reliability';
import { responseLine } from '../helpers/transcripts';

const AT_ONCE = 16;
const WAVES = 6;
const counts = { processes: 0, tokens_lost: -1 };
afterAll(() => report('concurrency', counts));

describe(`${AT_ONCE} processes at once`, () => {
  it(`${WAVES} waves of ${AT_ONCE} hooks and commands of two sessions while their transcripts grow: none fails, every token counts once`, { timeout: 600_000 }, async () => {
    const sb: Sandbox = sandbox({ budget: '900000000' });
    const other = 'b1c2d3e4-0000-4000-8000-000000000002';
    const otherTranscript = join(dirname(sb.transcript), `${other}.jsonl`);
    expect(runHook('session-start', payload(sb, 'session-start'), sb).code).toBe(0);
    expect(runHook('session-start', payload(sb, 'session-start', { session_id: other, transcript_path: otherTranscript }), sb).code).toBe(0);
    writeTranscripts(sb);
    mkdirSync(dirname(otherTranscript), { recursive: true });
    const expected = sampleTruth();

    let seq = 0;
    const files: [string, string, string | undefined][] = [
      [sb.transcript, SAMPLE_SESSION, undefined],
      [sb.subagentTranscript, SAMPLE_SESSION, SAMPLE_AGENT],
      [otherTranscript, other, undefined],
    ];
    const append = () => {
      const [path, sessionId, agentId] = files[seq % files.length] as (typeof files)[number];
      const input = 100 + (seq % 997);
      const output = 1 + (seq % 89);
      appendFileSync(path, responseLine({ sessionId, id: `msg_c_${seq++}`, input, output, ...(agentId ? { agentId } : {}) }));
      addResponse(expected, agentId ? 'general-purpose' : 'main', { input, output });
    };

    const forOther = (hook: 'stop' | 'pre-tool-use' | 'post-tool-use') => payload(sb, hook, { session_id: other, transcript_path: otherTranscript, tool_use_id: `toolu_other_${seq}` });
    const jobs: (() => Job)[] = [
      () => ({ hook: 'stop', payload: payload(sb, 'stop') }),
      () => ({ hook: 'stop', payload: forOther('stop') }),
      () => ({ hook: 'subagent-stop', payload: payload(sb, 'subagent-stop') }),
      () => ({ hook: 'pre-tool-use', payload: payload(sb, 'pre-tool-use', { tool_use_id: `toolu_${seq}` }) }),
      () => ({ hook: 'pre-tool-use', payload: forOther('pre-tool-use') }),
      () => ({ hook: 'post-tool-use', payload: payload(sb, 'post-tool-use') }),
      () => ({ cli: ['state', '--json'] }),
      () => ({ cli: ['ingest', '--session', SAMPLE_SESSION] }),
    ];
    const failed: string[] = [];
    for (let wave = 0; wave < WAVES; wave++) {
      const started = Array.from({ length: AT_ONCE }, (_, i) => {
        const job = (jobs[(wave + i) % jobs.length] as () => Job)();
        return { job, ...startJob(job, sb) };
      });
      counts.processes += started.reduce((n, s) => n + s.children.length, 0);
      // The transcripts grow while the wave runs.
      let running = true;
      const all = Promise.all(started.map((s) => s.end)).finally(() => (running = false));
      while (running) {
        append();
        await new Promise((r) => setTimeout(r, 3));
      }
      for (const [i, e] of (await all).entries()) {
        if (e.code !== 0 || e.stderr !== '') failed.push(`${jobName((started[i] as (typeof started)[number]).job)}: exit ${e.code} ${e.signal ?? ''} ${e.stderr}`);
      }
    }
    expect(failed).toEqual([]);

    // One more read of each session, as their next turn's Stop would.
    for (const p of [payload(sb, 'stop'), forOther('stop')]) expect(runHook('stop', p, sb).code).toBe(0);
    counts.tokens_lost = expectEveryTokenOnce(sb, expected);
  });
});
