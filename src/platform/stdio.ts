/** Output without streams: what the CLI and the hooks print. */
import { writeSync } from 'node:fs';
import { sleepSync } from './sleep';

/**
 * Writes all of `text` to stdout (1) or stderr (2), synchronously. Not through process.stdout:
 * creating that stream (it loads Node's net and stream modules) costs a command about 5 ms, and
 * a written line needs no flushing before the process exits.
 */
export function writeOut(fd: 1 | 2, text: string): void {
  const bytes = Buffer.from(text);
  for (let at = 0; at < bytes.length; ) {
    try {
      at += writeSync(fd, bytes, at);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // A non-blocking pipe that is full: its reader will make room.
      if (code === 'EAGAIN') sleepSync(1);
      // The reader is gone (`| head`): nothing more can reach it.
      else if (code === 'EPIPE') return;
      else throw err;
    }
  }
}
