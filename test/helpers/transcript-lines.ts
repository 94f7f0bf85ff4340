/**
 * Transcript lines as Claude Code 2.1.332 writes them (test/fixtures/claude-code-2.1.332), made to
 * order: a response with given usage at a given time, appended to a session's transcript while a
 * test's "session" runs.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { encodeProjectDir } from '../../src/transcripts/paths';

export interface ResponseSpec {
  session: string;
  /** The message id; the request ref is made from it. */
  id: string;
  input: number;
  output: number;
  /** When the response was written (the line's timestamp). */
  at: number;
  /** A subagent's line: its agent id and type. */
  agent?: { id: string; type: string };
}

export function responseLine(r: ResponseSpec): string {
  return JSON.stringify({
    parentUuid: null,
    isSidechain: r.agent !== undefined,
    ...(r.agent ? { agentId: r.agent.id } : {}),
    message: {
      id: r.id,
      type: 'message',
      role: 'assistant',
      model: 'claude-opus-5-5',
      content: [{ type: 'text', text: `reply ${r.id}` }],
      stop_reason: 'end_turn',
      usage: { input_tokens: r.input, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: r.output },
    },
    requestRef: `ref-${r.id}`,
    ...(r.agent ? { attributionAgent: r.agent.type } : {}),
    type: 'assistant',
    uuid: `uuid-${r.id}`,
    timestamp: new Date(r.at).toISOString(),
    sessionId: r.session,
    version: '2.1.332',
  });
}

/** Where Claude Code keeps a session's main transcript, under a HOME. */
export function transcriptPath(home: string, project: string, session: string): string {
  return join(home, '.claude/projects', encodeProjectDir(project), `${session}.jsonl`);
}

/** Appends responses to a transcript (made if missing), as a running session does. */
export function appendResponses(path: string, responses: readonly ResponseSpec[]): void {
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, responses.map((r) => `${responseLine(r)}\n`).join(''));
}
