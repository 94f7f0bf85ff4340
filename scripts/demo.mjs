// npm run demo: a scripted sprint in a temporary project, driven through the real CLI bundle.
// Claude Code is simulated here by writing transcript lines in its 2.1.332 shape (the same bytes
// its sessions write) with chosen usage, so the figures below can be checked by eye; the e2e tests
// run the real claude binary instead.
import { appendFileSync, mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execaSync } from 'execa';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(root, 'plugin/dist/cli.cjs');
const project = realpathSync(mkdtempSync(join(tmpdir(), 'sprint-budget-demo-')));
mkdirSync(join(project, '.git'));
const config = join(project, '.claude-home');
const session = '5f0c7a52-demo-4e1b-9d3e-6a1f2b3c4d5e';
const transcript = join(config, 'projects', project.replace(/[^a-zA-Z0-9]/g, '-'), `${session}.jsonl`);
mkdirSync(join(dirname(transcript), session, 'subagents'), { recursive: true });
const env = { ...process.env, CLAUDE_CONFIG_DIR: config, CLAUDE_CODE_SESSION_ID: session };
for (const k of Object.keys(env)) if (k.startsWith('SPRINT_BUDGET') || k === 'FLUX_BUDGET_REMAINING') delete env[k];

const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
function sh(args, { input, extraEnv = {} } = {}) {
  console.log(bold(`$ sprint-budget ${args.map((a) => (/[\s|"]/.test(a) ? `"${a}"` : a)).join(' ')}`));
  const r = execaSync(process.execPath, [CLI, ...args], { cwd: project, env: { ...env, ...extraEnv }, extendEnv: false, input: input ?? '', stripFinalNewline: false, reject: false });
  process.stdout.write(r.stdout);
  if (r.stderr) console.log(r.stderr.trimEnd().replace(/^/gm, '  (stderr) '));
  if (r.exitCode !== 0) console.log(`  (exit ${r.exitCode})`);
  console.log('');
  return r;
}
function say(text) {
  console.log(`# ${text}`);
}

let seq = 0;
/** One API response as Claude Code 2.1.332 writes it. */
function response({ input, output, cacheRead = 0, cacheWrite = 0, agentId = null, agentType = null }) {
  seq++;
  return JSON.stringify({
    parentUuid: null,
    isSidechain: agentId !== null,
    ...(agentId ? { agentId } : {}),
    message: {
      id: `msg_demo_${seq}`,
      type: 'message',
      role: 'assistant',
      model: 'claude-opus-5-5',
      content: [{ type: 'text', text: `step ${seq}` }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: input, cache_creation_input_tokens: cacheWrite, cache_read_input_tokens: cacheRead, output_tokens: output, service_tier: 'standard' },
    },
    requestRef: `req-demo-${seq}`,
    ...(agentType ? { attributionAgent: agentType } : {}),
    type: 'assistant',
    uuid: `uuid-${seq}`,
    timestamp: new Date().toISOString(),
    sessionId: session,
    version: '2.1.332',
  });
}
function mainSpends(...usages) {
  appendFileSync(transcript, usages.map((u) => `${response(u)}\n`).join(''));
}
function subagent(id, type, ...usages) {
  const base = join(dirname(transcript), session, 'subagents', `agent-${id}`);
  writeFileSync(`${base}.meta.json`, JSON.stringify({ agentType: type, description: 'demo', toolUseId: `toolu_${id}` }));
  appendFileSync(`${base}.jsonl`, usages.map((u) => `${response({ ...u, agentId: id, agentType: type })}\n`).join(''));
}
const tick = () => execaSync(process.execPath, ['-e', 'setTimeout(()=>{},15)']);

console.log(`sprint-budget demo · project ${project}\n`);
say('Start a sprint inside a (simulated) Claude Code session: complexity is classified, the budget follows.');
sh(['create', 'Add a rate limiter to the public API, reusing the existing Redis client', '--budget', '40k']);

say('Brainstorm: the session spends; a research subagent runs.');
mainSpends({ input: 4200, output: 900, cacheRead: 18000, cacheWrite: 2400 }, { input: 3100, output: 1200, cacheRead: 21000 });
subagent('a1b2c3d4e5f60001', 'repo-researcher', { input: 2600, output: 400 }, { input: 1800, output: 350 });
tick();
sh(['advance', '--from', 'brainstorm']);

say('Brainstorm review and strategy: two review agents, then more work.');
mainSpends({ input: 5200, output: 1500, cacheRead: 30000 });
subagent('a1b2c3d4e5f60002', 'fd-correctness', { input: 6100, output: 900 });
subagent('a1b2c3d4e5f60003', 'fd-safety', { input: 5400, output: 700 });
tick();
sh(['advance', '--from', 'brainstorm-reviewed']);
sh(['tokens']);

say('Before plan review, review triage reads what the sprint has left at that moment and launches what fits.');
sh(['remaining']);
const agents = [
  { name: 'fd-correctness', score: 5, stage: 1 },
  { name: 'fd-architecture', score: 4, stage: 2 },
  { name: 'fd-safety', score: 3, stage: 2 },
  { name: 'fd-quality', score: 3, stage: 2 },
  { name: 'repo-researcher', score: 2, stage: 2 },
];
sh(['triage', '--input-type', 'plan', '--agents', '-'], { input: JSON.stringify(agents) });

say('Planning spends past the budget: the next advance pauses with a protocol line (exit 1).');
mainSpends({ input: 9800, output: 2600, cacheRead: 41000 });
tick();
sh(['advance', '--from', 'strategized']);
say('The pause is level-triggered: asking again gives the same answer.');
sh(['remaining', '--json']);

say('The user chooses "Continue (override)": recorded with its reason, it lets the next advance pass.');
sh(['override', '--reason', 'plan is nearly done; finish it']);
sh(['advance', '--from', 'strategized']);

say('The per-phase ledger, every figure with its source; then the whole state and its history.');
sh(['tokens']);
sh(['state']);
console.log(`Ledger: ${join(project, '.sprint-budget', 'ledger.db')} (remove ${project} when done)`);
