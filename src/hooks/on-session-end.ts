/**
 * SessionEnd: the final read of the session's transcripts. Claude Code gives all SessionEnd hooks
 * 1.5 s together, counted from when it starts them: so the deadline counts from this process's start
 * (Node's start-up and loading this bundle are part of the 1.5 s). The read stops there, between
 * chunks of a file too, and hands what is left to a detached process. If even that is cut short,
 * nothing is lost: the lines stay in the transcript behind the ledger's cursor, and the next read of
 * the sprint (any hook or command) takes them.
 */
import { endSession } from '../app/session';
import { ingestRefs } from '../app/spooled';
import { sessionIngestEvent, sessionOf } from './events';
import { SessionEnd } from './payloads';
import { runHook } from './runtime';

/** Of the 1.5 s from the process's start: what the reading may take, leaving room for the hand-off and exit. */
const READ_UNTIL = performance.timeOrigin + 1_000;

runHook({
  event: 'SessionEnd',
  schema: SessionEnd,
  busyTimeoutMs: 300,
  deadline: READ_UNTIL,
  run(l, p, ctx) {
    const ingest = sessionIngestEvent(p);
    const read = endSession(l, sessionOf(p), ingestRefs(ingest), READ_UNTIL);
    if (read && !read.complete) ctx.handOff([ingest]);
    return null;
  },
  unavailable: (p, why) => ({ spool: [sessionIngestEvent(p)], drainNow: why.kind !== 'binding' }),
});
