/** Runs the built bundle as a user would: a real process, a real ledger file in a temp dir. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The repository; the plugin Claude Code installs is its plugin/ folder. */
export const REPO = resolve(import.meta.dirname, '../..');
export const PLUGIN = join(REPO, 'plugin');
export const CLI = join(PLUGIN, 'dist/cli.cjs');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
}

/** A clean environment: no inherited Claude Code session, no ledger override. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) {
    if (k.startsWith('CLAUDE') || k.startsWith('SPRINT_BUDGET') || k === 'FLUX_BUDGET_REMAINING') delete env[k];
  }
  return { ...env, ...extra };
}

export function runCli(args: string[], opts: RunOptions): RunResult {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: opts.cwd,
    env: cleanEnv(opts.env),
    input: opts.input,
    encoding: 'utf8',
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Starts the CLI without waiting, for races. */
export function startCli(args: string[], opts: RunOptions): Promise<RunResult> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: opts.cwd, env: cleanEnv(opts.env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}

/** A temporary project directory (a git root, so the ledger lands there). */
export function tempProject(prefix = 'sb-test-'): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  mkdirSync(join(dir, '.git'));
  return dir;
}
