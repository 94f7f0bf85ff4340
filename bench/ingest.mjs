// The transcript reader against ccusage on the same generated corpus (≥ 300 MB), and an incremental
// update after 1 MiB is appended (the Stop hook, and the CLI) next to a bare Node start. Run alone: node bench/ingest.mjs
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { generateCorpus } from '../scripts/corpus.mjs';
import { hookCommand } from '../scripts/hook-command.mjs';
import { fmtMiB, fmtS, interleave, run } from './measure.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// The CLI as people run it (the plugin's bin/, which picks Node's flags per command).
const CLI = join(root, 'plugin/bin/sprint-budget');
const CCUSAGE_VERSION = '20.0.24';
const TOOLS = join(root, 'bench/.tools');
const CORPUS_MB = Number(process.env.BENCH_CORPUS_MB ?? 300);
const SEED = 7;

/** The corpus is cached under bench/.corpus (git-ignored) with its exact totals. */
function corpus(log) {
  const home = join(root, 'bench/.corpus', `${CORPUS_MB}mb-seed${SEED}`);
  const meta = join(home, 'totals.json');
  if (existsSync(meta)) {
    const cached = JSON.parse(readFileSync(meta, 'utf8'));
    // A file changed since (a run stopped before it truncated what it appended): its totals no longer hold.
    const bytes = cached.files.reduce((sum, f) => sum + (statSync(f, { throwIfNoEntry: false })?.size ?? 0), 0);
    if (bytes === cached.totals.bytes) return { home, ...cached };
    log(`the cached corpus in ${home} was changed since it was generated`);
  }
  log(`generating a ${CORPUS_MB} MiB corpus in ${home} ...`);
  rmSync(home, { recursive: true, force: true });
  const c = generateCorpus(join(home, '.claude'), { seed: SEED, targetBytes: CORPUS_MB * 1024 * 1024 });
  writeFileSync(meta, JSON.stringify({ totals: c.totals, files: c.files }));
  return { home, totals: c.totals, files: c.files };
}

function ccusageTotals(stdout) {
  const t = JSON.parse(stdout).totals;
  return { input_tokens: t.inputTokens, output_tokens: t.outputTokens, cache_creation_input_tokens: t.cacheCreationTokens, cache_read_input_tokens: t.cacheReadTokens };
}

const KEYS = ['input_tokens', 'output_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens'];

function diff(got, want) {
  return KEYS.map((k) => {
    const d = got[k] - want[k];
    return `${k.replace('_input_tokens', '').replace('_tokens', '')} ${d === 0 ? 'exact' : `${d > 0 ? '+' : ''}${((d * 100) / want[k]).toFixed(2)}%`}`;
  }).join(' · ');
}

/**
 * ccusage (the Rust build) is installed for the comparison only, under bench/.tools: as a
 * devDependency its lockfile entries for other platforms would break `npm ci` where the registry
 * lacks them.
 */
function ccusage(log) {
  const bin = join(TOOLS, 'node_modules/.bin/ccusage');
  if (!existsSync(bin)) {
    log(`installing ccusage@${CCUSAGE_VERSION} into ${TOOLS} ...`);
    const r = spawnSync('npm', ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--prefix', TOOLS, `ccusage@${CCUSAGE_VERSION}`], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`npm install ccusage failed: ${r.stderr.slice(-400)}`);
  }
  return bin;
}

export function benchIngest({ log = console.log, runs = 7 } = {}) {
  if (!existsSync(join(root, 'plugin/dist/cli.cjs'))) throw new Error('plugin/dist/cli.cjs is missing: npm run build');
  const CCUSAGE = ccusage(log);
  const c = corpus(log);
  const config = join(c.home, '.claude');
  const scratch = mkdtempSync(join(tmpdir(), 'sb-bench-'));
  const freshDb = (i) => {
    const db = join(scratch, `cold-${i}.db`);
    rmSync(db, { force: true });
    return db;
  };

  const cold = interleave(runs, {
    ours: (i) => run(CLI, ['ingest', '--config-dir', config, '--json', '--db', freshDb(i)]),
    theirs: () => run(CCUSAGE, ['claude', 'session', '--json', '--offline'], { env: { ...process.env, HOME: c.home } }),
  });
  const { ours, theirs } = cold;
  const ourTotals = JSON.parse(ours.last.stdout);
  const exact = KEYS.every((k) => ourTotals[k] === c.totals[k]) && ourTotals.responses === c.totals.responses;
  const theirTotals = ccusageTotals(theirs.last.stdout);

  // Incremental: a project whose ledger has read everything, its session attached to a sprint; then
  // before each timed run 1 MiB is appended to that session's transcript. The hook and the CLI share
  // the ledger, so each run reads exactly the MiB appended before it.
  const extra = mkdtempSync(join(tmpdir(), 'sb-bench-extra-'));
  const lines = generateCorpus(extra, { seed: SEED + 1, targetBytes: 12 * 1024 * 1024, projects: 1 })
    .files.flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean));
  const target = c.files.find((f) => !f.includes('/subagents/'));
  const targetSize = statSync(target).size;
  let next = 0;
  const appendMiB = () => {
    let bytes = 0;
    const chunk = [];
    while (bytes < 1024 * 1024) {
      const l = lines[next++ % lines.length];
      chunk.push(l);
      bytes += Buffer.byteLength(l) + 1;
    }
    appendFileSync(target, `${chunk.join('\n')}\n`);
  };
  let inc;
  try {
    const session = basename(target, '.jsonl');
    const project = join(scratch, 'project');
    mkdirSync(join(project, '.git'), { recursive: true });
    // What Claude Code gives a hook, CLAUDE_PLUGIN_DATA included (where the hooks keep their code cache).
    const env = { ...process.env, CLAUDE_CONFIG_DIR: config, CLAUDE_CODE_SESSION_ID: session, CLAUDE_PLUGIN_DATA: join(scratch, 'plugin-data') };
    delete env.SPRINT_BUDGET_DB;
    const inProject = (args, input) => run(CLI, args, { cwd: project, env, input });
    inProject(['create', 'Bench sprint', '--budget', '100M']);
    inProject(['ingest', '--json']);
    // What a live session runs: the Stop hook reading what its transcript gained, started as hooks.json says.
    const stopPayload = JSON.stringify({ session_id: session, transcript_path: target, cwd: project, hook_event_name: 'Stop', stop_hook_active: false });
    const stopHook = hookCommand('Stop');
    const stop = () => run(stopHook.command, stopHook.args, { cwd: project, env, input: stopPayload });
    // Untimed: leaves the hook's code cache behind, as a session's first Stop does.
    stop();
    inc = interleave(
      runs * 3,
      {
        bare: () => run(process.execPath, ['-e', '0']),
        hook: stop,
        incremental: () => inProject(['ingest', '--session', session, '--json']),
        whole: () => inProject(['ingest', '--json']),
      },
      (name) => name !== 'bare' && appendMiB(),
    );
  } finally {
    // Leave the cached corpus as generated, whatever happened.
    truncateSync(target, targetSize);
    rmSync(scratch, { recursive: true, force: true });
    rmSync(extra, { recursive: true, force: true });
  }
  const { bare, hook, incremental, whole } = inc;
  const incTotals = JSON.parse(incremental.last.stdout);

  const ratio = ours.wall / theirs.wall;
  const incRatio = incremental.wall / bare.wall;
  const wholeRatio = whole.wall / bare.wall;
  const hookRatio = hook.wall / bare.wall;
  const mb = (c.totals.bytes / 1024 / 1024).toFixed(0);
  const rows = [
    `Cold ingest of ${mb} MiB (${c.totals.files} files, ${c.totals.responses} responses), median of ${runs}`,
    `  sprint-budget ingest   ${fmtS(ours.wall)}   peak ${fmtMiB(ours.peakMiB)}   ${exact ? 'totals exact' : `totals WRONG: ${diff(ourTotals, c.totals)}`}`,
    `  ccusage ${CCUSAGE_VERSION}        ${fmtS(theirs.wall)}   peak ${fmtMiB(theirs.peakMiB)}   ${diff(theirTotals, c.totals)}`,
    `  ratio                  ${ratio.toFixed(2)}×  (goal ≤ 0.8×)   peak memory goal < 150 MiB`,
    `Incremental update after 1 MiB appended to a session's transcript (${incTotals.responses} new responses), median of ${runs * 3}`,
    `  node -e 0                               ${fmtS(bare.wall)}`,
    `  Stop hook (reads the session's new lines) ${fmtS(hook.wall)}   ${hookRatio.toFixed(2)}×  (goal ≤ 1.3×)`,
    `  sprint-budget ingest --session ID       ${fmtS(incremental.wall)}   ${incRatio.toFixed(2)}×`,
    `  sprint-budget ingest (all ${c.totals.files} files)   ${fmtS(whole.wall)}   ${wholeRatio.toFixed(2)}×`,
  ];
  for (const r of rows) log(r);
  return {
    corpus_bytes: c.totals.bytes,
    cold: { ours_s: ours.wall, ours_peak_mib: ours.peakMiB, ccusage_s: theirs.wall, ccusage_peak_mib: theirs.peakMiB, ratio, exact },
    incremental: { bare_node_s: bare.wall, stop_hook_s: hook.wall, stop_hook_ratio: hookRatio, session_s: incremental.wall, session_ratio: incRatio, all_files_s: whole.wall, all_files_ratio: wholeRatio },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  mkdirSync(join(root, 'bench/.corpus'), { recursive: true });
  benchIngest();
}
