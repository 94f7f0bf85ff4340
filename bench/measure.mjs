// Timing and peak memory of whole commands, as a user would run them.
import { existsSync } from 'node:fs';
import { execaSync } from 'execa';

// GNU time reports the command's peak resident set (its largest child included) on stderr.
const GNU_TIME = '/usr/bin/time';
const HAS_TIME = existsSync(GNU_TIME);

/**
 * Runs a command once: wall seconds, peak RSS in MiB (null where GNU time is missing), stdout.
 * `env` is the whole environment (not merged with this process's), so a deleted variable stays deleted.
 */
export function run(cmd, args, { env = process.env, cwd, input } = {}) {
  const [file, argv] = HAS_TIME ? [GNU_TIME, ['-f', '__peak_kb=%M', cmd, ...args]] : [cmd, args];
  const t0 = performance.now();
  const r = execaSync(file, argv, { env, extendEnv: false, cwd, input, maxBuffer: 256 * 1024 * 1024 });
  const wall = (performance.now() - t0) / 1000;
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
 * `before(name, round)` prepares each run untimed. A command returns (or resolves to) at least
 * `{wall}`. Per command: median wall time, largest peak, last run, every run.
 */
export async function interleave(n, commands, before = () => {}) {
  const runs = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  const entries = Object.entries(commands);
  for (let i = 0; i < n; i++) {
    for (const [name, fn] of i % 2 === 0 ? entries : [...entries].reverse()) {
      await before(name, i);
      runs[name].push(await fn(i));
    }
  }
  return Object.fromEntries(
    Object.entries(runs).map(([name, rs]) => [name, { wall: median(rs.map((r) => r.wall)), peakMiB: Math.max(...rs.map((r) => r.peakMiB ?? 0)) || null, last: rs[rs.length - 1], runs: rs }]),
  );
}
