/**
 * The entry point of plugin/dist/scan-worker.cjs: a worker thread that takes files from the shared
 * counter, reads each from its cursor, and posts the records back (see parallel.ts). A bundle of
 * its own, so the worker loads the reader alone, not the whole CLI.
 */
import { workerData } from 'node:worker_threads';
import { scanFile } from './ingest';
import { type ScanJob, type ScanMessage, takeNext } from './parallel';

const job = workerData as ScanJob | null;
if (job) {
  const port = job.port;
  const next = new Int32Array(job.shared);
  Atomics.store(next, 1, 1);
  for (let i = takeNext(next, job.files.length); i >= 0; i = takeNext(next, job.files.length)) {
    const { ref, cursor } = job.files[i] as ScanJob['files'][number];
    try {
      port.postMessage({ scan: JSON.stringify(scanFile(ref, cursor)) } satisfies ScanMessage);
    } catch (err) {
      port.postMessage({ error: `${ref.path}: ${(err as Error).message}` } satisfies ScanMessage);
      break;
    }
  }
}
