/**
 * SessionEnd: the final read of the session's transcripts. Claude Code gives all SessionEnd hooks
 * 1.5 s together, so the read stops at a deadline and hands what is left to a detached process. If
 * even that is cut short, nothing is lost: the lines stay in the transcript behind the ledger's
 * cursor, and the next read of the sprint (any hook or command) takes them.
 */
import { ingestRefs } from '../app/spooled';
import { openAttachment } from '../ledger/sessions';
import { ingestTranscripts } from '../usage/ingest';
import { SessionEnd } from './payloads';
import { runHook } from './runtime';
import { sessionIngestEvent } from './session';

const started = Date.now();
/** Of the 1.5 s: what the read may take, leaving room for start-up, the hand-off and exit. */
const READ_UNTIL = started + 1_000;

runHook({
  event: 'SessionEnd',
  schema: SessionEnd,
  busyTimeoutMs: 300,
  run(l, p, ctx) {
    // Only a session that counts toward a sprint; one ending is not attached now.
    if (!openAttachment(l, p.session_id)) return null;
    const ingest = sessionIngestEvent(p);
    if (!ingestTranscripts(l, ingestRefs(ingest), { deadline: READ_UNTIL }).complete) ctx.handOff([ingest]);
    return null;
  },
  unavailable: (p, why) => ({ spool: [sessionIngestEvent(p)], drainNow: why.kind !== 'binding' }),
});
