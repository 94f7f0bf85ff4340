// Writes realistic Claude Code transcripts (both line shapes) under <dir>/projects/, together with
// their exact totals, so tests and the benchmark can check every token. Deterministic by seed.
//
// What makes it realistic, and hard for a reader:
// - responses written as several lines sharing one message id; the older shape puts a placeholder
//   output_tokens on all but the last line (keep the largest), 2.1.332 repeats the full usage;
// - subagents in <session>/subagents/agent-<id>.jsonl with .meta.json naming their type;
// - large tool-result, attachment and api-request-shape lines that hold no usage, some containing a
//   nested {"type":"assistant", ... "usage"} object (a decoy: only top-level assistant lines count);
// - `<synthetic>` responses with usage (never counted), non-ASCII text, and responses repeated in a
//   resumed session's file (same message and request id: counted once).
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A seeded random source in [0, 1): the same seed, the same run. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS =
  'the of sprint budget token phase review plan agent subagent transcript ledger hook dispatch import export function const return await async error fix test build bundle cache read write schema migration — ünïcode 日本語 emoji 🚀 "quoted" back\\slash tab\there new\nline'.split(
    ' ',
  );

function fillerFactory(rand) {
  const parts = [];
  let len = 0;
  while (len < 1 << 20) {
    const w = WORDS[Math.floor(rand() * WORDS.length)];
    parts.push(w);
    len += w.length + 1;
  }
  const text = parts.join(' ');
  return (n) => {
    const start = Math.floor(rand() * (text.length - n - 1));
    return text.slice(start, start + n);
  };
}

const uuid = (rand) => {
  const h = () => Math.floor(rand() * 0x10000).toString(16).padStart(4, '0');
  return `${h()}${h()}-${h()}-4${h().slice(1)}-a${h().slice(1)}-${h()}${h()}${h()}`;
};

/**
 * Kinds of history. realistic: mostly tool output (about 20 KB per response), sessions of 10-80
 * turns, a subagent every dozen turns. dense: about 2.4 KB per response and a few hundred responses
 * per file (short tool results, long sessions, few subagents). many-files: small sessions with many
 * subagents, so that a few MiB make hundreds of files.
 */
export const PROFILES = {
  realistic: { shrink: 1, blocks: 3, toolResult: [[0.7, 200, 3000], [0.95, 3000, 20000], [1, 20000, 100000]], attachment: 0.3, shape: 0.08, turns: [10, 80], subagent: 0.08, subTurns: [1, 6] },
  dense: { shrink: 20, blocks: 2, toolResult: [[0.9, 10, 150], [1, 150, 1500]], attachment: 0.02, shape: 0.002, turns: [80, 600], subagent: 0.003, subTurns: [20, 150] },
  'many-files': { shrink: 20, blocks: 2, toolResult: [[1, 10, 300]], attachment: 0.02, shape: 0.002, turns: [3, 10], subagent: 0.5, subTurns: [1, 3] },
};

export function emptyTotals() {
  return { files: 0, bytes: 0, responses: 0, input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
}

/**
 * @param {string} dir  the config dir to write (gets projects/...)
 * @param {{seed?: number, targetBytes?: number, projects?: number, profile?: keyof typeof PROFILES}} opts
 * @returns {{totals: ReturnType<typeof emptyTotals>, byAgentType: Record<string, {responses:number,input:number,output:number,cacheRead:number,cacheWrite:number}>, bySession: Record<string, {input:number,output:number}>, files: string[]}}
 */
export function generateCorpus(dir, opts = {}) {
  const rand = rng(opts.seed ?? 1);
  const filler = fillerFactory(rand);
  const targetBytes = opts.targetBytes ?? 20 * 1024 * 1024;
  const projectCount = opts.projects ?? 3;
  const profile = PROFILES[opts.profile ?? 'realistic'];
  if (!profile) throw new Error(`unknown corpus profile ${opts.profile}`);
  const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = (xs) => xs[Math.floor(rand() * xs.length)];

  /** key → {usage, agentType, sessionId}; the truth the reader must reproduce. */
  const truth = new Map();
  const files = [];
  let written = 0;
  let msgSeq = 0;
  let clock = Date.parse('2026-11-01T09:00:00.000Z');
  const replayable = [];

  const projectDirs = Array.from({ length: projectCount }, (_, i) => `/home/dev/work/project-${i}.app`);

  const countTruth = (key, usage, agentType, sessionId, synthetic) => {
    if (synthetic) return;
    const had = truth.get(key);
    if (!had) truth.set(key, { usage: { ...usage }, agentType, sessionId });
    else for (const k of Object.keys(usage)) had.usage[k] = Math.max(had.usage[k], usage[k]);
  };

  const usageOf = () => ({
    input_tokens: int(1, 6000),
    output_tokens: int(1, 4000),
    cache_creation_input_tokens: rand() < 0.5 ? int(0, 20000) : 0,
    cache_read_input_tokens: rand() < 0.8 ? int(0, 200000) : 0,
  });

  const base = (ctx, extra) => ({
    parentUuid: uuid(rand),
    isSidechain: ctx.agentId !== null,
    ...(ctx.agentId ? { agentId: ctx.agentId } : {}),
    userType: 'external',
    cwd: ctx.cwd,
    sessionId: ctx.sessionId,
    version: ctx.shape === 'old' ? '1.0.98' : '2.1.332',
    gitBranch: 'main',
    ...extra,
  });

  /** One API response as 1..3 lines; returns the lines. */
  const responseLines = (ctx, { synthetic = false } = {}) => {
    const id = `msg_${(++msgSeq).toString(36).padStart(8, '0')}${Math.floor(rand() * 1e6).toString(36)}`;
    const request = ctx.shape === 'old' ? `req_${uuid(rand)}` : uuid(rand);
    const usage = usageOf();
    const model = synthetic ? '<synthetic>' : pick(['claude-opus-5-5', 'claude-sonnet-5-1', 'claude-haiku-5']);
    const blocks = [];
    const nBlocks = synthetic ? 1 : int(1, profile.blocks);
    const size = (lo, hi) => (profile.shrink === 1 ? int(lo, hi) : int(Math.floor(lo / 10), Math.floor(hi / (profile.shrink + 5))));
    for (let b = 0; b < nBlocks; b++) {
      const kind = pick(['text', 'tool_use', 'thinking']);
      if (kind === 'text') blocks.push({ type: 'text', text: filler(size(50, 3000)) });
      else if (kind === 'thinking') blocks.push({ type: 'thinking', thinking: filler(size(200, 6000)), signature: filler(40) });
      else blocks.push({ type: 'tool_use', id: `toolu_${uuid(rand)}`, name: pick(['Bash', 'Read', 'Edit', 'Write']), input: { command: filler(size(20, 400)), content: filler(size(0, 8000)) } });
    }
    const key = `msg:${id}:${request}`;
    const lines = [];
    clock += int(500, 20000);
    blocks.forEach((block, b) => {
      const last = b === blocks.length - 1;
      // Older versions: placeholder output on every line but the last.
      const u = ctx.shape === 'old' && !last ? { ...usage, output_tokens: int(1, 8) } : usage;
      const message = {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content: [block],
        stop_reason: last ? 'tool_use' : null,
        stop_sequence: null,
        usage: ctx.shape === 'old' ? { ...u, service_tier: 'standard' } : { ...u, output_tokens_details: { thinking_tokens: 0 }, service_tier: 'standard', speed: 'standard' },
      };
      const line =
        ctx.shape === 'old'
          ? { ...base(ctx, {}), message, requestId: request, type: 'assistant', uuid: uuid(rand), timestamp: new Date(clock).toISOString() }
          : {
              ...base(ctx, {}),
              message,
              apiBlockIndex: b,
              requestRef: request,
              requestedModel: model,
              ...(ctx.agentType !== 'main' ? { attributionAgent: ctx.agentType } : {}),
              type: 'assistant',
              uuid: uuid(rand),
              timestamp: new Date(clock).toISOString(),
            };
      lines.push(JSON.stringify(line));
      countTruth(key, u, ctx.agentType, ctx.sessionId, synthetic);
    });
    if (!synthetic && rand() < 0.05) replayable.push(lines[lines.length - 1]);
    return lines;
  };

  // Most tool results are small (ls, grep, edits); some are whole files or long logs.
  const toolResultSize = () => {
    const r = rand();
    const [, lo, hi] = profile.toolResult.find(([upTo]) => r < upTo) ?? profile.toolResult[profile.toolResult.length - 1];
    return int(lo, hi);
  };

  const noiseLines = (ctx) => {
    const out = [];
    out.push(JSON.stringify({ ...base(ctx, {}), type: 'user', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: `toolu_${uuid(rand)}`, content: filler(toolResultSize()) }] }, uuid: uuid(rand), timestamp: new Date(clock).toISOString() }));
    if (rand() < profile.attachment) out.push(JSON.stringify({ ...base(ctx, {}), type: 'attachment', attachment: { type: 'skill_listing', content: filler(int(400, 14000)) }, uuid: uuid(rand), timestamp: new Date(clock).toISOString() }));
    if (ctx.shape === 'new') {
      out.push(JSON.stringify({ type: 'api-request', sessionId: ctx.sessionId, id: uuid(rand), timestamp: new Date(clock).toISOString(), params: { max_tokens: 32000 }, requestDigest: filler(60) }));
      if (rand() < profile.shape) out.push(JSON.stringify({ type: 'api-request-shape', sessionId: ctx.sessionId, shapeHash: uuid(rand), shape: { tools: filler(int(20000, 40000)) } }));
    }
    if (rand() < 0.03) {
      // A decoy: a user line whose tool result holds an assistant-shaped object with usage.
      out.push(JSON.stringify({ ...base(ctx, {}), type: 'user', toolUseResult: { type: 'assistant', message: { id: 'msg_decoy', model: 'claude-opus-5-5', usage: { input_tokens: 999999, output_tokens: 999999 } } }, message: { role: 'user', content: 'decoy' }, uuid: uuid(rand), timestamp: new Date(clock).toISOString() }));
    }
    return out;
  };

  const writeFile = (path, lines) => {
    const text = `${lines.join('\n')}\n`;
    writeFileSync(path, text);
    files.push(path);
    written += Buffer.byteLength(text);
  };

  let session = 0;
  while (written < targetBytes) {
    session++;
    const cwd = projectDirs[session % projectDirs.length];
    const projectDir = join(dir, 'projects', cwd.replace(/[^a-zA-Z0-9]/g, '-'));
    mkdirSync(projectDir, { recursive: true });
    const sessionId = uuid(rand);
    const shape = rand() < 0.5 ? 'old' : 'new';
    const ctx = { cwd, sessionId, shape, agentId: null, agentType: 'main' };
    const lines = [
      JSON.stringify({ type: 'queue-operation', operation: 'enqueue', timestamp: new Date(clock).toISOString(), sessionId, content: filler(40) }),
      JSON.stringify({ ...base(ctx, {}), type: 'user', message: { role: 'user', content: filler(int(20, 400)) }, uuid: uuid(rand), timestamp: new Date(clock).toISOString() }),
    ];
    // A resumed session repeats earlier responses: the same message and request ids.
    if (replayable.length > 0 && rand() < 0.2) for (let i = 0; i < Math.min(3, replayable.length); i++) lines.push(pick(replayable));
    const turns = int(...profile.turns);
    for (let t = 0; t < turns; t++) {
      lines.push(...responseLines(ctx));
      lines.push(...noiseLines(ctx));
      if (rand() < 0.02) lines.push(...responseLines(ctx, { synthetic: true }));
      if (rand() < profile.subagent) {
        const agentId = `a${Math.floor(rand() * 2 ** 52).toString(16)}`;
        const agentType = pick(['general-purpose', 'Explore', 'fd-correctness', 'fd-safety', 'code-researcher']);
        const sub = { ...ctx, agentId, agentType, shape: 'new' };
        const subDir = join(projectDir, sessionId, 'subagents');
        mkdirSync(subDir, { recursive: true });
        const subLines = [JSON.stringify({ ...base(sub, {}), type: 'user', message: { role: 'user', content: filler(200) }, uuid: uuid(rand), timestamp: new Date(clock).toISOString() })];
        for (let k = int(...profile.subTurns); k > 0; k--) {
          subLines.push(...responseLines(sub));
          subLines.push(...noiseLines(sub));
        }
        writeFile(join(subDir, `agent-${agentId}.jsonl`), subLines);
        writeFileSync(join(subDir, `agent-${agentId}.meta.json`), JSON.stringify({ agentType, description: filler(20), toolUseId: `toolu_${uuid(rand)}`, model: 'claude-opus-5-5' }));
      }
    }
    lines.push(JSON.stringify({ type: 'cost-state', sessionId, totalCostUSD: rand() * 10, modelUsage: { 'claude-opus-5-5': { inputTokens: 1, outputTokens: 1 } } }));
    writeFile(join(projectDir, `${sessionId}.jsonl`), lines);
  }

  const totals = emptyTotals();
  totals.files = files.length;
  totals.bytes = written;
  const byAgentType = {};
  const bySession = {};
  for (const { usage, agentType, sessionId } of truth.values()) {
    totals.responses++;
    totals.input_tokens += usage.input_tokens;
    totals.output_tokens += usage.output_tokens;
    totals.cache_creation_input_tokens += usage.cache_creation_input_tokens;
    totals.cache_read_input_tokens += usage.cache_read_input_tokens;
    const a = (byAgentType[agentType] ??= { responses: 0, input: 0, output: 0, cacheRead: 0, cacheWrite: 0 });
    a.responses++;
    a.input += usage.input_tokens;
    a.output += usage.output_tokens;
    a.cacheRead += usage.cache_read_input_tokens;
    a.cacheWrite += usage.cache_creation_input_tokens;
    const s = (bySession[sessionId] ??= { input: 0, output: 0 });
    s.input += usage.input_tokens;
    s.output += usage.output_tokens;
  }
  return { totals, byAgentType, bySession, files };
}

/**
 * Appends the line Claude Code writes for a tool call before its PreToolUse hook runs: one more line of
 * the transcript's newest response (same message id and usage: one response, counted once) holding
 * the `tool_use` block. The dispatch gate waits for it. Nothing when the transcript has no response
 * or already holds the call.
 */
export function appendToolUse(transcript, toolUseId, name, input) {
  const text = readFileSync(transcript, 'utf8');
  if (text.includes(`"${toolUseId}"`)) return;
  const last = text.split('\n').filter((l) => l.includes('"type":"assistant"')).pop();
  if (!last) return;
  const line = JSON.parse(last);
  line.uuid = randomUUID();
  line.message.content = [{ type: 'tool_use', id: toolUseId, name, input }];
  appendFileSync(transcript, `${JSON.stringify(line)}\n`);
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const [dir, mb = '20', seed = '1', profile = 'realistic'] = process.argv.slice(2);
  if (!dir) {
    console.error(`usage: node scripts/corpus.mjs <config dir> [MiB=20] [seed=1] [profile=${Object.keys(PROFILES).join('|')}]`);
    process.exit(2);
  }
  const r = generateCorpus(dir, { targetBytes: Number(mb) * 1024 * 1024, seed: Number(seed), profile });
  console.log(JSON.stringify(r.totals, null, 2));
}
