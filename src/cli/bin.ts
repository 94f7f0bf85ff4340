/** Entry point of plugin/dist/cli.cjs. */
import { writeOut } from '../platform/stdio';
import { main } from './main';

// Everything is written synchronously (lib/stdio), so the process ends as soon as the command does:
// Node's own teardown (worker threads, a heap that held a large read, native handles) costs tens of
// milliseconds, with nothing left to do by then.
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    writeOut(2, `sprint-budget: internal error: ${String(err)}\n`);
    process.exit(2);
  },
);
