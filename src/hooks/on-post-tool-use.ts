/**
 * PostToolUse, after every tool call:
 * - for Agent|Task: record the subagent's own usage report at once, so spend is live before its
 *   transcript is read (a `summary` under its own key, `hook-agent:<agent id>`, counted only while the
 *   transcript's responses add up to less), settle its reservation, and record the user's yes to a
 *   gate that asked;
 * - for every tool: watch the sprint's spend inside the phase (alerts once per threshold; past the
 *   budget the main loop is stopped under `hard`, the model told to stop and ask under `soft`).
 * A ledger that cannot be used: the events are spooled; under `hard` the loop stops, since the budget
 * cannot be checked; under `soft` and `off` the watch stops nothing anyway, so nothing is said (the
 * next tool call checks again).
 */
import * as z from 'zod/mini';
import type { SpooledEvent } from '../app/spooled';
import { toolReturned } from '../app/watch';
import type { SpendRecord } from '../domain/records';
import { type HookAnswer, noticeAnswer, oneLine } from './answers';
import { attachEvent, dispatchOf, sessionOf } from './events';
import { AgentReport, PostToolUse, type PostToolUsePayload } from './payloads';
import { runHook } from './runtime';
import { uncheckedLine, uncheckedPolicy } from './unchecked';
import { watchAnswer } from './watch';

const isAgent = (p: PostToolUsePayload) => p.tool_name === 'Agent' || p.tool_name === 'Task';

/** The subagent's usage report as a record; null when the response carries none (a background launch). */
function summaryRecord(p: PostToolUsePayload, at: number): SpendRecord | null {
  const report = z.safeParse(AgentReport(), p.tool_response);
  if (!report.success) return null;
  const r = report.data;
  return {
    key: `hook-agent:${r.agentId}`,
    kind: 'summary',
    source: 'hook',
    sessionId: p.session_id,
    sprintId: null,
    phase: null,
    agentId: r.agentId,
    agentType: r.agentType || dispatchOf(p, at).agentType,
    model: r.resolvedModel ?? null,
    ts: at,
    input: r.usage.input_tokens,
    output: r.usage.output_tokens,
    cacheRead: r.usage.cache_read_input_tokens ?? 0,
    cacheWrite: r.usage.cache_creation_input_tokens ?? 0,
    origin: `hook:PostToolUse:${p.tool_use_id}`,
  };
}

runHook({
  event: 'PostToolUse',
  schema: PostToolUse,
  run(l, p, ctx) {
    const at = Date.now();
    const agent = isAgent(p) ? { report: summaryRecord(p, at), dispatch: dispatchOf(p, at) } : null;
    return watchAnswer(toolReturned(l, sessionOf(p), agent, ctx.env, at));
  },
  unavailable(p, why) {
    const at = Date.now();
    const spool: SpooledEvent[] = [attachEvent(p, at)];
    if (isAgent(p)) {
      const record = summaryRecord(p, at);
      const d = dispatchOf(p, at);
      if (record) spool.push({ type: 'usage', records: [record] });
      spool.push({ type: 'dispatch_ran', session_id: d.sessionId, tool_use_id: d.toolUseId, agent_type: d.agentType, at });
    }
    const policy = uncheckedPolicy(why, process.env);
    const line = uncheckedLine(why);
    const answer: HookAnswer | null =
      policy === 'hard'
        ? { continue: false, stopReason: `${line}; under the hard policy the session stops here`, systemMessage: oneLine(`${line}; the main loop is stopped (hard policy)`, why.notice) as string }
        : noticeAnswer(why.notice);
    return { spool, answer };
  },
});
