/** Transcript lines as Claude Code 2.1.332 writes them (compact JSON, one response per line), for tests that craft their own. */
import { execa } from 'execa';

export interface ResponseSpec {
  sessionId: string;
  id: string;
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
  /** A subagent's line (isSidechain, agentId). */
  agentId?: string;
  /** Default: now. */
  ts?: number;
}

/** One assistant response, as one line with its newline. */
export function responseLine(r: ResponseSpec): string {
  return `${JSON.stringify({
    parentUuid: null,
    isSidechain: r.agentId !== undefined,
    ...(r.agentId !== undefined ? { agentId: r.agentId } : {}),
    message: {
      id: r.id,
      type: 'message',
      role: 'assistant',
      model: 'claude-opus-5-5',
      content: [{ type: 'text', text: 'ok' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: r.input, cache_creation_input_tokens: r.cacheWrite ?? 0, cache_read_input_tokens: r.cacheRead ?? 0, output_tokens: r.output },
    },
    requestRef: `req-${r.id}`,
    type: 'assistant',
    uuid: `u-${r.id}`,
    timestamp: new Date(r.ts ?? Date.now()).toISOString(),
    sessionId: r.sessionId,
  })}\n`;
}

/**
 * Another process appends `text` to the transcript `ms` after it starts, as Claude Code's flush does
 * while a hook runs (a process of its own: the code under test may block this thread while it waits).
 */
export function appendLater(path: string, text: string, ms: number): Promise<unknown> {
  return execa(process.execPath, ['-e', `setTimeout(() => require('fs').appendFileSync(${JSON.stringify(path)}, ${JSON.stringify(text)}), ${ms})`]);
}
