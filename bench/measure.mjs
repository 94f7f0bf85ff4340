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

export const fmtS = (s) => `${s.toFixed(3)} s`;
export const fmtMiB = (m) => (m === null ? 'n/a' : `${m.toFixed(0)} MiB`);

/**
 * Runs every command once per round, n rounds, so that all of them see the same drifts of a noisy
 * machine, in the opposite order every other round so that none always follows another;
 * `before(name)` prepares each run untimed. Per command: median wall time, largest peak, last run.
 */
export function interleave(n, commands, before = () => {}) {
  const runs = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  const entries = Object.entries(commands);
  for (let i = 0; i < n; i++) {
    for (const [name, fn] of i % 2 === 0 ? entries : [...entries].reverse()) {
      before(name, i);
      runs[name].push(fn(i));
    }
  }
  return Object.fromEntries(
    Object.entries(runs).map(([name, rs]) => [name, { wall: median(rs.map((r) => r.wall)), peakMiB: Math.max(...rs.map((r) => r.peakMiB ?? 0)) || null, last: rs[rs.length - 1] }]),
  );
}
