// What the plugin adds to a whole session: the real `claude` binary (the pinned dev dependency) in -p
// mode against the scripted Messages API on 127.0.0.1, a session whose model makes 10 Bash calls and
// 10 Agent calls (each subagent answering once), run without the plugin and with it, alternately.
// With the plugin the session runs in a project with an active sprint, three ways: hooks.json as
// shipped (the recorders and the watch `async`, so Claude Code does not wait for them); the same
// under the hard dispatch policy (the watch after every tool call is waited for); and every handler
// synchronous. After each run with the plugin, the sprint's spend is compared with the billing tokens
// the fake API served. Goal: the plugin adds < 2 s as shipped. Run alone: node bench/session.mjs
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { startFakeApi } from '../scripts/fake-api.mjs';
import { CLAUDE, offlineClaudeEnv } from '../scripts/offline-claude.mjs';
import { PLUGIN, committedHooks, hooksAllSynchronous, pluginWithHooks } from '../scripts/plugin-variant.mjs';
import { interleave } from './measure.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(PLUGIN, 'bin/sprint-budget');
const CALLS = 10;
const GOAL_S = 2;
/** How long to wait for the spend to settle after a session (a SessionEnd hand-off may still be reading). */
const SETTLE_MS = 5000;

const MAIN_MARKER = 'SB-BENCH-MAIN';
// Two digits, so that no marker is a prefix of another.
const subMarker = (k) => `SB-BENCH-SUB-${String(k).padStart(2, '0')}`;

/**
 * The model's side: the main agent alternates a Bash call and an Agent call, one tool call per
 * response (so every hook sits in the session's critical path), then answers; each subagent answers
 * at once. Distinct usage per response, so a response counted twice or missed shows in the total.
 */
function scripts() {
  const turns = [];
  for (let k = 0; k < CALLS; k++) {
    turns.push({ tools: [{ name: 'Bash', input: { command: `echo bench ${k}`, description: `echo ${k}` } }], usage: { input_tokens: 1000 + k, output_tokens: 20 + k, cache_read_input_tokens: 5000 } });
    turns.push({
      tools: [{ name: 'Agent', input: { description: `bench task ${k}`, prompt: `${subMarker(k)}: answer once`, subagent_type: 'general-purpose', run_in_background: false } }],
      usage: { input_tokens: 1100 + k, output_tokens: 30 + k, cache_creation_input_tokens: 200 },
    });
  }
  turns.push({ text: 'all done', usage: { input_tokens: 1300, output_tokens: 40 } });
  const subs = Array.from({ length: CALLS }, (_, k) => ({ name: `sub${k}`, marker: subMarker(k), turns: [{ text: `sub ${k} done`, usage: { input_tokens: 500 + k, output_tokens: 10 + k } }] }));
  return [...subs, { name: 'main', marker: MAIN_MARKER, turns }];
}
const RESPONSES = 2 * CALLS + 1 + CALLS;
/**
 * Node processes with the plugin as shipped: SessionStart; PreToolUse per Agent call (the Bash one
 * starts only for sprint-budget commands); the watch (PostToolUse) per tool call; SubagentStop per
 * Agent call; Stop; SessionEnd. Waited for: SessionStart, the gate, SessionEnd, and under the hard
 * policy the watch.
 */
const HOOK_RUNS = 1 + CALLS + 2 * CALLS + CALLS + 2;
const WAITED = 1 + CALLS + 1;


const billing = (served) => served.reduce((n, s) => n + s.usage.input_tokens + s.usage.output_tokens, 0);
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

export async function benchSession({ rounds = Number(process.env.BENCH_SESSION_ROUNDS ?? 5), log = console.log } = {}) {
  if (!existsSync(CLAUDE)) throw new Error(`${CLAUDE} is missing: npm install`);
  if (!existsSync(join(PLUGIN, 'dist/cli.cjs'))) throw new Error('plugin/dist/cli.cjs is missing: npm run build');
  const api = await startFakeApi(scripts(), { label: 'bench' });
  const scratch = realpathSync(mkdtempSync(join(tmpdir(), 'sb-bench-session-')));
  try {
    // One HOME for every run (Claude Code's settings, the plugin's data and code cache), as on a
    // machine where sessions follow one another; each run gets a new project.
    const home = join(scratch, 'home');
    mkdirSync(home);
    const npmrc = join(homedir(), '.npmrc');
    if (existsSync(npmrc)) copyFileSync(npmrc, join(home, '.npmrc'));
    const env = offlineClaudeEnv(home, api.url);
    const version = (await execa(CLAUDE, ['--version'], { env, extendEnv: false })).stdout.replace(/\s*\(Claude Code\)\s*$/, '');
    const variants = {
      shipped: { ...pluginWithHooks(committedHooks(), scratch, 'shipped'), policy: null },
      hard: { ...pluginWithHooks(committedHooks(), scratch, 'shipped'), policy: 'hard' },
      sync: { ...pluginWithHooks(hooksAllSynchronous(), scratch, 'sync'), policy: null },
    };

    let projects = 0;
    /** One session: wall time to the CLI's exit; with the plugin, then the sprint's spend against what was served. */
    const session = async (variant) => {
      const project = join(scratch, `project-${++projects}`);
      mkdirSync(join(project, '.git'), { recursive: true });
      const args = ['-p', `${MAIN_MARKER}: run the steps`, '--output-format', 'json', '--allowedTools', 'Bash Agent'];
      if (variant) {
        await execa(CLI, ['create', 'Session bench sprint', '--budget', '10M'], { cwd: project, env, extendEnv: false });
        if (variants[variant].policy) writeFileSync(join(project, '.sprint-budget/config.json'), JSON.stringify({ dispatch_policy: variants[variant].policy }));
        args.push('--plugin-dir', variants[variant].dir);
      }
      const from = api.served().length;
      const t0 = performance.now();
      const r = await execa(CLAUDE, args, { cwd: project, env, extendEnv: false, stdin: 'ignore', reject: false });
      const wall = (performance.now() - t0) / 1000;
      const served = api.served().slice(from);
      let result = null;
      try {
        result = JSON.parse(r.stdout);
      } catch {}
      if (r.exitCode !== 0 || !result || result.is_error || served.length !== RESPONSES) {
        throw new Error(`claude ${variant ?? 'without the plugin'}: exit ${r.exitCode}, ${served.length}/${RESPONSES} responses served, result ${r.stdout.slice(0, 300)} ${r.stderr.slice(-500)}`);
      }
      const run = { wall, billing: billing(served) };
      if (variant) Object.assign(run, await settledSpend(project, result.session_id, run.billing));
      rmSync(project, { recursive: true, force: true });
      return run;
    };
    /**
     * The sprint's spend as `sprint-budget state` reads it (no transcript reading of its own), as
     * soon as the CLI exits, then again until it equals what was served or SETTLE_MS pass. Only
     * if it never does: what `ingest --session` makes of it, reported apart.
     */
    const settledSpend = async (project, sessionId, served) => {
      const spent = async () => JSON.parse((await execa(CLI, ['state', '--json'], { cwd: project, env, extendEnv: false })).stdout).tokens_spent;
      const t0 = performance.now();
      let tokens = await spent();
      const atExit = tokens;
      while (tokens !== served && performance.now() - t0 < SETTLE_MS) {
        await sleep(100);
        tokens = await spent();
      }
      const waitedMs = performance.now() - t0;
      let afterIngest = null;
      if (tokens !== served) {
        await execa(CLI, ['ingest', '--session', sessionId], { cwd: project, env, extendEnv: false });
        afterIngest = await spent();
      }
      return { atExit, settled: tokens, waitedMs: atExit === served ? 0 : waitedMs, afterIngest };
    };

    // Untimed: one session of each kind first (the binary and the bundles read from disk, the
    // hooks' code cache written).
    const names = Object.keys(variants);
    for (const v of [null, ...names]) await session(v);
    const res = await interleave(rounds, { without: () => session(null), ...Object.fromEntries(names.map((v) => [v, () => session(v)])) });

    const label = { shipped: 'as shipped', hard: 'as shipped, hard policy', sync: 'every handler synchronous' };
    const rows = [
      `A whole session: claude ${version} -p against the scripted API, ${CALLS} Bash and ${CALLS} Agent calls (each subagent answering once): ${RESPONSES} responses,`,
      `${res.sync.last.billing} billing tokens, ${HOOK_RUNS} hook processes with the plugin, ${WAITED} of them waited for as shipped (${WAITED + 2 * CALLS} under the hard policy);`,
      `median of ${rounds} sessions each, interleaved (goal: the plugin as shipped adds < ${GOAL_S} s)`,
      `  without the plugin                          ${res.without.wall.toFixed(2)} s`,
    ];
    const out = { claude_version: version, rounds, responses: RESPONSES, billing_tokens: res.sync.last.billing, hook_runs: HOOK_RUNS, waited_hook_runs: WAITED, without_s: res.without.wall, variants: {} };
    for (const v of names) {
      const runs = res[v].runs;
      const added = res[v].wall - res.without.wall;
      const exactAtExit = runs.filter((r) => r.atExit === r.billing).length;
      const exactSettled = runs.filter((r) => r.settled === r.billing).length;
      const exactAfterIngest = runs.filter((r) => r.settled !== r.billing && r.afterIngest === r.billing).length;
      const maxWait = Math.max(...runs.map((r) => r.waitedMs));
      const spend =
        exactAtExit === runs.length
          ? `spend exact in ${exactAtExit}/${runs.length} as claude exited`
          : exactSettled === runs.length
            ? `spend exact in ${exactSettled}/${runs.length} (${exactAtExit} as claude exited, the others after waiting up to ${(maxWait / 1000).toFixed(1)} s)`
            : `spend NOT exact in ${runs.length - exactSettled}/${runs.length} after ${SETTLE_MS / 1000} s (off by ${runs.filter((r) => r.settled !== r.billing).map((r) => r.settled - r.billing).join(', ')}); exact after ingest --session in ${exactAfterIngest} of those`;
      rows.push(`  with it, ${label[v].padEnd(35)}${res[v].wall.toFixed(2)} s  +${added.toFixed(2)} s  ${spend}`);
      out.variants[v] = {
        with_s: res[v].wall,
        added_s: added,
        within_goal: added < GOAL_S,
        runs: runs.length,
        spend_exact_at_exit: exactAtExit,
        spend_exact_after_wait: exactSettled,
        spend_max_wait_s: maxWait / 1000,
        spend_exact_after_ingest: exactAfterIngest,
      };
    }
    rows.push(
      '  Spend: the sprint\'s tokens_spent (sprint-budget state --json, which brings it up to date first) against the billing tokens served,',
      `  read as claude exits; if it differs, read again until it matches or ${SETTLE_MS / 1000} s pass, and only then with ingest --session.`,
    );
    for (const r of rows) log(r);
    Object.assign(out, { with_s: out.variants.shipped.with_s, added_s: out.variants.shipped.added_s });
    return out;
  } finally {
    await api.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await benchSession();
