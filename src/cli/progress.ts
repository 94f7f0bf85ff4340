/** A one-line progress bar on stderr, only when stderr is a terminal (never in pipes or logs). */
import { fstatSync } from 'node:fs';
import { writeOut } from '../platform/stdio';

export type Progress = ((done: number, total: number) => void) & { end(): void };

const REDRAW_MS = 100;

/**
 * Whether stderr is a terminal. A terminal is a character device: one fstat rules out pipes and
 * files (how scripts and Claude Code run commands) without loading node:tty, whose stream
 * machinery costs a few milliseconds; `process.stderr.isTTY` would create the stream itself.
 */
function stderrIsTerminal(): boolean {
  try {
    return fstatSync(2).isCharacterDevice() && process.getBuiltinModule('node:tty').isatty(2);
  } catch {
    return false;
  }
}

export function progressBar(label: string): Progress | undefined {
  if (!stderrIsTerminal()) return undefined;
  let last = 0;
  let shown = false;
  const draw = (done: number, total: number) => {
    const now = Date.now();
    if (done < total && now - last < REDRAW_MS) return;
    last = now;
    shown = true;
    const width = 30;
    const filled = total === 0 ? width : Math.round((done / total) * width);
    const pct = total === 0 ? 100 : Math.floor((done / total) * 100);
    writeOut(2, `\r${label} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${String(pct).padStart(3)}% ${done}/${total}`);
  };
  return Object.assign(draw, {
    end() {
      if (shown) writeOut(2, '\r\x1b[K');
    },
  });
}

export type Elapsed = ((seconds: number) => void) & { end(): void };

/** `label 45 s`, redrawn in place while something the command waits for runs; only on a terminal. */
export function elapsedLine(label: string): Elapsed | undefined {
  if (!stderrIsTerminal()) return undefined;
  let shown = -1;
  const draw = (seconds: number) => {
    if (seconds === shown) return;
    shown = seconds;
    writeOut(2, `\r${label} ${seconds} s`);
  };
  return Object.assign(draw, {
    end() {
      if (shown >= 0) writeOut(2, '\r\x1b[K');
    },
  });
}
