/** A one-line progress bar on stderr, only when stderr is a terminal (never in pipes or logs). */
import { isatty } from 'node:tty';

export type Progress = ((done: number, total: number) => void) & { end(): void };

export function progressBar(label: string): Progress | undefined {
  // isatty, not process.stderr.isTTY: creating the stderr stream costs milliseconds where no bar is drawn.
  if (!isatty(2)) return undefined;
  const stream = process.stderr;
  let last = 0;
  let shown = false;
  const draw = (done: number, total: number) => {
    const now = Date.now();
    if (done < total && now - last < 100) return;
    last = now;
    shown = true;
    const width = 30;
    const filled = total === 0 ? width : Math.round((done / total) * width);
    const pct = total === 0 ? 100 : Math.floor((done / total) * 100);
    stream.write(`\r${label} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${String(pct).padStart(3)}% ${done}/${total}`);
  };
  return Object.assign(draw, {
    end() {
      if (shown) stream.write('\r\x1b[K');
    },
  });
}
