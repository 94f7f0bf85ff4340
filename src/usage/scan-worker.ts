/**
 * The entry point of plugin/dist/scan-worker.cjs: a worker thread that waits for its job, takes
 * files from the shared counter, reads each from its cursor, and posts its readings back (see
 * parallel.ts). A bundle of its own, so the worker loads the reader alone, not the whole CLI.
 */
import { workerData } from 'node:worker_threads';
import { readFile } from './ingest';
import { type ScanJob, type ScanMessage, type WorkerStart, encodeReading, takeNext } from './parallel';

const start = workerData as WorkerStart | null;
if (start) {
  const { port } = start;
  const next = new Int32Array(start.shared);
  port.once('message', (job: ScanJob) => {
    Atomics.store(next, 1, 1);
    const { files } = job;
    const attached = new Set(job.attached);
    for (let i = takeNext(next, files.length); i >= 0; i = takeNext(next, files.length)) {
      const { ref, cursor } = files[i] as ScanJob['files'][number];
      try {
        port.postMessage({ reading: encodeReading(readFile(ref, cursor, attached)) } satisfies ScanMessage);
      } catch (err) {
        port.postMessage({ error: `${ref.path}: ${(err as Error).message}` } satisfies ScanMessage);
        break;
      }
    }
    port.postMessage({ done: true } satisfies ScanMessage);
    port.close();
  });
}
