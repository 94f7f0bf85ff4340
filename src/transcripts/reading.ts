/**
 * One transcript file's new lines, as the ledger takes them: the responses found (every one, for a
 * run's totals) and the records that may be stored (docs/spec.md, "Counting").
 */
import { type SpendRecord, isStoredResponse } from '../domain/records';
import { type Cursor, type FileRead, readNewLines } from './file-reader';
import { type TranscriptRef, subagentMeta, subagentType } from './paths';
import type { Responses } from './responses';
import type { Walk } from './walk';

/** Who a subagent was: its `.meta.json`, with the session it ran in. */
export interface Subagent {
  agentId: string;
  sessionId: string | null;
  agentType: string;
  /** The description it was dispatched with; its first word names the agent it ran for. */
  description: string | null;
  toolUseId: string | null;
}

export interface FileReading {
  read: FileRead;
  /** When the file was read: the time of a response whose line carries none. */
  now: number;
  /** Every response found, once per key, with the largest counts seen. */
  responses: Responses;
  /** The responses that may be stored: every subagent's, and those of the sessions in `attached`. */
  records: SpendRecord[];
  /** The sessions whose responses were passed over: attached to no sprint when the file was read. */
  passed: string[];
  /** A subagent's file read from its start: who the subagent was, from its `.meta.json` (null: none written). */
  subagent: Subagent | null;
}

/**
 * Reads one file's new lines from its cursor (until `deadline`, if given). `attached`: the sessions
 * attached to a sprint, whose main responses are kept as records; a main transcript of a session
 * attached to none is read for keys and counts only. Throws when the file cannot be read.
 */
export function readTranscript(walk: Walk, ref: TranscriptRef, cursor: Cursor | null, attached: ReadonlySet<string>, deadline?: number): FileReading | null {
  const responses: Responses = new Map();
  const now = Date.now();
  const detail = ref.agentId !== null || ref.sessionId === null || attached.has(ref.sessionId);
  const read = readNewLines(walk, ref.path, cursor, responses, { detail, deadline });
  if (!read) return null;
  // Who a subagent was is read once, with its first lines (the name it was dispatched under tells its runs apart).
  const meta = ref.agentId !== null && (cursor === null || read.reset) ? subagentMeta(ref.path) : null;
  const subagent =
    meta && ref.agentId !== null && ref.sessionId !== null
      ? { agentId: ref.agentId, sessionId: ref.sessionId, agentType: meta.agentType ?? ref.agentType ?? 'subagent', description: meta.description, toolUseId: meta.toolUseId }
      : null;
  const reading: FileReading = { read, now, responses, records: [], passed: [], subagent };
  let agentType: string | undefined;
  for (const r of responses.values()) {
    // A 2.1.332 subagent line names its type (attributionAgent); older lines leave it to the .meta.json.
    agentType ??= ref.agentType ?? r.agentType ?? meta?.agentType ?? subagentType(ref.path) ?? 'subagent';
    // A main transcript of an older version may carry sidechain (subagent) lines of its own.
    const sub = ref.agentId === null && r.sidechain;
    const agentId = ref.agentId ?? (sub ? r.agentId : null);
    const sessionId = ref.sessionId ?? r.sessionId;
    if (isStoredResponse(agentId, sessionId, attached)) {
      reading.records.push({
        key: r.key,
        kind: 'response',
        source: 'transcript',
        sessionId,
        sprintId: null,
        phase: null,
        agentId,
        agentType: sub ? (r.agentType ?? 'subagent') : agentType,
        model: r.model,
        ts: Number.isFinite(r.ts) ? r.ts : now,
        input: r.input,
        output: r.output,
        cacheRead: r.cacheRead,
        cacheWrite: r.cacheWrite,
        cacheWrite5m: r.cacheWrite5m,
        cacheWrite1h: r.cacheWrite1h,
        fast: r.fast,
        origin: `${ref.path}:${r.line}`,
      });
    } else if (sessionId !== null && !reading.passed.includes(sessionId)) reading.passed.push(sessionId);
  }
  return reading;
}
