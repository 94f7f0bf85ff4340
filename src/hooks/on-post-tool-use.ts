/**
 * PostToolUse for Agent|Task: record the subagent's own usage report at once, so spend is live before
 * its transcript is read. The record is a `summary` under its own key (`hook-agent:<agent id>`): the
 * ledger counts it only while the subagent's transcript responses add up to less, so the transcript,
 * once read, replaces it instead of adding to it. Also records the user's yes to a gate that asked.
 */
import * as z from 'zod/mini';
import { subagentReturned } from '../app/dispatch';
import type { SpooledEvent } from '../app/spooled';
import type { SpendRecord } from '../domain/records';
import { noticeAnswer } from './answers';
import { attachEvent, dispatchOf, sessionOf } from './events';
import { AgentReport, PostToolUse, type PostToolUsePayload } from './payloads';
import { runHook } from './runtime';

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
  run(l, p) {
    const at = Date.now();
    subagentReturned(l, sessionOf(p), summaryRecord(p, at), dispatchOf(p, at));
    return null;
  },
  unavailable(p, why) {
    const at = Date.now();
    const record = summaryRecord(p, at);
    const d = dispatchOf(p, at);
    const spool: SpooledEvent[] = [attachEvent(p, at)];
    if (record) spool.push({ type: 'usage', records: [record] });
    spool.push({ type: 'dispatch_ran', session_id: d.sessionId, tool_use_id: d.toolUseId, agent_type: d.agentType, at });
    return { spool, answer: noticeAnswer(why.notice) };
  },
});
