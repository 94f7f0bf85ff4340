// Timing and peak memory of whole commands, as a user would run them.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const GNU_TIME = '/usr/bin/time';

/** Runs a command once: wall seconds, peak RSS in MiB (null where GNU time is missing), stdout. */
export function run(cmd, args, { env = process.env, cwd, input } = {}) {
  const timed = existsSync(GNU_TIME);
  const argv = timed ? ['-f', '__peak_kb=%M', cmd, ...args] : args;
  const t0 = performance.now();
  const r = spawnSync(timed ? GNU_TIME : cmd, argv, { env, cwd, input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-500)}`);
  const peak = /__peak_kb=(\d+)/.exec(r.stderr);
  return { wall, peakMiB: peak ? Number(peak[1]) / 1024 : null, stdout: r.stdout };
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median wall time (and the largest peak RSS) of n runs; `before` prepares each run untimed. */
export function repeat(n, fn, before = () => {}) {
  const runs = [];
  for (let i = 0; i < n; i++) {
    before(i);
    runs.push(fn(i));
  }
  return { wall: median(runs.map((r) => r.wall)), peakMiB: Math.max(...runs.map((r) => r.peakMiB ?? 0)) || null, last: runs[runs.length - 1] };
}

export const fmtS = (s) => `${s.toFixed(3)} s`;
export const fmtMiB = (m) => (m === null ? 'n/a' : `${m.toFixed(0)} MiB`);
