/**
 * Running the real `claude` binary (the pinned dev dependency) offline against the fake API:
 * a temporary HOME, the plugin loaded from this checkout with --plugin-dir, a temporary project.
 */
import { mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { recordedSpend } from '../../src/app/spend';
import { openLedger } from '../../src/ledger/db';
import { getSprint, listEvents } from '../../src/ledger/sprints';
import { CLAUDE, offlineClaudeEnv } from '../../scripts/offline-claude.mjs';
import { PLUGIN, PROCESS, resultOf, runCli, tempProject } from './cli';

export { CLAUDE };
import type { Served } from '../../scripts/fake-api.mjs';


export interface ClaudeRun {
  code: number;
  stdout: string;
  stderr: string;
  /** The `--output-format json` result, when stdout held one. */
  result: ClaudeResult | null;
}

export interface ClaudeResult {
  session_id: string;
  is_error: boolean;
  result?: string;
  permission_denials?: { tool_name: string; tool_use_id: string; tool_input: unknown }[];
  [k: string]: unknown;
}

export interface ClaudeOptions {
  cwd: string;
  home: string;
  apiUrl: string;
  /** Load the plugin from this directory (default: this checkout); null: rely on what is installed. */
  pluginDir?: string | null;
  env?: NodeJS.ProcessEnv;
  allowedTools?: string;
}

export function tempHome(): string {
  return realpathSync(mkdtempSync(join(tmpdir(), 'sb-home-')));
}

/** The environment every run gets: offline, no telemetry, the fake API, a private HOME. */
export const claudeEnv = offlineClaudeEnv;

/** Runs the real CLI asynchronously (the fake API lives in this process and must keep serving). */
export async function runClaudeRaw(args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Promise<Omit<ClaudeRun, 'result'>> {
  return resultOf(await execa(CLAUDE, args, { ...PROCESS, cwd: opts.cwd, env: opts.env, stdin: 'ignore' }));
}

export async function runClaude(prompt: string, opts: ClaudeOptions): Promise<ClaudeRun> {
  const args = ['-p', prompt, '--output-format', 'json', '--allowedTools', opts.allowedTools ?? 'Bash Agent'];
  const pluginDir = opts.pluginDir === undefined ? PLUGIN : opts.pluginDir;
  if (pluginDir !== null) args.push('--plugin-dir', pluginDir);
  const run = await runClaudeRaw(args, { cwd: opts.cwd, env: claudeEnv(opts.home, opts.apiUrl, opts.env) });
  let result: ClaudeResult | null = null;
  try {
    result = JSON.parse(run.stdout) as ClaudeResult;
  } catch {
    result = null;
  }
  return { ...run, result };
}

export interface Project {
  dir: string;
  home: string;
  sprintId: string;
}

/** A project with a sprint made by the real CLI, and a private HOME for Claude Code. */
export function projectWithSprint(createArgs: string[]): Project {
  const dir = tempProject('sb-e2e-');
  const r = runCli(['create', ...createArgs], { cwd: dir });
  if (r.code !== 0) throw new Error(`sprint-budget create failed: ${r.stderr}`);
  return { dir, home: tempHome(), sprintId: r.stdout.trim() };
}

/** Billing tokens the server reported, per script (agent). */
export function servedBilling(served: readonly Served[], script?: string): number {
  return served.filter((s) => script === undefined || s.script === script).reduce((n, s) => n + s.usage.input_tokens + s.usage.output_tokens, 0);
}

export interface Measured {
  billing: number;
  cacheRead: number;
  cacheWrite: number;
  byPhase: Record<string, number>;
  byAgentType: Record<string, number>;
  bySource: Record<string, number>;
}

/**
 * What the ledger holds for the sprint, read directly (no transcript reading on the way): what the
 * hooks recorded during the session, counted by the ledger's own rules.
 */
export function measured(p: Project): Measured {
  const l = openLedger(join(p.dir, '.sprint-budget/ledger.db'));
  try {
    const s = getSprint(l, p.sprintId);
    if (!s) throw new Error(`no sprint ${p.sprintId}`);
    const m: Measured = { billing: 0, cacheRead: 0, cacheWrite: 0, byPhase: {}, byAgentType: {}, bySource: {} };
    for (const r of recordedSpend(l, s).rows) {
      const b = r.input + r.output;
      m.billing += b;
      m.cacheRead += r.cacheRead;
      m.cacheWrite += r.cacheWrite;
      m.byPhase[r.phase] = (m.byPhase[r.phase] ?? 0) + b;
      m.byAgentType[r.agentType] = (m.byAgentType[r.agentType] ?? 0) + b;
      m.bySource[r.source] = (m.bySource[r.source] ?? 0) + b;
    }
    return m;
  } finally {
    l.close();
  }
}

/** Raw usage rows of the ledger (every key, counted or not). */
export function usageRows(p: Project): { key: string; kind: string; source: string; agent_id: string | null; agent_type: string; input_tokens: number; output_tokens: number }[] {
  const l = openLedger(join(p.dir, '.sprint-budget/ledger.db'));
  try {
    return l.db.prepare('SELECT key, kind, source, agent_id, agent_type, input_tokens, output_tokens FROM usage ORDER BY key').all() as ReturnType<typeof usageRows>;
  } finally {
    l.close();
  }
}

export function sprintEvents(p: Project): string[] {
  const l = openLedger(join(p.dir, '.sprint-budget/ledger.db'));
  try {
    return listEvents(l, p.sprintId).map((e) => e.kind);
  } finally {
    l.close();
  }
}
