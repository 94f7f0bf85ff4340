/** The body of a scan worker: read each assigned file from its cursor and post the records back. */
import { parentPort, workerData } from 'node:worker_threads';
import { scanFile } from './ingest';
import { SCAN_WORKER_MARK, type ScanJob, type ScanMessage } from './parallel';

export function isScanWorker(): boolean {
  return (workerData as Partial<ScanJob> | null)?.mark === SCAN_WORKER_MARK;
}

export function runScanWorker(): void {
  const job = workerData as ScanJob;
  const port = parentPort;
  if (!port) return;
  for (const { ref, cursor } of job.files) {
    try {
      port.postMessage({ scan: scanFile(ref, cursor) } satisfies ScanMessage);
    } catch (err) {
      port.postMessage({ error: `${ref.path}: ${(err as Error).message}` } satisfies ScanMessage);
      return;
    }
  }
}
