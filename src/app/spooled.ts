/** Applying events that waited in the spool. Each is idempotent, so applying one twice is harmless. */
import * as z from 'zod/mini';
import type { Ledger } from '../ledger/db';
import { type UsageRecord, upsertUsage } from '../ledger/usage';
import { attachToActiveSprint } from './attach';

const Record_ = z.object({
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
  input: z.number(),
  output: z.number(),
  cacheRead: z.number(),
  cacheWrite: z.number(),
  origin: z.string(),
});

const Spooled = z.discriminatedUnion('type', [
  z.object({ type: z.literal('usage'), records: z.array(Record_) }),
  z.object({
    type: z.literal('attach'),
    session_id: z.string(),
    at: z.number(),
    transcript_path: z.optional(z.nullable(z.string())),
  }),
]);

export type SpooledEvent = z.infer<typeof Spooled>;

export function applySpooled(l: Ledger, raw: Record<string, unknown>): void {
  const event = z.parse(Spooled, raw);
  switch (event.type) {
    case 'usage':
      upsertUsage(l, event.records as UsageRecord[]);
      return;
    case 'attach':
      attachToActiveSprint(l, {
        sessionId: event.session_id,
        at: event.at,
        via: 'hook',
        transcriptPath: event.transcript_path ?? null,
      });
      return;
  }
}
