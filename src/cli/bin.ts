/** Entry point of plugin/dist/cli.cjs. */
import { main } from './main';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`sprint-budget: internal error: ${String(err)}\n`);
    process.exitCode = 2;
  },
);
