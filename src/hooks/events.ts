/** A hook payload as what the app works with (the session, a dispatch) and as the events queued when the ledger cannot be used. */
import type { Dispatch } from '../app/dispatch';
import { dispatchedAgentName } from '../domain/estimates';
import type { SessionRef } from '../app/session';
import type { IngestEvent, SpooledEvent } from '../app/spooled';
import { type HookPayload, type PreToolUsePayload, inputText } from './payloads';

export function sessionOf(p: HookPayload): SessionRef {
  return { sessionId: p.session_id, transcriptPath: p.transcript_path };
}

/** The attach, queued: applied later with the time it happened (no later than what it makes count). */
export function attachEvent(p: HookPayload, at: number = Date.now()): SpooledEvent {
  return { type: 'attach', session_id: p.session_id, at, transcript_path: p.transcript_path };
}

/** Reading the session's transcripts (main and subagents), queued. */
export function sessionIngestEvent(p: HookPayload): IngestEvent {
  return { type: 'ingest', session_id: p.session_id, transcript_path: p.transcript_path };
}

/** Claude Code's own default when an Agent call names no type. */
const DEFAULT_AGENT_TYPE = 'general-purpose';

/** The dispatch a PreToolUse/PostToolUse pair is about, keyed by its tool use id. */
export function dispatchOf(p: Pick<PreToolUsePayload, 'session_id' | 'tool_use_id' | 'tool_input'>, at: number): Dispatch {
  return {
    sessionId: p.session_id,
    toolUseId: p.tool_use_id,
    agentType: inputText(p.tool_input, 'subagent_type') || DEFAULT_AGENT_TYPE,
    name: dispatchedAgentName(inputText(p.tool_input, 'description')),
    at,
  };
}
