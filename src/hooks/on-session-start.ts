/**
 * SessionStart: attach the session to the project's active sprint (a session seen for the first
 * time), and say in one line, to the user and to the model, which sprint it counts toward and where
 * that sprint stands. Nothing goes into the session's environment: a figure put there would be stale
 * by the next command (a review's triage reads the sprint's remaining budget itself).
 */
import { startSession } from '../app/session';
import { contextAnswer, noticeAnswer, sprintContextLine } from './answers';
import { attachEvent, sessionOf } from './events';
import { SessionStart } from './payloads';
import { runHook } from './runtime';

runHook({
  event: 'SessionStart',
  schema: SessionStart,
  run(l, p, ctx) {
    const started = startSession(l, sessionOf(p), ctx.env);
    if (!started) return null;
    const line =
      started.sprint === null
        ? `This session counts toward no sprint (it was detached); /sprint-budget:sprint ${started.active.id} resumes the active one.`
        : `This session counts toward ${sprintContextLine(started.sprint, started.spend)}`;
    return contextAnswer('SessionStart', line, `sprint-budget: ${line}`);
  },
  unavailable: (p, why) => ({ spool: [attachEvent(p)], answer: noticeAnswer(why.notice) }),
  // The first thing a user does in a new project is a command (`create`): its driver is built by then.
  prepareBinding: true,
});
