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
import type { Responses } from './transcript';

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

/** What one file's new lines held, as the ledger takes it. */
export interface FileReading {
  read: FileRead;
  now: number;
  /** The responses that may be stored: every subagent's, and those of sessions attached when the run began. */
  records: UsageRecord[];
  /** Every response's key, its four counts at counts[4i .. 4i+3]: the run's totals, whatever is stored. */
  keys: string[];
  counts: number[];
  /** The sessions whose responses were passed over: attached to no sprint when the run began. */
  passed: string[];
}

/** Whether a response is stored, given the sessions attached: every subagent's, and the main responses of attached sessions. */
function isStored(agentId: string | null, sessionId: string | null, attached: ReadonlySet<string>): boolean {
  return agentId !== null || (sessionId !== null && attached.has(sessionId));
}

/**
 * Reads one file's new lines. `attached`: the
 * sessions attached to a sprint, whose main responses are kept as records (a main response of a
 * session attached to none can never count: attaching counts only what comes after it, and that
 * is read after it; IngestWriter.flush holds back the cursor of a file whose session was attached
 * in between).
 */
export function readFile(ref: TranscriptRef, cursor: Cursor | null, attached: ReadonlySet<string>): FileReading | null {
  const found: Responses = new Map();
  const now = Date.now();
  // Responses of a main transcript whose session is attached to no sprint become keys and counts.
  const detail = ref.agentId !== null || ref.sessionId === null || attached.has(ref.sessionId);
  const read = readNewLines(ref.path, cursor, found, detail);
  if (!read) return null;
  const reading: FileReading = { read, now, records: [], keys: [], counts: [], passed: [] };
  let agentType: string | undefined;
  for (const r of found.values()) {
    reading.keys.push(r.key);
    reading.counts.push(r.input, r.output, r.cacheRead, r.cacheWrite);
    // A 2.1.332 subagent line names its type (attributionAgent); older lines leave it to the .meta.json.
    agentType ??= ref.agentType ?? r.agentType ?? subagentType(ref.path) ?? 'subagent';
    // A main transcript of an older version may carry sidechain (subagent) lines of its own.
    const sub = ref.agentId === null && r.sidechain;
    const agentId = ref.agentId ?? (sub ? r.agentId : null);
    const sessionId = ref.sessionId ?? r.sessionId;
    if (isStored(agentId, sessionId, attached)) {
      const type = sub ? (r.agentType ?? 'subagent') : agentType;
      const ts = Number.isFinite(r.ts) ? r.ts : now;
      reading.records.push({
        key: r.key,
        kind: 'response',
        source: 'transcript',
        sessionId,
        sprintId: null,
        phase: null,
        agentId,
        agentType: type,
        model: r.model,
        ts,
        input: r.input,
        output: r.output,
        cacheRead: r.cacheRead,
        cacheWrite: r.cacheWrite,
        origin: `${ref.path}:${r.line}`,
      });
    } else if (sessionId !== null && !reading.passed.includes(sessionId)) reading.passed.push(sessionId);
  }
  return reading;
}

/** Records and cursors are written in batches: one transaction per batch, not per file. */
const BATCH_RECORDS = 20_000;
const BATCH_FILES = 500;

/**
 * Collects file readings and writes them to the ledger in batches, keeping this run's totals (over
 * everything read). Stored: every subagent response (the per-agent-type history estimates rest on)
 * and the main responses of sessions attached to a sprint.
 */
export class IngestWriter {
  /** The sessions attached when the run began: what readFile keeps records for. */
  readonly attached: ReadonlySet<string>;
  /**
   * The largest counts seen per key this run (a resumed session repeats lines of another file), for
   * the totals: key → offset into `counts`, four numbers per response, no object per response.
   */
  private readonly seen = new Map<string, number>();
  private readonly counts: number[] = [];
  /** The records read since the last write. */
  private pending: UsageRecord[] = [];
  /** The files read since the last write, for their cursors. */
  private reads: Pick<FileReading, 'read' | 'now' | 'passed'>[] = [];
  private files = 0;
  private bytes = 0;

  constructor(private readonly l: Ledger) {
    this.attached = attachedSessions(l);
  }

  add(reading: FileReading): void {
    this.files++;
    this.bytes += reading.read.bytes;
    const { keys, counts } = reading;
    const all = this.counts;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      const at = this.seen.get(key);
      if (at === undefined) {
        this.seen.set(key, all.length);
        all.push(counts[4 * i] as number, counts[4 * i + 1] as number, counts[4 * i + 2] as number, counts[4 * i + 3] as number);
      } else for (let k = 0; k < 4; k++) all[at + k] = Math.max(all[at + k] as number, counts[4 * i + k] as number);
    }
    // Every reading goes to the ledger, not only one that raised what was seen: whether it is
    // stored depends on its own session (another file may hold the same response for a session
    // that is not attached), and the upsert keeps the largest counts whichever comes first.
    for (const r of reading.records) this.pending.push(r);
    this.reads.push({ read: reading.read, now: reading.now, passed: reading.passed });
    if (this.pending.length >= BATCH_RECORDS || this.reads.length >= BATCH_FILES) this.flush();
  }

  flush(): void {
    if (this.reads.length === 0) return;
    const { pending, reads, l } = this;
    l.write(() => {
      // Read inside the write lock, so a session attached meanwhile is seen (attaching takes the lock too).
      const attached = attachedSessions(l);
      putUsage(l, pending.filter((r) => isStored(r.agentId, r.sessionId, attached)));
      for (const { read, now, passed } of reads) {
        // A session attached since the run began had its responses passed over: its file is read again next time.
        if (!read.unchanged && !passed.some((s) => attached.has(s))) putCursor(l, read.cursor, read.reset, now);
      }
    });
    this.pending = [];
    this.reads = [];
  }

  result(complete: boolean): IngestResult {
    this.flush();
    const c = this.counts;
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

export function ingestTranscripts(l: Ledger, refs: readonly TranscriptRef[], opts: IngestOptions = {}): IngestResult {
  const writer = new IngestWriter(l);
  const cursors = opts.cursors ?? (refs.length >= MANY_FILES ? getCursors(l) : undefined);
  for (const [i, ref] of refs.entries()) {
    if (opts.deadline !== undefined && Date.now() > opts.deadline) return writer.result(false);
    const reading = readFile(ref, cursors ? (cursors.get(ref.path) ?? null) : getCursor(l, ref.path), writer.attached);
    opts.onProgress?.(i + 1, refs.length);
    if (reading) writer.add(reading);
  }
  return writer.result(true);
}
