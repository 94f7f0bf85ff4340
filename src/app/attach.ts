/** Attaching Claude Code sessions to sprints: from then on their responses count toward the sprint. */
import { type Attachment, attachToSprint } from '../ledger/sessions';
import type { Sprint } from '../ledger/sprints';
import { UsageError } from '../platform/errors';
import { nonRegularKind } from '../platform/files';
import { claudeConfigDir, findSessionTranscript } from '../transcripts/paths';
import { type Caller, callerSession, inProject } from './project';
import { resolveSprint } from './resolve';

export interface AttachedSession {
  sprint: Sprint;
  attachment: Attachment;
  /** Where Claude Code keeps transcripts: a transcript not found yet is looked up there on every read. */
  configDir: string;
}

/** `sprint-budget attach`: a session attached to the sprint the caller means, from now on. */
export function attachSessionTo(caller: Caller, req: { sprint?: string; session: string; transcript?: string }): AttachedSession {
  // Only regular files are read: a FIFO named here would make every later read wait on it.
  const kind = req.transcript === undefined ? null : nonRegularKind(req.transcript);
  if (kind) throw new UsageError(`--transcript: ${req.transcript} is not a regular file (${kind})`);
  return inProject(caller, {}, (l) => {
    const sprint = resolveSprint(l, req.sprint, callerSession(caller));
    const configDir = claudeConfigDir(caller.env);
    const transcriptPath = req.transcript ?? findSessionTranscript(configDir, req.session, sprint.project);
    const attachment = attachToSprint(l, sprint.id, { sessionId: req.session, at: Date.now(), via: 'attach', transcriptPath });
    return { sprint, attachment, configDir };
  });
}
