/** Detached workers: work that outlives the process that asks for it. */
import { childProcess } from './builtin';

/**
 * Starts this same program (the CLI's or a hook's bundle, by its path in argv) as a detached process
 * with `args`. Nobody waits for it: a hook answers at once, and a command's user may interrupt it.
 */
export function spawnDetached(args: string[]): void {
  const script = process.argv[1];
  if (!script) throw new Error('cannot start a worker: no script path');
  childProcess().spawn(process.execPath, [script, ...args], { detached: true, stdio: 'ignore' }).unref();
}
