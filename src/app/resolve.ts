/** Which sprint a command means: the one named, else this session's, else the project's newest active one. */
import { NotFoundError, UsageError } from '../platform/errors';
import type { Ledger } from '../ledger/db';
import { openAttachment } from '../ledger/sessions';
import { type Sprint, getSprint, latestActiveSprint } from '../ledger/sprints';

export function resolveSprint(l: Ledger, id: string | undefined, sessionId: string | null): Sprint {
  if (id) {
    const s = getSprint(l, id);
    if (!s) throw new UsageError(`unknown sprint "${id}" in ${l.path}`);
    return s;
  }
  if (sessionId) {
    const att = openAttachment(l, sessionId);
    const s = att ? getSprint(l, att.sprintId) : null;
    if (s && s.status === 'active') return s;
  }
  const s = latestActiveSprint(l);
  if (!s) throw new NotFoundError(`no active sprint in ${l.path} (start one: sprint-budget create "<title>")`);
  return s;
}
