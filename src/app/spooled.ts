/** Applying events that waited in the spool. Each is idempotent, so applying one twice is harmless. */
import * as z from 'zod/mini';
import type { SpendRecord } from '../domain/records';
import { tokenCount } from '../domain/token-count';
import { type Ledger, sqliteCode } from '../ledger/db';
import { upsertRecords } from '../ledger/records';
import { RejectedEvent } from '../ledger/spool';
import { attachToActiveSprint } from '../ledger/sessions';
import { lazily } from '../platform/builtin';
import { firstLine } from '../platform/errors';
import { zodIssues } from '../platform/zod-issues';
import { type TranscriptRef, sessionTranscripts } from '../transcripts/paths';
import { recordDispatchRan } from './dispatch';
import { ingestTranscripts } from './ingest';

// Built on first use: most processes find the spool empty.
const Spooled = lazily(() => {
  const record = z.object({
    key: z.string(),
    kind: z.enum(['response', 'summary', 'report']),
    source: z.string(),
    sessionId: z.nullable(z.string()),
    sprintId: z.nullable(z.string()),
    phase: z.nullable(z.string()),
    agentId: z.nullable(z.string()),
    agentType: z.string(),
    model: z.nullable(z.string()),
    ts: z.number(),
    input: tokenCount(),
    output: tokenCount(),
    cacheRead: tokenCount(),
    cacheWrite: tokenCount(),
    origin: z.string(),
  });

  return z.discriminatedUnion('type', [
    z.object({ type: z.literal('usage'), records: z.array(record) }),
    z.object({
      type: z.literal('attach'),
      session_id: z.string(),
      at: z.number(),
      transcript_path: z.optional(z.nullable(z.string())),
    }),
    // A transcript read that could not happen then (ledger locked, binding missing, out of time).
    // Reading is keyed on message ids and cursors, so reading again later counts nothing twice.
    z.object({
      type: z.literal('ingest'),
      session_id: z.string(),
      transcript_path: z.string(),
      /** Only this subagent's transcript; absent: the session's main transcript and all its subagents. */
      agent: z.optional(z.object({ id: z.string(), type: z.string(), path: z.string() })),
    }),
    // A dispatch that ran (PostToolUse): records the user's approval if the gate had asked.
    z.object({
      type: z.literal('dispatch_ran'),
      session_id: z.string(),
      tool_use_id: z.string(),
      agent_type: z.string(),
      at: z.number(),
    }),
  ]);
});

export type SpooledEvent = z.infer<ReturnType<typeof Spooled>>;
export type IngestEvent = Extract<SpooledEvent, { type: 'ingest' }>;

/**
 * Applies one spooled event. One that can never apply (not an event of this version, counts out of
 * range, a constraint it breaks) is a RejectedEvent: set aside, not put back to fail forever.
 */
export function applySpooled(l: Ledger, raw: Record<string, unknown>): void {
  const parsed = z.safeParse(Spooled(), raw);
  if (!parsed.success) throw new RejectedEvent(`not a spooled event (${zodIssues(parsed.error, 3)})`);
  try {
    applyEvent(l, parsed.data);
  } catch (err) {
    if (sqliteCode(err)?.startsWith('SQLITE_CONSTRAINT')) throw new RejectedEvent(firstLine(err));
    throw err;
  }
}

function applyEvent(l: Ledger, event: SpooledEvent): void {
  switch (event.type) {
    case 'usage':
      upsertRecords(l, event.records as SpendRecord[]);
      return;
    case 'attach':
      attachToActiveSprint(l, {
        sessionId: event.session_id,
        at: event.at,
        via: 'hook',
        transcriptPath: event.transcript_path ?? null,
      });
      return;
    case 'ingest':
      ingestTranscripts(l, ingestRefs(event));
      return;
    case 'dispatch_ran':
      recordDispatchRan(l, { sessionId: event.session_id, toolUseId: event.tool_use_id, agentType: event.agent_type, at: event.at });
      return;
  }
}

/** The transcripts an ingest event names. */
export function ingestRefs(event: IngestEvent): TranscriptRef[] {
  if (event.agent) return [{ path: event.agent.path, sessionId: event.session_id, agentId: event.agent.id, agentType: event.agent.type }];
  return sessionTranscripts(event.session_id, event.transcript_path);
}
