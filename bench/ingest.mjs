// The transcript reader against ccusage, cold, on two generated corpora (a realistic history of about
// 300 MiB, and a response-dense one of about 336 MiB); then an incremental update after 1 MiB is
// appended (the Stop hook, and the CLI) next to a bare Node start. Run alone: node bench/ingest.mjs
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execaSync } from 'execa';
import { generateCorpus } from '../scripts/corpus.mjs';
import { hookCommand } from '../scripts/hook-command.mjs';
import { fmtMiB, fmtS, interleave, run } from './measure.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// The CLI as people run it (the plugin's bin/, which picks Node's flags per command).
const CLI = join(root, 'plugin/bin/sprint-budget');
const CCUSAGE_VERSION = '20.0.24';
const TOOLS = join(root, 'bench/.tools');
const SEED = 7;
/**
 * realistic: mostly tool output, about 20 KB per response. dense: about 2.4 KB per response, so the
 * per-response work (parsing usage, keys, storing) weighs far more than skipping bytes.
 */
const CORPORA = [
  { name: 'realistic', profile: 'realistic', mb: Number(process.env.BENCH_CORPUS_MB ?? 300) },
  { name: 'dense', profile: 'dense', mb: Number(process.env.BENCH_DENSE_MB ?? 336) },
];

/** A corpus is cached under bench/.corpus (git-ignored), keyed by profile, size and seed, with its exact totals. */
function corpus({ profile, mb }, log) {
  const home = join(root, 'bench/.corpus', `${profile}-${mb}mb-seed${SEED}`);
  const meta = join(home, 'totals.json');
  if (existsSync(meta)) {
    const cached = JSON.parse(readFileSync(meta, 'utf8'));
    // A file changed since (a run stopped before it truncated what it appended): its totals no longer hold.
    const bytes = cached.files.reduce((sum, f) => sum + (statSync(f, { throwIfNoEntry: false })?.size ?? 0), 0);
    if (bytes === cached.totals.bytes) return { home, ...cached };
    log(`the cached corpus in ${home} was changed since it was generated`);
  }
  log(`generating a ${mb} MiB ${profile} corpus in ${home} ...`);
  rmSync(home, { recursive: true, force: true });
  const c = generateCorpus(join(home, '.claude'), { seed: SEED, targetBytes: mb * 1024 * 1024, profile });
  writeFileSync(meta, JSON.stringify({ totals: c.totals, files: c.files }));
  return { home, totals: c.totals, files: c.files };
}

/** One of the bench's corpora by name (`realistic`, `dense`), generated if it is not cached. */
export function corpusOf(name, log = console.log) {
  const spec = CORPORA.find((c) => c.name === name);
  if (!spec) throw new Error(`no corpus ${name}`);
  mkdirSync(join(root, 'bench/.corpus'), { recursive: true });
  return corpus(spec, log);
}

function ccusageTotals(stdout) {
  const t = JSON.parse(stdout).totals;
  return { input_tokens: t.inputTokens, output_tokens: t.outputTokens, cache_creation_input_tokens: t.cacheCreationTokens, cache_read_input_tokens: t.cacheReadTokens };
}

const KEYS = ['input_tokens', 'output_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens'];
const short = (k) => k.replace('_input_tokens', '').replace('_tokens', '');

/** Per token kind, how far `got` is from the truth, in percent (0 when exact). */
function errorPct(got, want) {
  return Object.fromEntries(KEYS.map((k) => [short(k), ((got[k] - want[k]) * 100) / want[k]]));
}

function diff(got, want) {
  return KEYS.map((k) => {
    const d = got[k] - want[k];
    return `${short(k)} ${d === 0 ? 'exact' : `${d > 0 ? '+' : ''}${((d * 100) / want[k]).toFixed(2)}%`}`;
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
    execaSync('npm', ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--prefix', TOOLS, `ccusage@${CCUSAGE_VERSION}`]);
  }
  return bin;
}

const thousands = (n) => n.toLocaleString('en-US');

export async function benchIngest({ log = console.log, runs = 7 } = {}) {
  if (!existsSync(join(root, 'plugin/dist/cli.cjs'))) throw new Error('plugin/dist/cli.cjs is missing: npm run build');
  mkdirSync(join(root, 'bench/.corpus'), { recursive: true });
  const CCUSAGE = ccusage(log);
  const corpora = CORPORA.map((spec) => ({ ...spec, ...corpus(spec, log) }));
  const scratch = mkdtempSync(join(tmpdir(), 'sb-bench-'));
  try {
    // Cold: each corpus read into a new ledger, next to ccusage on the same files; all four commands
    // in one interleaving, so both corpora's figures share the machine's state.
    const commands = {};
    for (const c of corpora) {
      const config = join(c.home, '.claude');
      commands[`${c.name}:ours`] = (i) => {
        const dir = join(scratch, `cold-${c.name}-${i}`);
        mkdirSync(dir);
        const r = run(CLI, ['ingest', '--config-dir', config, '--json', '--db', join(dir, 'ledger.db')]);
        rmSync(dir, { recursive: true, force: true });
        return r;
      };
      commands[`${c.name}:ccusage`] = () => run(CCUSAGE, ['claude', 'session', '--json', '--offline'], { env: { ...process.env, HOME: c.home } });
    }
    // The dense corpus without bin/'s --max-semi-space-size (docs/performance.md): what it saves in memory.
    const dense = corpora.find((c) => c.name === 'dense');
    if (dense) {
      commands['dense:default-young-generation'] = (i) => {
        const dir = join(scratch, `cold-plain-${i}`);
        mkdirSync(dir);
        const r = run(process.execPath, [join(root, 'plugin/dist/cli.cjs'), 'ingest', '--config-dir', join(dense.home, '.claude'), '--json', '--db', join(dir, 'ledger.db')]);
        rmSync(dir, { recursive: true, force: true });
        return r;
      };
    }
    const cold = await interleave(runs, commands);
    const coldRows = [`Cold ingest, median of ${runs} runs each, interleaved (goals: ≤ 0.8× ccusage's time, peak memory < 150 MiB, totals exact)`];
    const coldResults = {};
    for (const c of corpora) {
      const ours = cold[`${c.name}:ours`];
      const theirs = cold[`${c.name}:ccusage`];
      const ourTotals = JSON.parse(ours.last.stdout);
      const exact = KEYS.every((k) => ourTotals[k] === c.totals[k]) && ourTotals.responses === c.totals.responses;
      const theirTotals = ccusageTotals(theirs.last.stdout);
      const ratio = ours.wall / theirs.wall;
      const mib = c.totals.bytes / 1024 / 1024;
      coldRows.push(
        `  ${c.name}: ${mib.toFixed(0)} MiB, ${thousands(c.totals.files)} files, ${thousands(c.totals.responses)} responses (${(c.totals.bytes / c.totals.responses / 1000).toFixed(1)} KB per response)`,
        `    sprint-budget ingest   ${fmtS(ours.wall)}   peak ${fmtMiB(ours.peakMiB)}   ${exact ? 'totals exact' : `totals WRONG: ${diff(ourTotals, c.totals)}`}`,
        `    ccusage ${CCUSAGE_VERSION}        ${fmtS(theirs.wall)}   peak ${fmtMiB(theirs.peakMiB)}   ${diff(theirTotals, c.totals)}`,
        `    ratio                  ${ratio.toFixed(2)}×`,
      );
      coldResults[c.name] = {
        profile: c.profile,
        corpus_bytes: c.totals.bytes,
        files: c.totals.files,
        responses: c.totals.responses,
        ours_s: ours.wall,
        ours_peak_mib: ours.peakMiB,
        ccusage_s: theirs.wall,
        ccusage_peak_mib: theirs.peakMiB,
        ratio,
        exact,
        ccusage_error_pct: errorPct(theirTotals, c.totals),
      };
    }
    const plain = cold['dense:default-young-generation'];
    if (plain) {
      coldRows.push(`  dense, without bin/'s 4 MiB semi-space: ${fmtS(plain.wall)}   peak ${fmtMiB(plain.peakMiB)}`);
      coldResults.dense.default_young_generation = { ours_s: plain.wall, ours_peak_mib: plain.peakMiB };
    }
    for (const r of coldRows) log(r);

    const c = corpora[0];
    const incremental = await benchIncremental(c, scratch, runs * 3, log);
    return {
      // The realistic corpus's figures keep the keys they had before the dense corpus was added.
      corpus_bytes: c.totals.bytes,
      cold: coldResults[c.name],
      cold_dense: coldResults.dense,
      incremental,
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Incremental: a project whose ledger has read everything, its session attached to a sprint; then
 * before each timed run 1 MiB is appended to that session's transcript. The hook and the CLI share
 * the ledger, so each run reads exactly the MiB appended before it.
 */
async function benchIncremental(c, scratch, runs, log) {
  const config = join(c.home, '.claude');
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
    const stopWith = (args) => () => run(stopHook.command, args, { cwd: project, env, input: stopPayload });
    const stop = stopWith(stopHook.args);
    // The same hook without each speed-up that stays (docs/performance.md): without the code cache
    // (its bundle run directly), and without --liftoff-only (a cache of its own, as Node's flags differ).
    const script = stopHook.args[stopHook.args.length - 1];
    const noCache = stopWith([...stopHook.args.slice(0, -1), script.replace(/\.cjs$/, '.bundle.cjs')]);
    const noLiftoff = stopWith(stopHook.args.filter((a) => a !== '--liftoff-only'));
    // Untimed: leaves the hooks' code caches behind, as a session's first Stop does.
    stop();
    noLiftoff();
    inc = await interleave(
      runs,
      {
        bare: () => run(process.execPath, ['-e', '0']),
        hook: stop,
        hookNoCache: noCache,
        hookNoLiftoff: noLiftoff,
        incremental: () => inProject(['ingest', '--session', session, '--json']),
        whole: () => inProject(['ingest', '--json']),
      },
      (name) => name !== 'bare' && appendMiB(),
    );
  } finally {
    // Leave the cached corpus as generated, whatever happened.
    truncateSync(target, targetSize);
    rmSync(extra, { recursive: true, force: true });
  }
  const { bare, hook, hookNoCache, hookNoLiftoff, incremental, whole } = inc;
  const incTotals = JSON.parse(incremental.last.stdout);
  const incRatio = incremental.wall / bare.wall;
  const wholeRatio = whole.wall / bare.wall;
  const hookRatio = hook.wall / bare.wall;
  const rows = [
    `Incremental update after 1 MiB appended to a session's transcript (${c.name} corpus, ${incTotals.responses} new responses), median of ${runs}`,
    `  node -e 0                               ${fmtS(bare.wall)}`,
    `  Stop hook (reads the session's new lines) ${fmtS(hook.wall)}   ${hookRatio.toFixed(2)}×  (goal ≤ 1.3×)`,
    `  sprint-budget ingest --session ID       ${fmtS(incremental.wall)}   ${incRatio.toFixed(2)}×`,
    `  sprint-budget ingest (all ${c.totals.files} files)   ${fmtS(whole.wall)}   ${wholeRatio.toFixed(2)}×`,
    `  the Stop hook without its code cache      ${fmtS(hookNoCache.wall)}   ${(hookNoCache.wall / bare.wall).toFixed(2)}×`,
    `  the Stop hook without --liftoff-only      ${fmtS(hookNoLiftoff.wall)}   ${(hookNoLiftoff.wall / bare.wall).toFixed(2)}×`,
  ];
  for (const r of rows) log(r);
  return {
    bare_node_s: bare.wall,
    stop_hook_s: hook.wall,
    stop_hook_ratio: hookRatio,
    stop_hook_no_code_cache_s: hookNoCache.wall,
    stop_hook_no_liftoff_s: hookNoLiftoff.wall,
    session_s: incremental.wall,
    session_ratio: incRatio,
    all_files_s: whole.wall,
    all_files_ratio: wholeRatio,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await benchIngest();
