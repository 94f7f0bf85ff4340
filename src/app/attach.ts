/**
 * Attaching Claude Code sessions to sprints, by a person's command: from then on their responses
 * count toward the sprint (docs/spec.md, "Session attachment"), until they are detached.
 */
import { type Attachment, attachToSprint, detachSession, openAttachment } from '../ledger/sessions';
import type { Sprint } from '../ledger/sprints';
import { NotFoundError, UsageError } from '../platform/errors';
import { nonRegularKind } from '../platform/files';
import { claudeConfigDir, findSessionTranscript } from '../transcripts/paths';
import type { Ledger } from '../ledger/db';
import { type Caller, callerSession, inProject } from './project';
import { resolveSprint } from './resolve';
import { currentSpend } from './spend';
import { type SprintState, sprintState } from './state';

export interface AttachedSession {
  sprint: Sprint;
  attachment: Attachment;
  /** The sprint the session counted toward until now, when it was another one. */
  previous: string | null;
  /** Where Claude Code keeps transcripts: a transcript not found yet is looked up there on every read. */
  configDir: string;
}

/** Attaches `session` to `sprint` from now on (moving it from any other sprint); a sprint that no longer counts refuses it. */
function attachNow(l: Ledger, caller: Caller, sprint: Sprint, session: string, transcript: string | undefined, via: string): AttachedSession {
  if (sprint.status !== 'active') throw new UsageError(`sprint ${sprint.id} is ${sprint.status}: it counts nothing more (start a new one: sprint-budget create "<title>")`);
  const configDir = claudeConfigDir(caller.env);
  const before = openAttachment(l, session);
  const transcriptPath = transcript ?? findSessionTranscript(configDir, session, sprint.project);
  const attachment = attachToSprint(l, sprint.id, { sessionId: session, at: Date.now(), via, transcriptPath });
  return { sprint, attachment, previous: before && before.sprintId !== sprint.id ? before.sprintId : null, configDir };
}

/** `sprint-budget attach`: a session attached to the sprint the caller means, from now on. */
export function attachSessionTo(caller: Caller, req: { sprint?: string; session: string; transcript?: string }): AttachedSession {
  // Only regular files are read: a FIFO named here would make every later read wait on it.
  const kind = req.transcript === undefined ? null : nonRegularKind(req.transcript);
  if (kind) throw new UsageError(`--transcript: ${req.transcript} is not a regular file (${kind})`);
  return inProject(caller, {}, (l) => attachNow(l, caller, resolveSprint(l, req.sprint, callerSession(caller)), req.session, req.transcript, 'attach'));
}

export interface Resumed {
  state: SprintState;
  /** The caller's session, now attached to the sprint; null outside Claude Code (nothing to attach). */
  attached: AttachedSession | null;
}

/**
 * `sprint-budget resume <id>`: carry on with a sprint in this session. The session it runs in counts
 * toward that sprint from now on, whichever sprint it counted toward before.
 */
export function resumeSprint(caller: Caller, id: string): Resumed {
  return inProject(caller, {}, (l) => {
    const session = callerSession(caller);
    const sprint = resolveSprint(l, id, session);
    const attached = session ? attachNow(l, caller, sprint, session, undefined, 'resume') : null;
    if (!attached && sprint.status !== 'active') throw new UsageError(`sprint ${sprint.id} is ${sprint.status}: there is nothing to resume (its history: sprint-budget state ${sprint.id})`);
    return { state: sprintState(l, sprint, currentSpend(l, sprint, caller.env), caller.env), attached };
  });
}

/** `sprint-budget detach`: the session counts toward no sprint from now on (until a person attaches it again). */
export function detachSessionFrom(caller: Caller, session: string): Attachment {
  return inProject(caller, {}, (l) => {
    const ended = l.write(() => detachSession(l, session, Date.now()));
    if (!ended) throw new NotFoundError(`session ${session} is attached to no sprint`);
    return ended;
  });
}
