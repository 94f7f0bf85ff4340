/**
 * Ends the process as soon as its output is flushed. Node's own teardown (worker threads, a heap
 * that held a large read, native handles) costs tens of milliseconds, paid on every CLI call and
 * every hook: nothing is left to do by then, so it is not waited for.
 */
export function exitWhenFlushed(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}
