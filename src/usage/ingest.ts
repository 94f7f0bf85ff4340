/**
 * Reading transcripts into the ledger: each file from its cursor, each response once (keyed on its
 * message id), records and the new cursors written together, in batches of files.
 */
import type { Ledger } from '../ledger/db';
import { type Cursor, getCursor, getCursors, putCursor } from '../ledger/cursors';
import { attachedSessions } from '../ledger/sessions';
import { type UsageRecord, upsertUsage } from '../ledger/usage';
import { type FileRead, readNewLines } from './reader';
import { subagentType } from './locate';
import type { TranscriptResponse } from './transcript';

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

/** Keeps the largest count of each kind seen for a key (placeholder output on early lines). */
function keepLargest(into: Map<string, UsageRecord>, rec: UsageRecord): void {
  const had = into.get(rec.key);
  if (!had) {
    into.set(rec.key, rec);
    return;
  }
  if (rec.output > had.output) had.origin = rec.origin;
  had.input = Math.max(had.input, rec.input);
  had.output = Math.max(had.output, rec.output);
  had.cacheRead = Math.max(had.cacheRead, rec.cacheRead);
  had.cacheWrite = Math.max(had.cacheWrite, rec.cacheWrite);
}

export interface FileScan {
  read: FileRead;
  /** The file's new responses, one per key. */
  records: UsageRecord[];
  now: number;
}

/** Reads one file's new lines into records. No ledger access: it also runs in scan workers. */
export function scanFile(ref: TranscriptRef, cursor: Cursor | null): FileScan | null {
  const found = new Map<string, UsageRecord>();
  const now = Date.now();
  let typed: TypedRef | undefined;
  const read = readNewLines(ref.path, cursor, (r) => {
    // A 2.1.332 subagent line names its type (attributionAgent); older lines leave it to the .meta.json.
    typed ??= { ...ref, agentType: ref.agentType ?? r.agentType ?? subagentType(ref.path) ?? 'subagent' };
    keepLargest(found, toRecord(typed, r, now));
  });
  return read ? { read, records: [...found.values()], now } : null;
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
  private readonly seen = new Map<string, UsageRecord>();
  private batch = new Map<string, UsageRecord>();
  private scans: FileScan[] = [];
  private files = 0;
  private bytes = 0;

  constructor(private readonly l: Ledger) {}

  add(scan: FileScan): void {
    this.files++;
    this.bytes += scan.read.bytes;
    for (const r of scan.records) keepLargest(this.batch, r);
    this.scans.push(scan);
    if (this.batch.size >= BATCH_RECORDS || this.scans.length >= BATCH_FILES) this.flush();
  }

  flush(): void {
    if (this.scans.length === 0) return;
    const records = [...this.batch.values()];
    const scans = this.scans;
    const l = this.l;
    l.write(() => {
      // Read inside the write lock, so a session attached meanwhile is seen (attaching takes the lock too).
      const attached = attachedSessions(l);
      upsertUsage(
        l,
        records.filter((r) => r.agentId !== null || (r.sessionId !== null && attached.has(r.sessionId))),
      );
      for (const { read, now } of scans) if (!read.unchanged) putCursor(l, read.cursor, read.reset, now);
    });
    for (const r of records) keepLargest(this.seen, r);
    this.batch = new Map();
    this.scans = [];
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
