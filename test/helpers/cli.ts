/** Runs the built bundle as a user would: a real process, a real ledger file in a temp dir. */
import { mkdtempSync, mkdirSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Result, execa, execaSync } from 'execa';
import { cleanEnv } from '../../scripts/offline-claude.mjs';

export { cleanEnv };

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


/** How every process of the suite is run: exactly the environment given, stdout and stderr whole, never a throw on a non-zero exit. */
export const PROCESS = { extendEnv: false, stripFinalNewline: false, reject: false } as const;

/** A finished process as the tests look at it (a signal shows as code -1). */
export function resultOf(r: Pick<Result, 'exitCode' | 'stdout' | 'stderr'>): RunResult {
  return { code: r.exitCode ?? -1, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
}

/** Any program, run to its end in a clean environment (cleanEnv, plus `env`). */
export function runProcess(file: string, args: string[], opts: Partial<RunOptions> & { timeout?: number } = {}): RunResult {
  return resultOf(execaSync(file, args, { ...PROCESS, cwd: opts.cwd, env: cleanEnv(opts.env), input: opts.input ?? '', timeout: opts.timeout }));
}

export function runCli(args: string[], opts: RunOptions): RunResult {
  return runProcess(process.execPath, [CLI, ...args], opts);
}

/** Starts the CLI without waiting, for races. */
export async function startCli(args: string[], opts: RunOptions): Promise<RunResult> {
  return resultOf(await execa(process.execPath, [CLI, ...args], { ...PROCESS, cwd: opts.cwd, env: cleanEnv(opts.env), input: opts.input ?? '' }));
}

/** A temporary project directory (a git root, so the ledger lands there). */
export function tempProject(prefix = 'sb-test-'): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  mkdirSync(join(dir, '.git'));
  return dir;
}
