/**
 * Whether the response that asked for a tool call is in the transcript yet. Claude Code writes
 * transcript lines from a queue it flushes every 100 ms, so a PreToolUse hook can run before that
 * response is on disk: a gate that read the transcript then would decide without the tokens that
 * response spent (docs/design.md, "The gate waits for the response").
 */
import { closeSync, fstatSync, readSync } from 'node:fs';
import { openRegular } from '../platform/files';
import { sleepSync } from '../platform/sleep';

/**
 * The call's response is the newest in the transcript when it is written (the tool has not run, so no
 * result follows it yet): it is looked for in the file's last 4 MiB, then in what is appended.
 */
const LOOK_BACK = 4 * 1024 * 1024;
const POLL_MS = 20;

/**
 * Waits up to `ms` for the transcript to hold tool use `toolUseId` (the id Claude Code gives the
 * `tool_use` block of the response). Returns whether it is there: false when it did not appear in time
 * or the file cannot be read (the caller then decides on what is recorded).
 */
export function awaitToolUse(path: string, toolUseId: string, ms: number): boolean {
  const needle = Buffer.from(`"${toolUseId}"`);
  const deadline = Date.now() + ms;
  let fd: number;
  try {
    fd = openRegular(path).fd;
  } catch {
    return false;
  }
  try {
    let from = Math.max(0, fstatSync(fd).size - LOOK_BACK);
    for (;;) {
      const size = fstatSync(fd).size;
      if (size > from) {
        const buf = Buffer.allocUnsafe(size - from);
        const n = readSync(fd, buf, 0, buf.length, from);
        if (buf.subarray(0, n).indexOf(needle) >= 0) return true;
        // The next look starts where a needle cut at the end of this one would begin.
        from = Math.max(from, from + n - needle.length + 1);
      }
      if (Date.now() >= deadline) return false;
      sleepSync(POLL_MS);
    }
  } finally {
    closeSync(fd);
  }
}
