/** Entry point of plugin/dist/cli.cjs. */
import { exitWhenFlushed } from '../lib/exit';
import { main } from './main';

main(process.argv.slice(2)).then(exitWhenFlushed, (err: unknown) => {
  process.stderr.write(`sprint-budget: internal error: ${String(err)}\n`);
  exitWhenFlushed(2);
});
