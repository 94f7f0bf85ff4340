/**
 * Driving the built hooks as Claude Code does: the real payloads captured from Claude Code 2.1.332
 * (shared/reference/samples), rewritten to point at a temporary project and HOME, piped as JSON into
 * the command hooks.json gives for it, against a real ledger made by the real CLI.
 */
import { execa, execaSync } from 'execa';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { recordedSpend } from '../../src/app/spend';
import { type Ledger, openLedger } from '../../src/ledger/db';
import { type Sprint, latestActiveSprint, listEvents } from '../../src/ledger/sprints';
import { encodeProjectDir } from '../../src/transcripts/paths';
import { PLUGIN, PROCESS, REPO, type RunResult, cleanEnv, resultOf, runCli, tempProject } from './cli';
import { appendToolUse } from '../../scripts/corpus.mjs';
import { type HookHandler, handlersFor, hookHandlers } from '../../scripts/hook-command.mjs';
import { tempHome } from './claude';

/** shared/ sits beside the checkout, on developers' machines and in CI alike. */
export const SAMPLES = join(REPO, 'test/fixtures/claude-code-2.1.332');
export const SAMPLE_SESSION = '2f615247-9f0e-4d07-ade0-cad4d6e2665c';
export const SAMPLE_AGENT = 'a946a5f5990bbc7a2';
/** What the server sent in the sample run (reference doc): main 2 × 1000/40, subagent 500/20. */
export const SAMPLE_MAIN_BILLING = 2 * (1000 + 40);
export const SAMPLE_SUB_BILLING = 500 + 20;

export type HookName = 'session-start' | 'pre-tool-use' | 'post-tool-use' | 'post-tool-use-failure' | 'subagent-stop' | 'stop' | 'session-end';
export const HOOKS: Record<HookName, string> = {
  'session-start': 'SessionStart',
  'pre-tool-use': 'PreToolUse',
  'post-tool-use': 'PostToolUse',
  'post-tool-use-failure': 'PostToolUseFailure',
  'subagent-stop': 'SubagentStop',
  stop: 'Stop',
  'session-end': 'SessionEnd',
};

export interface Sandbox {
  project: string;
  home: string;
  ledger: string;
  /** Where Claude Code would keep this session's main transcript. */
  transcript: string;
  subagentTranscript: string;
  envFile: string;
  sprintId: string | null;
}

/** A project with a sprint (budget 1M unless given; no ledger at all with `noLedger`) and a HOME for its transcripts. */
export function sandbox(opts: { budget?: string; noLedger?: boolean } = {}): Sandbox {
  const project = tempProject('sb-hooks-');
  const home = tempHome();
  const dir = join(home, '.claude/projects', encodeProjectDir(project));
  let sprintId: string | null = null;
  if (!opts.noLedger) {
    const r = runCli(['create', 'Hook test sprint', '--budget', opts.budget ?? '1000000'], { cwd: project });
    if (r.code !== 0) throw new Error(`create failed: ${r.stderr}`);
    sprintId = r.stdout.trim();
  }
  return {
    project,
    home,
    ledger: join(project, '.sprint-budget/ledger.db'),
    transcript: join(dir, `${SAMPLE_SESSION}.jsonl`),
    subagentTranscript: join(dir, SAMPLE_SESSION, 'subagents', `agent-${SAMPLE_AGENT}.jsonl`),
    envFile: join(home, 'session-env.sh'),
    sprintId,
  };
}

/** A captured payload, pointed at the sandbox. */
export function payload(sb: Sandbox, hook: HookName, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  // No PostToolUseFailure was captured: it is PostToolUse's payload with the documented `error` instead of the response.
  const failure = hook === 'post-tool-use-failure';
  const p = JSON.parse(readFileSync(join(SAMPLES, 'hooks', `${failure ? 'PostToolUse' : HOOKS[hook]}.json`), 'utf8')) as Record<string, unknown>;
  if (failure) {
    delete p.tool_response;
    delete p.duration_ms;
    Object.assign(p, { hook_event_name: 'PostToolUseFailure', error: 'the subagent failed', is_interrupt: false });
  }
  p.cwd = sb.project;
  p.transcript_path = sb.transcript;
  if ('agent_transcript_path' in p) p.agent_transcript_path = sb.subagentTranscript;
  return { ...p, ...overrides };
}

/**
 * The session's transcripts appear (as Claude Code writes them while the session runs): the sample
 * files, with their times moved to now so they fall inside the session's attachment to the sprint.
 */
export function writeTranscripts(sb: Sandbox): void {
  const from = join(SAMPLES, 'transcripts/-home-user-project');
  const to = join(sb.transcript, '..');
  mkdirSync(to, { recursive: true });
  cpSync(from, to, { recursive: true });
  const now = new Date().toISOString();
  const files = [sb.transcript, sb.subagentTranscript];
  for (const f of files) writeFileSync(f, readFileSync(f, 'utf8').replace(/"timestamp":"[^"]+"/g, `"timestamp":"${now}"`));
}


/** What Claude Code gives a hook process in the sandbox. */
function hookEnv(sb: Sandbox, env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return cleanEnv({ HOME: sb.home, CLAUDE_PROJECT_DIR: sb.project, CLAUDE_ENV_FILE: sb.envFile, CLAUDE_CODE_SESSION_ID: SAMPLE_SESSION, ...env });
}

/**
 * The handlers Claude Code starts for this input: those the payload selects; for input that is not a
 * payload, each different handler of the event once (two matchers may start the same program).
 */
function handlersOf(hook: HookName, input: Record<string, unknown> | string, root: string): HookHandler[] {
  if (typeof input !== 'string') return handlersFor({ ...input, hook_event_name: HOOKS[hook] }, root);
  const seen = new Set<string>();
  return hookHandlers(HOOKS[hook], root).filter((h) => {
    const key = JSON.stringify([h.command, h.args]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** What the handlers said together: their output in order, the first failing exit code. */
function together(results: RunResult[]): RunResult {
  return {
    code: results.find((r) => r.code !== 0)?.code ?? 0,
    stdout: results.map((r) => r.stdout).join(''),
    stderr: results.map((r) => r.stderr).join(''),
  };
}

/** Before a dispatch's PreToolUse, Claude Code has written (or is about to write) the response that asked for it. */
export function writeDispatchResponse(hook: HookName, input: Record<string, unknown> | string): void {
  if (hook !== 'pre-tool-use' || typeof input === 'string' || input.tool_name !== 'Agent') return;
  const transcript = String(input.transcript_path);
  if (existsSync(transcript)) appendToolUse(transcript, String(input.tool_use_id), 'Agent', input.tool_input);
}

/** Runs a hook as Claude Code does: every handler hooks.json selects for the input, each with the input on stdin. */
export function runHook(
  hook: HookName,
  input: Record<string, unknown> | string,
  sb: Sandbox,
  opts: { env?: NodeJS.ProcessEnv; root?: string } = {},
): RunResult {
  const text = typeof input === 'string' ? input : JSON.stringify(input);
  writeDispatchResponse(hook, input);
  return together(
    handlersOf(hook, input, opts.root ?? PLUGIN).map(({ command, args }) =>
      // A hook that hangs fails its test instead of stalling the suite (Claude Code itself stops a hook at its timeout).
      resultOf(execaSync(command, args, { ...PROCESS, cwd: sb.project, input: text, env: hookEnv(sb, opts.env), timeout: 60_000 })),
    ),
  );
}

/** Starts a hook without waiting for it, as Claude Code does for parallel tool calls. */
export async function startHook(
  hook: HookName,
  input: Record<string, unknown>,
  sb: Sandbox,
  /** `responseLate`: the response that asked for the dispatch is not written yet (the test writes it). */
  opts: { env?: NodeJS.ProcessEnv; responseLate?: boolean } = {},
): Promise<RunResult> {
  if (!opts.responseLate) writeDispatchResponse(hook, input);
  const runs = handlersOf(hook, input, PLUGIN).map(async ({ command, args }) =>
    resultOf(await execa(command, args, { ...PROCESS, cwd: sb.project, input: JSON.stringify(input), env: hookEnv(sb, opts.env) })),
  );
  return together(await Promise.all(runs));
}

/** The hook's JSON answer (stdout), or null when it printed nothing. */
export function answerOf(r: RunResult): Record<string, any> | null {
  return r.stdout.trim() ? (JSON.parse(r.stdout) as Record<string, any>) : null;
}

/** Reads the ledger directly — no transcript reading on the way — to see what the hooks wrote. */
export function inLedger<T>(sb: Sandbox, fn: (l: Ledger, s: Sprint) => T): T {
  const l = openLedger(sb.ledger);
  try {
    const s = latestActiveSprint(l);
    if (!s) throw new Error('no active sprint');
    return fn(l, s);
  } finally {
    l.close();
  }
}

export interface SpendView {
  billing: number;
  /** Billing tokens per agent type and source, e.g. {"main/transcript": 2080}. */
  by: Record<string, number>;
  events: string[];
}

export function spendOf(sb: Sandbox): SpendView {
  return inLedger(sb, (l, s) => {
    const spend = recordedSpend(l, s);
    const by: Record<string, number> = {};
    for (const r of spend.rows) by[`${r.agentType}/${r.source}`] = (by[`${r.agentType}/${r.source}`] ?? 0) + r.input + r.output;
    return { billing: spend.billing, by, events: listEvents(l, s.id).map((e) => e.kind) };
  });
}

export function spoolLines(sb: Sandbox): Record<string, unknown>[] {
  const p = join(sb.project, '.sprint-budget/spool.jsonl');
  if (!existsSync(p)) return [];
  return readFileSync(p, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

export function ledgerDirEntries(sb: Sandbox): string[] {
  const dir = join(sb.project, '.sprint-budget');
  return existsSync(dir) ? readdirSync(dir) : [];
}

/** Nothing waits in the spool, and no drainer is at work on it. */
export function spoolEmpty(sb: Pick<Sandbox, 'project'>): boolean {
  const dir = join(sb.project, '.sprint-budget');
  return !existsSync(dir) || readdirSync(dir).every((f) => !f.startsWith('spool.') || f === 'spool.rejected.jsonl');
}
