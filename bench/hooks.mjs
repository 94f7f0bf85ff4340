// Each hook's wall time, as Claude Code starts it (the command in hooks.json, the payload on stdin, a real
// ledger with an attached session whose transcripts are already read: the steady state of a session),
// next to a bare `node -e 0` in the same run, interleaved so both see the same machine state.
// Goal: each hook within 1.3x of bare Node. Run alone: node bench/hooks.mjs [--runs N]
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execaSync } from 'execa';
import { appendToolUse, generateCorpus } from '../scripts/corpus.mjs';
import { handlersFor } from '../scripts/hook-command.mjs';
import { median } from './measure.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const GOAL = 1.3;

/** A project with a sprint, and a HOME holding one session's transcripts (main + subagents, ~2 MiB). */
function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-hooks-'));
  const project = join(dir, 'project');
  const home = join(dir, 'home');
  mkdirSync(join(project, '.git'), { recursive: true });
  const corpus = generateCorpus(join(home, '.claude'), { seed: 11, targetBytes: 2 * 1024 * 1024, projects: 1 });
  const main = corpus.files
    .filter((f) => !f.includes('/subagents/'))
    .sort((a, b) => statSync(b).size - statSync(a).size)[0];
  const session = basename(main, '.jsonl');
  const subDir = join(dirname(main), session, 'subagents');
  const agentFile = readdirSync(subDir).find((f) => f.endsWith('.jsonl'));
  // What Claude Code gives a hook, CLAUDE_PLUGIN_DATA included (where the hooks keep their code cache).
  const env = { ...process.env, HOME: home, CLAUDE_CODE_SESSION_ID: session, CLAUDE_PROJECT_DIR: project, CLAUDE_ENV_FILE: join(dir, 'env.sh'), CLAUDE_PLUGIN_DATA: join(dir, 'plugin-data') };
  delete env.SPRINT_BUDGET_DB;
  delete env.SPRINT_BUDGET_DISPATCH_POLICY;
  execaSync(process.execPath, [join(root, 'plugin/dist/cli.cjs'), 'create', 'Hook bench sprint', '--budget', '10M'], { cwd: project, env, extendEnv: false });
  const base = { session_id: session, transcript_path: main, cwd: project };
  const agentId = agentFile ? agentFile.slice('agent-'.length, -'.jsonl'.length) : 'a0';
  const agent = { subagent_type: 'general-purpose', prompt: 'bench', description: 'bench' };
  // As Claude Code has it before the gate runs: the response asking for the dispatch is in the transcript.
  appendToolUse(main, 'toolu_bench', 'Agent', agent);
  const payloads = {
    'session-start': { ...base, hook_event_name: 'SessionStart', source: 'startup' },
    'pre-tool-use': { ...base, hook_event_name: 'PreToolUse', tool_name: 'Agent', tool_use_id: 'toolu_bench', tool_input: agent },
    'pre-tool-use sprint-budget': { ...base, hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_use_id: 'toolu_bench_bash', tool_input: { command: 'sprint-budget state' } },
    'post-tool-use Bash': { ...base, hook_event_name: 'PostToolUse', tool_name: 'Bash', tool_use_id: 'toolu_bench_bash', tool_input: { command: 'ls' }, tool_response: { stdout: '', stderr: '' } },
    'post-tool-use': {
      ...base,
      hook_event_name: 'PostToolUse',
      tool_name: 'Agent',
      tool_use_id: 'toolu_bench',
      tool_input: agent,
      tool_response: { agentId, agentType: 'general-purpose', usage: { input_tokens: 500, output_tokens: 20, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 } },
    },
    'subagent-stop': { ...base, hook_event_name: 'SubagentStop', agent_id: agentId, agent_type: 'general-purpose', agent_transcript_path: join(subDir, agentFile ?? 'none.jsonl') },
    stop: { ...base, hook_event_name: 'Stop', stop_hook_active: false },
    'session-end': { ...base, hook_event_name: 'SessionEnd', reason: 'other' },
  };
  return { dir, project, env, payloads };
}

function timed([command, ...args], { cwd, env, input }) {
  const t0 = performance.now();
  // A failing hook throws (execa rejects a non-zero exit), stderr included.
  execaSync(command, args, { cwd, env, extendEnv: false, input });
  return performance.now() - t0;
}

/** @returns {Promise<{name: string, medianMs: number, ratio: number, withinGoal: boolean}[]>} */
export async function benchHooks({ runs = Number(process.env.BENCH_HOOK_RUNS ?? 21), log = console.log } = {}) {
  const s = setup();
  try {
    // Each handler the payload starts, as its own row: the watch has one Claude Code waits for (under
    // the hard policy; a no-op otherwise) and one it does not.
    const handlers = Object.entries(s.payloads).flatMap(([hook, payload]) => {
      const selected = handlersFor(payload);
      return selected.map((h) => ({ name: selected.length > 1 ? `${hook} [${h.async ? 'async' : 'waited'}]` : hook, h, input: JSON.stringify(payload) }));
    });
    const byName = Object.fromEntries(handlers.map((x) => [x.name, x]));
    const hooks = Object.keys(byName);
    const run = (name) => timed([byName[name].h.command, ...byName[name].h.args], { cwd: s.project, env: s.env, input: byName[name].input });
    // Warm-up, untimed: attach the session and read its transcripts once (what a session's first hooks
    // do), and leave each hook's code cache behind.
    for (const hook of hooks) run(hook);
    const times = { 'node -e 0': [] };
    for (const h of hooks) times[h] = [];
    for (let i = 0; i < runs; i++) {
      times['node -e 0'].push(timed([process.execPath, '-e', '0'], { cwd: s.project, env: s.env }));
      for (const h of hooks) times[h].push(run(h));
    }
    const bare = median(times['node -e 0']);
    const rows = Object.entries(times).map(([name, xs]) => {
      const medianMs = median(xs);
      return { name, medianMs, ratio: medianMs / bare, withinGoal: medianMs / bare <= GOAL };
    });
    log(`Hooks: median wall time of ${runs} runs each, interleaved (steady state: transcripts already read)`);
    const w = Math.max(...rows.map((r) => r.name.length)) + 2;
    log(`${'hook'.padEnd(w)}${'median'.padStart(10)}${'vs node -e 0'.padStart(15)}`);
    for (const r of rows) {
      const mark = r.name === 'node -e 0' ? '' : r.withinGoal ? '' : `  over ${GOAL}x`;
      log(`${r.name.padEnd(w)}${`${r.medianMs.toFixed(1)} ms`.padStart(10)}${`${r.ratio.toFixed(2)}x`.padStart(15)}${mark}`);
    }
    return rows;
  } finally {
    rmSync(s.dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--runs');
  await benchHooks(i > 0 ? { runs: Number(process.argv[i + 1]) } : {});
}
