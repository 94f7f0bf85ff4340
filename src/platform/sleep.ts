/** Blocks this thread for `ms` (a hook or a command has nothing else to do meanwhile). */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
