/**
 * A cold `ingest` of a large history spreads the reading over worker threads (the machines have
 * two cores and the reading is CPU-bound), while this thread writes batches to the ledger as they
 * arrive. Workers never touch the ledger: they get paths and cursors, and send back records.
 */
import { Worker } from 'node:worker_threads';
import type { Ledger } from '../ledger/db';
import { getCursors } from '../ledger/cursors';
import { type FileScan, type IngestOptions, type IngestResult, IngestWriter, type TranscriptRef } from './ingest';

export interface ScanJob {
  files: { ref: TranscriptRef; cursor: import('../ledger/cursors').Cursor | null; size: number }[];
}

export type ScanMessage = { scan: FileScan | null } | { error: string };

/** Splits files into `n` groups of about equal bytes (largest first, each to the lightest group). */
export function balance<T extends { size: number }>(files: readonly T[], n: number): T[][] {
  const groups = Array.from({ length: n }, () => ({ bytes: 0, files: [] as T[] }));
  for (const f of [...files].sort((a, b) => b.size - a.size)) {
    const g = groups.reduce((min, x) => (x.bytes < min.bytes ? x : min));
    g.files.push(f);
    g.bytes += f.size;
  }
  return groups.map((g) => g.files).filter((g) => g.length > 0);
}

export interface ParallelOptions extends IngestOptions {
  /** The worker script: plugin/dist/scan-worker.cjs. */
  script: string;
  workers: number;
  /** Bytes per file to read, to balance the groups (files not in it weigh nothing). */
  sizes: ReadonlyMap<string, number>;
}

export async function ingestTranscriptsParallel(l: Ledger, refs: readonly TranscriptRef[], opts: ParallelOptions): Promise<IngestResult> {
  const cursors = getCursors(l);
  const files = refs.map((ref) => ({ ref, cursor: cursors.get(ref.path) ?? null, size: opts.sizes.get(ref.path) ?? 0 }));
  const writer = new IngestWriter(l);
  let done = 0;
  await Promise.all(
    balance(files, opts.workers).map(
      (group) =>
        new Promise<void>((resolve, reject) => {
          const job: ScanJob = { files: group };
          const worker = new Worker(opts.script, { workerData: job });
          worker.on('message', (m: ScanMessage) => {
            if ('error' in m) {
              reject(new Error(m.error));
              return;
            }
            done++;
            opts.onProgress?.(done, files.length);
            if (m.scan) writer.add(m.scan);
          });
          worker.on('error', reject);
          worker.on('exit', () => resolve());
        }),
    ),
  );
  return writer.result(true);
}
