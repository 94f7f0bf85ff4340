/** Entry point of dist/cli.cjs; the same file serves as a transcript scan worker (see usage/parallel). */
import { isScanWorker, runScanWorker } from '../usage/scan-worker';
import { main } from './main';

if (isScanWorker()) {
  runScanWorker();
} else {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`sprint-budget: internal error: ${String(err)}\n`);
      process.exitCode = 2;
    },
  );
}
