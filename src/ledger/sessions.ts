/** Which Claude Code session counts toward which sprint, and from when. */
import { forgetCursor } from './cursors';
import type { Ledger } from './db';
import { type Sprint, getSprint, latestActiveSprint } from './sprints';

export interface Attachment {
  sessionId: string;
  sprintId: string;
  attachedAt: number;
  detachedAt: number | null;
  transcriptPath: string | null;
  via: string;
}

interface AttachmentRow {
  session_id: string;
  sprint_id: string;
  attached_at: number;
  detached_at: number | null;
  transcript_path: string | null;
  via: string;
}

const toAttachment = (r: AttachmentRow): Attachment => ({
  sessionId: r.session_id,
  sprintId: r.sprint_id,
  attachedAt: r.attached_at,
  detachedAt: r.detached_at,
  transcriptPath: r.transcript_path,
  via: r.via,
});

/** The session's open attachment, if any. */
export function openAttachment(l: Ledger, sessionId: string): Attachment | null {
  const r = l
    .stmt('SELECT * FROM sessions WHERE session_id = ? AND detached_at IS NULL ORDER BY attached_at DESC LIMIT 1')
    .get(sessionId) as AttachmentRow | undefined;
  return r ? toAttachment(r) : null;
}

/** When the session's attachment before `before` ended (0: it had none). */
function previousDetach(l: Ledger, sessionId: string, before: number): number {
  const r = l.stmt('SELECT MAX(detached_at) AS at FROM sessions WHERE session_id = ? AND attached_at < ?').get(sessionId, before) as { at: number | null };
  return r.at ?? 0;
}

/**
 * Attaches a session to a sprint from `at` on. A session belongs to one sprint at a time: an open
 * attachment elsewhere is closed at `at`. Attaching again to the same sprint changes nothing but a
 * missing transcript path, or an earlier start: an attach that arrives late (it waited in the spool
 * while a later hook attached the session) still counts from when it happened. The session's main
 * transcript is then read again from its start, as its lines may have been passed over while the
 * session was not attached. Call inside a write transaction.
 */
export function attachSession(
  l: Ledger,
  a: { sessionId: string; sprintId: string; at: number; via: string; transcriptPath?: string | null },
): Attachment {
  const open = openAttachment(l, a.sessionId);
  if (open && open.sprintId === a.sprintId) {
    let now = open;
    const since = Math.max(a.at, previousDetach(l, a.sessionId, open.attachedAt));
    if (since < open.attachedAt) {
      l.stmt('UPDATE sessions SET attached_at = ? WHERE session_id = ? AND attached_at = ?').run(since, open.sessionId, open.attachedAt);
      now = { ...now, attachedAt: since };
    }
    if (a.transcriptPath && !open.transcriptPath) {
      l.stmt('UPDATE sessions SET transcript_path = ? WHERE session_id = ? AND attached_at = ?').run(a.transcriptPath, open.sessionId, now.attachedAt);
      now = { ...now, transcriptPath: a.transcriptPath };
    }
    if (now.attachedAt < open.attachedAt && now.transcriptPath) forgetCursor(l, now.transcriptPath);
    return now;
  }
  // Two attachments of one session never share a start time: the primary key is (session, start).
  const at = open && a.at <= open.attachedAt ? open.attachedAt + 1 : a.at;
  if (open) {
    l.stmt('UPDATE sessions SET detached_at = ? WHERE session_id = ? AND attached_at = ?').run(at, open.sessionId, open.attachedAt);
  }
  l.stmt('INSERT INTO sessions (session_id, sprint_id, attached_at, detached_at, transcript_path, via) VALUES (?, ?, ?, NULL, ?, ?)').run(
    a.sessionId,
    a.sprintId,
    at,
    a.transcriptPath ?? null,
    a.via,
  );
  if (a.transcriptPath) forgetCursor(l, a.transcriptPath);
  return { sessionId: a.sessionId, sprintId: a.sprintId, attachedAt: at, detachedAt: null, transcriptPath: a.transcriptPath ?? null, via: a.via };
}

/** Every attachment of a sprint, oldest first. */
export function sprintAttachments(l: Ledger, sprintId: string): Attachment[] {
  const rows = l.stmt('SELECT * FROM sessions WHERE sprint_id = ? ORDER BY attached_at').all(sprintId) as AttachmentRow[];
  return rows.map(toAttachment);
}

/** Whether the session was ever attached to a sprint (it may be detached now). */
export function everAttached(l: Ledger, sessionId: string): boolean {
  return l.stmt('SELECT 1 FROM sessions WHERE session_id = ? LIMIT 1').get(sessionId) !== undefined;
}

/** Every session ever attached to a sprint. */
export function attachedSessions(l: Ledger): Set<string> {
  const rows = l.stmt('SELECT DISTINCT session_id FROM sessions').all() as { session_id: string }[];
  return new Set(rows.map((r) => r.session_id));
}

export interface AttachRequest {
  sessionId: string;
  at: number;
  via: string;
  transcriptPath?: string | null;
}

/**
 * The sprint a session counts toward, or will once a hook attaches it: its open attachment's sprint;
 * for a session seen for the first time, the project's newest active sprint. A session attached
 * before and detached since (by `detach`, or when its sprint stopped or finished) stays detached:
 * only a person's command (create, resume, attach) attaches it again, so no sprint starts counting a
 * session nobody pointed at it. Null when the session counts toward no sprint. Reads only.
 */
export function sprintOfSession(l: Ledger, sessionId: string): { sprint: Sprint; open: Attachment | null } | null {
  const open = openAttachment(l, sessionId);
  if (open) return { sprint: getSprint(l, open.sprintId) as Sprint, open };
  if (everAttached(l, sessionId)) return null;
  const sprint = latestActiveSprint(l);
  return sprint ? { sprint, open: null } : null;
}

/** The sprint a session counts toward (`sprintOfSession`), the session attached to it. */
export function attachToActiveSprint(l: Ledger, req: AttachRequest): { sprint: Sprint; attachment: Attachment } | null {
  return l.write(() => {
    const found = sprintOfSession(l, req.sessionId);
    return found ? { sprint: found.sprint, attachment: attachSession(l, { ...req, sprintId: found.sprint.id }) } : null;
  });
}

export function attachToSprint(l: Ledger, sprintId: string, req: AttachRequest): Attachment {
  return l.write(() => attachSession(l, { ...req, sprintId }));
}

/** Ends the session's open attachment at `at` (never before it began); returns the one it ended. Call inside a write transaction. */
export function detachSession(l: Ledger, sessionId: string, at: number): Attachment | null {
  const open = openAttachment(l, sessionId);
  if (!open) return null;
  const until = Math.max(at, open.attachedAt);
  l.stmt('UPDATE sessions SET detached_at = ? WHERE session_id = ? AND attached_at = ?').run(until, open.sessionId, open.attachedAt);
  return { ...open, detachedAt: until };
}

/** Ends every open attachment of a sprint at `at`: it counts nothing its sessions do afterwards. Call inside a write transaction. */
export function detachSprintSessions(l: Ledger, sprintId: string, at: number): number {
  return l.stmt('UPDATE sessions SET detached_at = MAX(?, attached_at) WHERE sprint_id = ? AND detached_at IS NULL').run(at, sprintId).changes;
}
