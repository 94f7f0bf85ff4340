/**
 * Reading transcripts into the ledger: each file from its cursor, each response once (keyed on its
 * message id), records and the new cursors written together, in batches of files. A file that
 * cannot be read is skipped and noted (ledger/unread.ts), never the others; it is tried again on
 * every read.
 */
import { type SpendRecord, isStoredResponse } from '../domain/records';
import { type Ledger } from '../ledger/db';
import { getCursor, getCursors, putCursor } from '../ledger/cursors';
import { putSubagents } from '../ledger/agents';
import { putRecords } from '../ledger/records';
import { attachedSessions } from '../ledger/sessions';
import { type UnreadNote, clearUnreadFile, clearUnreadLines, putUnread, unreadFiles } from '../ledger/unread';
import { fileErrorReason } from '../platform/files';
import type { Cursor } from '../transcripts/file-reader';
import { type TranscriptRef, findSessionTranscript, sessionTranscripts } from '../transcripts/paths';
import { type FileReading, type Subagent, readTranscript } from '../transcripts/reading';
import { processWalk } from '../transcripts/walk';

export interface IngestTotals {
  files: number;
  bytes: number;
  responses: number;
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

export interface IngestOptions {
  /** Stop (between files, and between chunks of a file) once Date.now() passes this; cursors keep what was done. */
  deadline?: number;
  /** Every cursor, when the caller has read them already (else read here as suits the number of files). */
  cursors?: ReadonlyMap<string, Cursor>;
  onProgress?: (doneFiles: number, totalFiles: number) => void;
}

export interface IngestResult extends IngestTotals {
  /** False when the deadline stopped the work before every file was read to its end. */
  complete: boolean;
  /** What this run could not read: files skipped, lines passed over. */
  unread: UnreadNote[];
}

/** Records and cursors are written in batches: one transaction per batch, not per file. */
const BATCH_RECORDS = 20_000;
const BATCH_FILES = 500;

/**
 * Collects file readings and writes them to the ledger in batches, keeping this run's totals (over
 * everything read, stored or not).
 */
export class IngestWriter {
  /** The sessions attached when the run began: whose main responses readTranscript keeps records for. */
  readonly attached: ReadonlySet<string>;
  /**
   * The largest counts seen per key this run (a resumed session repeats lines of another file), for
   * the totals: key → offset into `counts`, four numbers per response, no object per response.
   */
  private readonly seen = new Map<string, number>();
  private readonly counts: number[] = [];
  /** The records read since the last write. */
  private pending: SpendRecord[] = [];
  /** The files read since the last write, for their cursors. */
  private reads: Pick<FileReading, 'read' | 'now' | 'passed'>[] = [];
  /** Subagents whose files were read from their start since the last write. */
  private subagents: Subagent[] = [];
  /** What could not be read since the last write. */
  private notes: UnreadNote[] = [];
  /** Every note of this run. */
  private readonly unread: UnreadNote[] = [];
  /** The files noted as unreadable before: a read of one clears its note. */
  private readonly wereUnreadable: Set<string>;
  private files = 0;
  private bytes = 0;

  constructor(private readonly l: Ledger) {
    this.attached = attachedSessions(l);
    this.wereUnreadable = unreadFiles(l);
  }

  /** A file that could not be read: noted, and left without a cursor, so the next read tries it again. */
  unreadable(path: string, reason: string): void {
    this.note({ path, line: null, reason });
  }

  private note(n: UnreadNote): void {
    this.notes.push(n);
    this.unread.push(n);
  }

  add(reading: FileReading): void {
    this.files++;
    this.bytes += reading.read.bytes;
    const c = this.counts;
    for (const r of reading.responses.values()) {
      const at = this.seen.get(r.key);
      if (at === undefined) {
        this.seen.set(r.key, c.length);
        c.push(r.input, r.output, r.cacheRead, r.cacheWrite);
      } else {
        c[at] = Math.max(c[at] as number, r.input);
        c[at + 1] = Math.max(c[at + 1] as number, r.output);
        c[at + 2] = Math.max(c[at + 2] as number, r.cacheRead);
        c[at + 3] = Math.max(c[at + 3] as number, r.cacheWrite);
      }
    }
    // Every reading goes to the ledger, not only one that raised what was seen: whether it is
    // stored depends on its own session (another file may hold the same response for a session
    // that is not attached), and the upsert keeps the largest counts whichever comes first.
    for (const r of reading.records) this.pending.push(r);
    for (const s of reading.read.skipped) this.note({ path: reading.read.cursor.path, line: s.line, reason: s.reason });
    this.reads.push({ read: reading.read, now: reading.now, passed: reading.passed });
    if (reading.subagent) this.subagents.push(reading.subagent);
    if (this.pending.length >= BATCH_RECORDS || this.reads.length >= BATCH_FILES) this.flush();
  }

  flush(): void {
    if (this.reads.length === 0 && this.notes.length === 0) return;
    const { pending, reads, subagents, notes, l } = this;
    l.write(() => {
      putSubagents(l, subagents);
      // Read inside the write lock, so a session attached meanwhile is seen (attaching takes the lock too).
      const attached = attachedSessions(l);
      putRecords(l, pending.filter((r) => isStoredResponse(r.agentId, r.sessionId, attached)));
      for (const { read, now, passed } of reads) {
        const path = read.cursor.path;
        if (this.wereUnreadable.has(path)) clearUnreadFile(l, path);
        // A session attached since the run began had its responses passed over: its file is read again next time.
        if (read.unchanged || passed.some((s) => attached.has(s))) continue;
        if (read.reset) clearUnreadLines(l, path);
        putCursor(l, read.cursor, read.reset, now);
      }
      putUnread(l, notes, Date.now());
    });
    this.pending = [];
    this.reads = [];
    this.subagents = [];
    this.notes = [];
  }

  result(complete: boolean): IngestResult {
    this.flush();
    const totals: IngestResult = {
      files: this.files,
      bytes: this.bytes,
      responses: this.seen.size,
      input_tokens: 0,
      output_tokens: 0,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      complete,
      unread: this.unread,
    };
    const c = this.counts;
    for (let at = 0; at < c.length; at += 4) {
      totals.input_tokens += c[at] as number;
      totals.output_tokens += c[at + 1] as number;
      totals.cache_read_input_tokens += c[at + 2] as number;
      totals.cache_creation_input_tokens += c[at + 3] as number;
    }
    return totals;
  }
}

/** Past this many files one query for every cursor beats a lookup per file. */
const MANY_FILES = 64;

/** Reads what the transcripts gained since their cursors into the ledger. */
export function ingestTranscripts(l: Ledger, refs: readonly TranscriptRef[], opts: IngestOptions = {}): IngestResult {
  const writer = new IngestWriter(l);
  const walk = processWalk();
  const cursors = opts.cursors ?? (refs.length >= MANY_FILES ? getCursors(l) : undefined);
  for (const [i, ref] of refs.entries()) {
    if (opts.deadline !== undefined && Date.now() > opts.deadline) return writer.result(false);
    const cursor = cursors ? (cursors.get(ref.path) ?? null) : getCursor(l, ref.path);
    let reading: FileReading | null;
    try {
      reading = readTranscript(walk, ref, cursor, writer.attached, opts.deadline);
    } catch (err) {
      // Whatever stops one file (permissions, a symlink loop, a FIFO, ...) stops that file alone.
      writer.unreadable(ref.path, fileErrorReason(err));
      reading = null;
    }
    opts.onProgress?.(i + 1, refs.length);
    if (!reading) continue;
    writer.add(reading);
    if (reading.read.partial) return writer.result(false);
  }
  return writer.result(true);
}

/** A session's transcripts (main and subagents), or null when Claude Code kept none for it under `configDir`. */
export function sessionRefs(configDir: string, sessionId: string): TranscriptRef[] | null {
  const main = findSessionTranscript(configDir, sessionId);
  return main ? sessionTranscripts(sessionId, main) : null;
}
