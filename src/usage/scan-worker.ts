/**
 * The entry point of plugin/dist/scan-worker.cjs: a worker thread that reads its assigned files from
 * their cursors and posts the records back (see parallel.ts). A bundle of its own, so a worker loads
 * the reader alone, not the whole CLI.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { scanFile } from './ingest';
import type { ScanJob, ScanMessage } from './parallel';

const job = workerData as ScanJob;
const port = parentPort;
if (port && job) {
  for (const { ref, cursor } of job.files) {
    try {
      port.postMessage({ scan: scanFile(ref, cursor) } satisfies ScanMessage);
    } catch (err) {
      port.postMessage({ error: `${ref.path}: ${(err as Error).message}` } satisfies ScanMessage);
      break;
    }
  }
}
