/**
 * The hooks whose one job is reading transcripts (Stop, SubagentStop): read what is new now, and if
 * the ledger cannot be used, queue the same read. Reading is incremental (per-file cursors) and keyed
 * on message ids, so reading a line again never counts it twice.
 */
import { readSessionTranscripts } from '../app/session';
import type { Ledger } from '../ledger/db';
import type { UnreadNote } from '../ledger/unread';
import type { TranscriptRef } from '../transcripts/paths';
import { type IngestEvent, ingestRefs } from '../app/spooled';
import { noticeAnswer, unreadNotice } from './answers';
import { attachEvent, sessionOf } from './events';
import type { HookPayload } from './payloads';
import { type Hook, runHook } from './runtime';

export function runIngestHook<P extends HookPayload>(
  event: string,
  schema: Hook<P>['schema'],
  toIngest: (p: P) => IngestEvent,
  /** The app function that reads (default: the session's transcripts, when it counts toward a sprint); it returns what to tell of what could not be read. */
  read: (l: Ledger, p: P, refs: TranscriptRef[]) => readonly UnreadNote[] = (l, p, refs) => readSessionTranscripts(l, sessionOf(p), refs),
): void {
  runHook<P>({
    event,
    schema,
    run(l, p) {
      return noticeAnswer(unreadNotice(read(l, p, ingestRefs(toIngest(p)))));
    },
    // What run would have done: attach (a no-op when attached), then read.
    unavailable: (p, why) => ({ spool: [attachEvent(p), toIngest(p)], answer: noticeAnswer(why.notice) }),
  });
}
