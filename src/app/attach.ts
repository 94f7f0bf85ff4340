/** Attaching Claude Code sessions to sprints. */
import type { Ledger } from '../ledger/db';
import { type Attachment, attachSession, openAttachment } from '../ledger/sessions';
import { type Sprint, getSprint, latestActiveSprint } from '../ledger/sprints';

export interface AttachRequest {
  sessionId: string;
  at: number;
  via: string;
  transcriptPath?: string | null;
}

/**
 * Attaches a session to the project's active sprint, unless it is already attached to an active
 * sprint (a resumed session keeps its sprint). Returns the sprint, or null when there is none.
 */
export function attachToActiveSprint(l: Ledger, req: AttachRequest): { sprint: Sprint; attachment: Attachment } | null {
  return l.write(() => {
    const open = openAttachment(l, req.sessionId);
    const current = open ? getSprint(l, open.sprintId) : null;
    const sprint = current?.status === 'active' ? current : latestActiveSprint(l);
    if (!sprint) return null;
    const attachment = attachSession(l, { ...req, sprintId: sprint.id });
    return { sprint, attachment };
  });
}

export function attachToSprint(l: Ledger, sprintId: string, req: AttachRequest): Attachment {
  return l.write(() => attachSession(l, { ...req, sprintId }));
}
