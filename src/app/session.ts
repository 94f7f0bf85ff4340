/**
 * What the hooks do for a Claude Code session, one function per hook's job: attach it to the
 * project's sprint, read what its transcripts gained, end it.
 */
import type { Ledger } from '../ledger/db';
import { attachToActiveSprint, openAttachment } from '../ledger/sessions';
import { type Sprint, getSprint, latestActiveSprint } from '../ledger/sprints';
import { type StoredUnreadNote, takeUnreported } from '../ledger/unread';
import type { TranscriptRef } from '../transcripts/paths';
import { type IngestResult, ingestTranscripts } from './ingest';
import { expireSessionReservations, subagentStopped } from './reservations';
import { type SprintSpend, currentSpend } from './spend';

/** A session as a hook payload names it. */
export interface SessionRef {
  sessionId: string;
  transcriptPath: string;
}

/**
 * The sprint this session counts toward, attaching it to the project's active sprint if it is not
 * attached yet (a sprint created after the session started, or a SessionStart that was missed).
 */
export function sessionSprint(l: Ledger, session: SessionRef, at: number = Date.now()): Sprint | null {
  // Read first: an attached session (the usual case) needs no write lock.
  const open = openAttachment(l, session.sessionId);
  const current = open?.transcriptPath ? getSprint(l, open.sprintId) : null;
  if (current?.status === 'active') return current;
  return attachToActiveSprint(l, { sessionId: session.sessionId, at, via: 'hook', transcriptPath: session.transcriptPath })?.sprint ?? null;
}

export type SessionStarted =
  /** The session counts toward this sprint. */
  | { sprint: Sprint; spend: SprintSpend }
  /** The session was detached (by a person, or when its sprint ended): it counts toward no sprint, though this one is active. */
  | { sprint: null; active: Sprint };

/** SessionStart: the session attached, and where its sprint stands (null: the project has no active sprint). */
export function startSession(l: Ledger, session: SessionRef, env: NodeJS.ProcessEnv): SessionStarted | null {
  const sprint = sessionSprint(l, session);
  if (sprint) return { sprint, spend: currentSpend(l, sprint, env) };
  const active = latestActiveSprint(l);
  return active ? { sprint: null, active } : null;
}

/**
 * Stop, SubagentStop: what the transcripts gained, read into the ledger when the session counts
 * toward a sprint. Returns what of them could not be read and was not told to the user yet (now it is).
 */
export function readSessionTranscripts(l: Ledger, session: SessionRef, refs: readonly TranscriptRef[]): StoredUnreadNote[] {
  if (!sessionSprint(l, session)) return [];
  ingestTranscripts(l, refs);
  return takeUnreported(l, new Set(refs.map((r) => r.path)), Date.now());
}

/**
 * SubagentStop: the subagent's transcript read, then its reservation settled (its .meta.json names
 * the dispatch). Returns what could not be read, as readSessionTranscripts.
 */
export function readSubagentTranscript(l: Ledger, session: SessionRef, refs: readonly TranscriptRef[], agentTranscriptPath: string): StoredUnreadNote[] {
  const unread = readSessionTranscripts(l, session, refs);
  subagentStopped(l, agentTranscriptPath, Date.now());
  return unread;
}

/**
 * SessionEnd: the final read of a session that counts toward a sprint, until `deadline`; returns
 * whether it finished (null: the session is attached to no sprint, nothing to read). What the
 * session reserved and never settled expires.
 */
export function endSession(l: Ledger, session: SessionRef, refs: readonly TranscriptRef[], deadline: number): IngestResult | null {
  if (!openAttachment(l, session.sessionId)) return null;
  const read = ingestTranscripts(l, refs, { deadline });
  expireSessionReservations(l, session.sessionId, Date.now());
  return read;
}
