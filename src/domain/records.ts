/**
 * A record of spend: one API response, or one reported total, as the ledger stores it. Unique by a
 * key that names what it counts, so writing a record twice changes nothing (docs/spec.md,
 * "Counting").
 */
import type { PriceSplit } from './pricing';
import type { TokenCounts } from './tokens';

export type RecordKind =
  /** One API response, read from a transcript (or reported per response). */
  | 'response'
  /** A subagent's own total (PostToolUse); stands in for its responses until they are read. */
  | 'summary'
  /** A standalone figure reported by a tool or by interstat. */
  | 'report';

/** Cache writes by lifetime and fast mode, where the usage says (transcripts); absent: not split, standard speed. */
export interface SpendRecord extends TokenCounts, Partial<PriceSplit> {
  /** `msg:<message id>[:<request id>]`, `hook-agent:<agent id>`, `record:<sprint>:<source>:<key>`, ... */
  key: string;
  kind: RecordKind;
  /** transcript, hook, interstat, or what a reporting tool names itself. */
  source: string;
  sessionId: string | null;
  /** Set only for records reported for a named sprint; others reach a sprint through its sessions. */
  sprintId: string | null;
  /** Set only for records reported for a named phase; others take the phase current at `ts`. */
  phase: string | null;
  agentId: string | null;
  /** `main` for the session's own responses, else the subagent's type. */
  agentType: string;
  model: string | null;
  /** Epoch milliseconds. */
  ts: number;
  /** Where the figure was read: `<transcript path>:<line>`, `hook:PostToolUse:<tool use id>`, ... */
  origin: string;
  /** Billing tokens a tool knew only as a total (`record --total`); such a record's input and output are 0. */
  totalOnly?: number;
}

/**
 * Whether a response read from a transcript is stored: every subagent's (the per-agent-type history
 * estimates rest on), and the main responses of sessions attached to a sprint. A main response of a
 * session attached to none can never count: attaching counts only what comes after it.
 */
export function isStoredResponse(agentId: string | null, sessionId: string | null, attached: ReadonlySet<string>): boolean {
  return agentId !== null || (sessionId !== null && attached.has(sessionId));
}
