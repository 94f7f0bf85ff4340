/**
 * The hook payloads this plugin reads (Claude Code 2.1.332; captured samples in test/fixtures/).
 * Only the fields used are checked; the rest of each payload is allowed and ignored, so a newer Claude
 * Code that adds fields keeps working. `zod/mini`, not `zod`: it keeps a hook's start-up cheap; and
 * each schema is built on first use, so a hook builds its own payload's alone.
 */
import * as z from 'zod/mini';
import { isSessionId } from '../domain/text';
import { tokenCount } from '../domain/token-count';
import { lazily } from '../platform/builtin';

const id = () => z.string().check(z.minLength(1));
/** It names transcript files and folders: one path segment (domain/text.ts). */
const sessionId = () => z.string().check(z.refine(isSessionId, 'not a session id (one path segment)'));

function base<E extends string>(event: E) {
  return {
    hook_event_name: z.literal(event),
    session_id: sessionId(),
    transcript_path: id(),
    cwd: id(),
  };
}

export const SessionStart = lazily(() => z.looseObject({ ...base('SessionStart'), source: z.optional(z.string()) }));

// Any tool's input passes (every tool call reaches PostToolUse): its fields are read with `inputText`.
const toolInput = () => z.unknown();

/** A text field of a tool's input (an Agent call's `subagent_type`, a Bash call's `command`), or undefined. */
export function inputText(input: unknown, field: string): string | undefined {
  const v = typeof input === 'object' && input !== null ? (input as Record<string, unknown>)[field] : undefined;
  return typeof v === 'string' ? v : undefined;
}

/** The fields of a tool call's events. */
function toolCall<E extends string>(event: E) {
  return { ...base(event), tool_name: id(), tool_use_id: id(), tool_input: toolInput() };
}

export const PreToolUse = lazily(() => z.looseObject(toolCall('PreToolUse')));

export const PostToolUse = lazily(() =>
  z.looseObject({
    ...toolCall('PostToolUse'),
    // Checked apart (AgentReport): a dispatch launched in the background reports no usage yet.
    tool_response: z.unknown(),
  }),
);

/** The Agent tool's own accounting of the subagent it ran. */
export const AgentReport = lazily(() => {
  const count = tokenCount();
  const optionalCount = z.optional(z.nullable(count));
  return z.looseObject({
    agentId: id(),
    agentType: z.optional(z.string()),
    resolvedModel: z.optional(z.string()),
    usage: z.looseObject({
      input_tokens: count,
      output_tokens: count,
      cache_creation_input_tokens: optionalCount,
      cache_read_input_tokens: optionalCount,
    }),
  });
});

export const PostToolUseFailure = lazily(() =>
  z.looseObject({ ...toolCall('PostToolUseFailure'), error: z.optional(z.string()) }),
);

export const SubagentStop = lazily(() =>
  z.looseObject({
    ...base('SubagentStop'),
    agent_id: id(),
    agent_type: z.string(),
    agent_transcript_path: id(),
  }),
);

export const Stop = lazily(() => z.looseObject({ ...base('Stop') }));

export const SessionEnd = lazily(() => z.looseObject({ ...base('SessionEnd'), reason: z.optional(z.string()) }));

/** Base fields every payload carries, for the runtime. */
export interface HookPayload {
  hook_event_name: string;
  session_id: string;
  transcript_path: string;
  cwd: string;
}

export type SessionStartPayload = z.infer<ReturnType<typeof SessionStart>>;
export type PreToolUsePayload = z.infer<ReturnType<typeof PreToolUse>>;
export type PostToolUsePayload = z.infer<ReturnType<typeof PostToolUse>>;
export type PostToolUseFailurePayload = z.infer<ReturnType<typeof PostToolUseFailure>>;
export type SubagentStopPayload = z.infer<ReturnType<typeof SubagentStop>>;
export type StopPayload = z.infer<ReturnType<typeof Stop>>;
export type SessionEndPayload = z.infer<ReturnType<typeof SessionEnd>>;
