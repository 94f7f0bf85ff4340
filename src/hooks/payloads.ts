/**
 * The hook payloads this plugin reads (Claude Code 2.1.332, samples in shared/reference/samples/hooks).
 * Only the fields used are checked; the rest of each payload is allowed and ignored, so a newer Claude
 * Code that adds fields keeps working. `zod/mini`, not `zod`: it keeps a hook's start-up cheap.
 */
import * as z from 'zod/mini';

const id = z.string().check(z.minLength(1));

function base<E extends string>(event: E) {
  return {
    hook_event_name: z.literal(event),
    session_id: id,
    transcript_path: id,
    cwd: id,
  };
}

export const SessionStart = z.looseObject({ ...base('SessionStart'), source: z.optional(z.string()) });

const AgentInput = z.looseObject({ subagent_type: z.optional(z.string()) });

export const PreToolUse = z.looseObject({
  ...base('PreToolUse'),
  tool_name: id,
  tool_use_id: id,
  tool_input: AgentInput,
});

export const PostToolUse = z.looseObject({
  ...base('PostToolUse'),
  tool_name: id,
  tool_use_id: id,
  tool_input: AgentInput,
  // Checked apart (AgentReport): a dispatch launched in the background reports no usage yet.
  tool_response: z.unknown(),
});

const count = z.number().check(z.int(), z.nonnegative());
const optionalCount = z.optional(z.nullable(count));

/** The Agent tool's own accounting of the subagent it ran. */
export const AgentReport = z.looseObject({
  agentId: id,
  agentType: z.optional(z.string()),
  resolvedModel: z.optional(z.string()),
  usage: z.looseObject({
    input_tokens: count,
    output_tokens: count,
    cache_creation_input_tokens: optionalCount,
    cache_read_input_tokens: optionalCount,
  }),
});

export const SubagentStop = z.looseObject({
  ...base('SubagentStop'),
  agent_id: id,
  agent_type: z.string(),
  agent_transcript_path: id,
});

export const Stop = z.looseObject({ ...base('Stop') });

export const SessionEnd = z.looseObject({ ...base('SessionEnd'), reason: z.optional(z.string()) });

/** Base fields every payload carries, for the runtime. */
export interface HookPayload {
  hook_event_name: string;
  session_id: string;
  transcript_path: string;
  cwd: string;
}

export type SessionStartPayload = z.infer<typeof SessionStart>;
export type PreToolUsePayload = z.infer<typeof PreToolUse>;
export type PostToolUsePayload = z.infer<typeof PostToolUse>;
export type SubagentStopPayload = z.infer<typeof SubagentStop>;
export type StopPayload = z.infer<typeof Stop>;
export type SessionEndPayload = z.infer<typeof SessionEnd>;
