/**
 * A first `ingest` of a large history reads on two threads (the machines have two cores and the
 * reading is CPU-bound): this one and a worker take files from one shared counter, so neither
 * idles while the other has work. A worker takes about as long to boot as Node itself, so it can be
 * started before the files are listed and the ledger opened, and be handed its job once they are;
 * this thread starts reading at once either way. Only this thread touches the ledger: the worker
 * gets paths and cursors, and sends back what it read.
 */
import type { MessagePort, Worker } from 'node:worker_threads';
import type { Cursor } from '../ledger/cursors';
import { getCursors } from '../ledger/cursors';
import type { Ledger } from '../ledger/db';
import { builtin, lazily } from '../lib/lazy';
import { type FileReading, type IngestOptions, type IngestResult, IngestWriter, type TranscriptRef, fileReading, readFile, responseRecord } from './ingest';
import type { FileRead } from './reader';

// Loaded when a worker starts: worker_threads costs every other `ingest` a few milliseconds to load.
const threads = lazily(() => builtin<typeof import('node:worker_threads')>('node:worker_threads'));

/** What a scan worker is started with. */
export interface WorkerStart {
  /** Int32 [0]: the index of the next file to take (Atomics.add); [1]: 1 once the worker reads. */
  shared: SharedArrayBuffer;
  /** Where the job arrives and the worker posts its scans. */
  port: MessagePort;
}

/** The files to read, posted once they are known, and the sessions attached (see readFile). */
export interface ScanJob {
  files: { ref: TranscriptRef; cursor: Cursor | null }[];
  attached: string[];
}

/**
 * From the worker: a reading crosses threads as JSON text (one string is copied, where a structured
 * clone of thousands of small records costs the receiving thread several times more), then `done`.
 */
export type ScanMessage = { reading: string } | { done: true } | { error: string };

/** A record as it crosses: its fields in responseRecord's order, without their names. */
type RecordRow = Parameters<typeof responseRecord>;

export function encodeReading(reading: FileReading | null): string {
  if (!reading) return 'null';
  const rows = reading.records.map((r): RecordRow => [r.key, r.sessionId, r.agentId, r.agentType, r.model, r.ts, r.input, r.output, r.cacheRead, r.cacheWrite, r.origin]);
  return JSON.stringify([reading.read, reading.now, rows, reading.keys, reading.counts, reading.passed]);
}

export function decodeReading(text: string): FileReading | null {
  const parsed = JSON.parse(text) as [FileRead, number, RecordRow[], string[], number[], string[]] | null;
  if (!parsed) return null;
  const [read, now, rows, keys, counts, passed] = parsed;
  return fileReading(
    read,
    now,
    rows.map((row) => responseRecord(...row)),
    keys,
    counts,
    passed,
  );
}

/** Takes the next file index from the shared counter (slot 0); -1 when all are taken. */
export function takeNext(next: Int32Array, count: number): number {
  const i = Atomics.add(next, 0, 1);
  return i < count ? i : -1;
}

export class ScanWorker {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly next: Int32Array;
  private failure: Error | null = null;
  private readonly finished: Promise<void>;

  /** Starts booting the worker (plugin/dist/scan-worker.cjs); its job follows with `ingest`. */
  constructor(script: string) {
    const { MessageChannel, Worker } = threads();
    const channel = new MessageChannel();
    const start: WorkerStart = { shared: new SharedArrayBuffer(8), port: channel.port2 };
    this.next = new Int32Array(start.shared);
    this.port = channel.port1;
    this.worker = new Worker(script, { workerData: start, transferList: [channel.port2] });
    // Neither the worker nor its port may keep the process alive once this thread is done.
    this.worker.unref();
    this.finished = new Promise((resolve) => {
      this.worker.on('error', (err) => {
        this.failure ??= err;
        resolve();
      });
      this.worker.on('exit', () => resolve());
    });
  }

  /** A worker that will not be needed: stopped, not waited for. */
  stop(): void {
    this.port.close();
    void this.worker.terminate();
  }

  /** Reads every ref on both threads; the ledger is written from this one. */
  async ingest(l: Ledger, refs: readonly TranscriptRef[], opts: IngestOptions = {}): Promise<IngestResult> {
    const cursors = opts.cursors ?? getCursors(l);
    const files = refs.map((ref) => ({ ref, cursor: cursors.get(ref.path) ?? null }));
    const writer = new IngestWriter(l);
    this.port.postMessage({ files, attached: [...writer.attached] } satisfies ScanJob);
    let done = 0;
    let workerDone = false;
    const take = (reading: FileReading | null) => {
      done++;
      opts.onProgress?.(done, files.length);
      if (reading) writer.add(reading);
    };
    const onMessage = (msg: ScanMessage) => {
      if ('reading' in msg) take(decodeReading(msg.reading));
      else if ('done' in msg) workerDone = true;
      else this.failure ??= new Error(msg.error);
    };
    // The worker's readings are taken between this thread's own files (receiveMessageOnPort needs no
    // event loop), so writing them overlaps the reading instead of trailing it.
    const { receiveMessageOnPort } = threads();
    const drain = () => {
      for (let m = receiveMessageOnPort(this.port); m; m = receiveMessageOnPort(this.port)) onMessage(m.message as ScanMessage);
    };
    try {
      for (let i = takeNext(this.next, files.length); i >= 0; i = takeNext(this.next, files.length)) {
        const f = files[i] as (typeof files)[number];
        take(readFile(f.ref, f.cursor, writer.attached));
        drain();
        if (this.failure) throw this.failure;
      }
      // A worker that never got going took nothing; one that did is waited for until its `done`.
      if (Atomics.load(this.next, 1) === 1) {
        drain();
        if (!workerDone) {
          await new Promise<void>((resolve) => {
            this.port.on('message', (msg: ScanMessage) => {
              onMessage(msg);
              if (workerDone || this.failure) resolve();
            });
            void this.finished.then(resolve);
          });
        }
        drain();
        if (this.failure) throw this.failure;
        if (!workerDone) throw new Error('the scan worker stopped before it was done');
      }
    } finally {
      this.stop();
    }
    return writer.result(true);
  }
}
