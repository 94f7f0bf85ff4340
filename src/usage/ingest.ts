/**
 * Reading transcripts into the ledger: each file from its cursor, each response once (keyed on its
 * message id), records and the new cursors written together, in batches of files.
 */
import type { Ledger } from '../ledger/db';
import { type Cursor, getCursor, getCursors, putCursor } from '../ledger/cursors';
import { attachedSessions } from '../ledger/sessions';
import { type UsageRecord, putUsage } from '../ledger/usage';
import { type FileRead, readNewLines } from './reader';
import { subagentType } from './locate';
import type { Responses, TranscriptResponse } from './transcript';
import { type TokenCounts, raiseTokens } from '../domain/tokens';

export { sessionTranscripts } from './locate';

/** One transcript file and whose responses it holds. */
export interface TranscriptRef {
  path: string;
  /** The Claude Code session (for subagents: the parent session). Null: taken from the lines. */
  sessionId: string | null;
  /** Null for a main transcript. */
  agentId: string | null;
  /** `main`, the subagent's type, or null: read from the subagent's .meta.json once it has new lines. */
  agentType: string | null;
}

/** A ref whose agent type is known. */
type TypedRef = TranscriptRef & { agentType: string };

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
  /** Stop between files once Date.now() passes this; cursors keep what was done. */
  deadline?: number;
  /** Every cursor, when the caller has read them already (else read here as suits the number of files). */
  cursors?: ReadonlyMap<string, Cursor>;
  onProgress?: (doneFiles: number, totalFiles: number) => void;
}

export interface IngestResult extends IngestTotals {
  /** False when the deadline stopped the work before every file was read to its end. */
  complete: boolean;
}

function toRecord(ref: TypedRef, r: TranscriptResponse, fallbackTs: number): UsageRecord {
  // A main transcript of an older version may carry sidechain (subagent) lines of its own.
  const sub = ref.agentId === null && r.sidechain;
  return {
    key: r.key,
    kind: 'response',
    source: 'transcript',
    sessionId: ref.sessionId ?? r.sessionId,
    sprintId: null,
    phase: null,
    agentId: ref.agentId ?? (sub ? r.agentId : null),
    agentType: sub ? (r.agentType ?? 'subagent') : ref.agentType,
    model: r.model,
    ts: Number.isFinite(r.ts) ? r.ts : fallbackTs,
    input: r.input,
    output: r.output,
    cacheRead: r.cacheRead,
    cacheWrite: r.cacheWrite,
    origin: `${ref.path}:${r.line}`,
  };
}

/** What one file's new lines held: its responses, once per key, and where its cursor now stands. */
export interface FileScan {
  read: FileRead;
  /** The file, its agent type known once it had responses. */
  ref: TypedRef;
  responses: TranscriptResponse[];
  now: number;
}

/** Reads one file's new lines. No ledger access: it also runs in scan workers. */
export function scanFile(ref: TranscriptRef, cursor: Cursor | null): FileScan | null {
  const found: Responses = new Map();
  const now = Date.now();
  const read = readNewLines(ref.path, cursor, found);
  if (!read) return null;
  const responses = [...found.values()];
  const first = responses[0];
  // A 2.1.332 subagent line names its type (attributionAgent); older lines leave it to the .meta.json.
  const agentType = ref.agentType ?? (first ? (first.agentType ?? subagentType(ref.path) ?? 'subagent') : 'subagent');
  return { read, ref: { ...ref, agentType }, responses, now };
}

/** A scan's responses as ledger records. */
function scanRecords(scan: FileScan): UsageRecord[] {
  return scan.responses.map((r) => toRecord(scan.ref, r, scan.now));
}

/** Records and cursors are written in batches: one transaction per batch, not per file. */
const BATCH_RECORDS = 20_000;
const BATCH_FILES = 500;

/**
 * Collects file scans and writes them to the ledger in batches, keeping this run's totals (over
 * everything read). Stored: every subagent response (the per-agent-type history estimates rest on)
 * and the main responses of sessions attached to a sprint. A main response of a session attached to
 * none can never count: attaching counts only what comes after it, and that is read after it.
 */
export class IngestWriter {
  /**
   * The largest counts seen per key this run (a resumed session repeats lines of another file), for
   * the totals: counts only, a record is let go once written.
   */
  private readonly seen = new Map<string, TokenCounts>();
  /** The records read since the last write. */
  private pending: UsageRecord[] = [];
  /** The files read since the last write, for their cursors (their responses are let go: see seen). */
  private reads: Pick<FileScan, 'read' | 'now'>[] = [];
  private files = 0;
  private bytes = 0;

  constructor(private readonly l: Ledger) {}

  add(scan: FileScan): void {
    this.files++;
    this.bytes += scan.read.bytes;
    for (const r of scanRecords(scan)) {
      const had = this.seen.get(r.key);
      if (had) raiseTokens(had, r);
      else this.seen.set(r.key, { input: r.input, output: r.output, cacheRead: r.cacheRead, cacheWrite: r.cacheWrite });
      // Every reading goes to the ledger, not only one that raised what was seen: whether it is
      // stored depends on its own session (another file may hold the same response for a session
      // that is not attached), and the upsert keeps the largest counts whichever comes first.
      this.pending.push(r);
    }
    this.reads.push({ read: scan.read, now: scan.now });
    if (this.pending.length >= BATCH_RECORDS || this.reads.length >= BATCH_FILES) this.flush();
  }

  flush(): void {
    if (this.reads.length === 0) return;
    const { pending, reads, l } = this;
    l.write(() => {
      // Read inside the write lock, so a session attached meanwhile is seen (attaching takes the lock too).
      const attached = attachedSessions(l);
      const stored: UsageRecord[] = [];
      for (const r of pending) if (r.agentId !== null || (r.sessionId !== null && attached.has(r.sessionId))) stored.push(r);
      putUsage(l, stored);
      for (const { read, now } of reads) if (!read.unchanged) putCursor(l, read.cursor, read.reset, now);
    });
    this.pending = [];
    this.reads = [];
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
    };
    for (const r of this.seen.values()) {
      totals.input_tokens += r.input;
      totals.output_tokens += r.output;
      totals.cache_creation_input_tokens += r.cacheWrite;
      totals.cache_read_input_tokens += r.cacheRead;
    }
    return totals;
  }
}

/** Past this many files one query for every cursor beats a lookup per file. */
const MANY_FILES = 64;

export function ingestTranscripts(l: Ledger, refs: readonly TranscriptRef[], opts: IngestOptions = {}): IngestResult {
  const writer = new IngestWriter(l);
  const cursors = opts.cursors ?? (refs.length >= MANY_FILES ? getCursors(l) : undefined);
  for (const [i, ref] of refs.entries()) {
    if (opts.deadline !== undefined && Date.now() > opts.deadline) return writer.result(false);
    const scan = scanFile(ref, cursors ? (cursors.get(ref.path) ?? null) : getCursor(l, ref.path));
    opts.onProgress?.(i + 1, refs.length);
    if (scan) writer.add(scan);
  }
  return writer.result(true);
}
