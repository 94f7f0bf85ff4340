/**
 * Ends the CLI as soon as its output is flushed. Node's own teardown (worker threads, a heap that
 * held a large read, native handles) costs tens of milliseconds on every call: nothing is left to do
 * by then, so it is not waited for. (Hooks write their one line synchronously and exit directly.)
 */
export function exitWhenFlushed(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}
