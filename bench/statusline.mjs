// The status line's latency next to `node -e 0`: the command `statusline --install` writes, run as
// Claude Code runs it after a message (the status-line JSON on stdin), on a sprint whose session has a
// 2 MiB transcript already read. Two cases: nothing new since the last run, and one response (about
// 3 KiB of lines) appended before each run. Interleaved round by round, each round in the opposite
// order to the last (bench/measure.mjs). Goal: ≤ 1.3× `node -e 0`. Run alone: node bench/statusline.mjs
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execaSync } from 'execa';
import { interleave, run } from './measure.mjs';

const root = join(fileURLToPath(import.meta.url), '../..');
const cli = join(root, 'plugin/dist/cli.cjs');
export async function benchStatusline({ log = console.log, rounds = Number(process.env.BENCH_STATUSLINE_ROUNDS ?? 31) } = {}) {
  const home = mkdtempSync(join(tmpdir(), 'sb-latency-'));
  const project = join(home, 'project');
  const config = join(home, '.claude');
  mkdirSync(join(project, '.git'), { recursive: true });
  const env = { ...process.env, HOME: home, CLAUDE_CONFIG_DIR: config, XDG_CACHE_HOME: join(home, '.cache') };
  for (const k of Object.keys(env)) if (k.startsWith('CLAUDE_CODE') || k.startsWith('SPRINT_BUDGET')) delete env[k];
  const sb = (...args) => {
    return execaSync(process.execPath, [cli, ...args], { cwd: project, env, extendEnv: false }).stdout;
  };

  const session = 'latency-session';
  const transcript = join(config, 'projects', '-latency', `${session}.jsonl`);
  mkdirSync(join(transcript, '..'), { recursive: true });
  let n = 0;
  const filler = 'x'.repeat(900);
  function message() {
    n++;
    const ts = new Date(Date.now()).toISOString();
    const user = JSON.stringify({ type: 'user', sessionId: session, timestamp: ts, message: { role: 'user', content: [{ type: 'tool_result', content: filler }] } });
    const assistant = JSON.stringify({
      parentUuid: 'p', isSidechain: false, type: 'assistant', sessionId: session, timestamp: ts, requestId: `req_${n}`,
      message: { id: `msg_${n}`, type: 'message', role: 'assistant', model: 'claude-opus-4-8', content: [{ type: 'text', text: filler }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 10, cache_creation_input_tokens: 5, cache_read_input_tokens: 100, cache_creation: { ephemeral_5m_input_tokens: 5, ephemeral_1h_input_tokens: 0 }, output_tokens: 20 } },
    });
    return `${user}\n${assistant}\n${user}\n`;
  }

  sb('create', 'Latency sprint', '--budget', '10M');
  sb('attach', '--session', session, '--transcript', transcript);
  let text = '';
  while (text.length < 2 * 1024 * 1024) text += message();
  writeFileSync(transcript, text);
  sb('statusline', '--install');
  const command = JSON.parse(readFileSync(join(config, 'settings.json'), 'utf8')).statusLine.command;
  const payload = JSON.stringify({ session_id: session, transcript_path: transcript, cwd: project, workspace: { current_dir: project, project_dir: project }, model: { id: 'claude-opus-4-8' } });
  // The command as installed, without the shell Claude Code wraps it in (node -e 0 gets none either).
  const argv = [...command.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]);

  const statusline = () => run(argv[0], argv.slice(1), { env, cwd: tmpdir(), input: payload });
  const plain = (out) => out.trim().replace(/\x1b\[[0-9;]*m/g, '');

  // Warm the code caches.
  for (let i = 0; i < 3; i++) statusline();

  log(`The status line after a message, median of ${rounds} rounds each, interleaved with node -e 0 (goal ≤ 1.3×)`);
    const results = {};
    for (const appended of [false, true]) {
      const r = await interleave(rounds, { node: () => run(process.execPath, ['-e', '0'], { env }), statusline }, (name) => {
        if (appended && name === 'statusline') appendFileSync(transcript, message());
      });
      const ratio = r.statusline.wall / r.node.wall;
      log(`  ${appended ? 'one message appended' : 'nothing new         '}  ${(r.statusline.wall * 1000).toFixed(1)} ms vs ${(r.node.wall * 1000).toFixed(1)} ms   ${ratio.toFixed(2)}×`);
      results[appended ? 'appended' : 'unchanged'] = { statusline_s: r.statusline.wall, bare_node_s: r.node.wall, ratio };
    }
    log(`  line: ${plain(statusline().stdout)}`);
    rmSync(home, { recursive: true, force: true });
    return results;
  }

if (process.argv[1] === fileURLToPath(import.meta.url)) await benchStatusline();
