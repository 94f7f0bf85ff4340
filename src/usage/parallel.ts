/**
 * A first `ingest` of a large history reads on two threads (the machines have two cores and the
 * reading is CPU-bound): this one and a worker take files from one shared counter, so neither
 * idles while the other has work — this thread starts at once, while the worker is still booting.
 * Only this thread touches the ledger: the worker gets paths and cursors, and sends back records.
 */
import { MessageChannel, type MessagePort, Worker, receiveMessageOnPort } from 'node:worker_threads';
import type { Cursor } from '../ledger/cursors';
import { getCursors } from '../ledger/cursors';
import type { Ledger } from '../ledger/db';
import { type FileScan, type IngestOptions, type IngestResult, IngestWriter, type TranscriptRef, scanFile } from './ingest';

export interface ScanJob {
  files: { ref: TranscriptRef; cursor: Cursor | null }[];
  /** Int32 [0]: the index of the next file to take (Atomics.add); [1]: 1 once the worker runs. */
  shared: SharedArrayBuffer;
  /** Where the worker posts its scans (ScanMessage). */
  port: MessagePort;
}

/**
 * A scan crosses threads as JSON text: one string is copied, where a structured clone of thousands
 * of small records costs the receiving thread several times more.
 */
export type ScanMessage = { scan: string } | { error: string };

/** Takes the next file index from the shared counter (slot 0); -1 when all are taken. */
export function takeNext(next: Int32Array, count: number): number {
  const i = Atomics.add(next, 0, 1);
  return i < count ? i : -1;
}

export interface ParallelOptions extends IngestOptions {
  /** The worker script: plugin/dist/scan-worker.cjs. */
  script: string;
}

export async function ingestTranscriptsParallel(l: Ledger, refs: readonly TranscriptRef[], opts: ParallelOptions): Promise<IngestResult> {
  const cursors = opts.cursors ?? getCursors(l);
  const files = refs.map((ref) => ({ ref, cursor: cursors.get(ref.path) ?? null }));
  const channel = new MessageChannel();
  const job: ScanJob = { files, shared: new SharedArrayBuffer(8), port: channel.port2 };
  const next = new Int32Array(job.shared);
  const writer = new IngestWriter(l);
  let done = 0;
  // The worker's scans are taken between this thread's own files (receiveMessageOnPort needs no
  // event loop), so writing them overlaps the reading instead of trailing it.
  const drain = () => {
    for (let m = receiveMessageOnPort(channel.port1); m; m = receiveMessageOnPort(channel.port1)) {
      const msg = m.message as ScanMessage;
      if ('error' in msg) throw new Error(msg.error);
      take(JSON.parse(msg.scan) as FileScan | null);
    }
  };
  const take = (scan: FileScan | null) => {
    done++;
    opts.onProgress?.(done, files.length);
    if (scan) writer.add(scan);
  };

  const worker = new Worker(opts.script, { workerData: job, transferList: [channel.port2] });
  const exited = new Promise<void>((resolve, reject) => {
    worker.on('error', reject);
    worker.on('exit', () => resolve());
  });
  try {
    for (let i = takeNext(next, files.length); i >= 0; i = takeNext(next, files.length)) {
      const f = files[i] as (typeof files)[number];
      take(scanFile(f.ref, f.cursor));
      drain();
    }
    // A worker that never got going (little to read) is not waited for.
    if (Atomics.load(next, 1) === 1) await exited;
    drain();
  } finally {
    channel.port1.close();
    await worker.terminate();
  }
  return writer.result(true);
}
