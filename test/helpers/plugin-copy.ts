/**
 * A copy of the plugin in a temporary directory, as `claude plugin install` leaves it (better-sqlite3
 * without its compiled binding) or as a clone run in place has it (no node_modules at all), with a
 * cache directory of its own for bindings (XDG_CACHE_HOME). npm on PATH is a stand-in script that
 * logs its arguments and does what the real one would leave behind: the real build compiles for
 * minutes here (no prebuilt download is reachable), and it runs, unmocked, in the e2e marketplace
 * test (test/e2e/install.test.ts). Everything else is the real bundle, its real detached worker,
 * its real lock, and real Node loading the binding.
 */
import { chmodSync, cpSync, mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { requireBinding } from '../../src/install/binding';
import { PLUGIN, PROCESS, REPO, type RunResult, cleanEnv, resultOf, runProcess } from './cli';

/** What the stand-in npm does in its working directory (the build's staging directory). */
export type NpmAction = 'rebuild' | 'install' | 'fail';

export interface PluginCopy {
  root: string;
  /** XDG_CACHE_HOME for the copy's processes: where its bindings go. */
  cache: string;
  /** PATH with the stand-in npm first, and XDG_CACHE_HOME. */
  env: NodeJS.ProcessEnv;
  /** One line per npm call: `<cwd> <args>`. */
  npmLog: string;
}

const DEPS = ['better-sqlite3', 'bindings', 'file-uri-to-path'];
/** deps/ holds SQLite's sources (only a real compile needs them); build/ holds a binding. */
const noBuild = (src: string) => !src.includes(join('better-sqlite3', 'deps')) && !src.includes(join('better-sqlite3', 'build'));

/** The binding this test's Node loads (the checkout's, or the one built for this Node's ABI). */
export function workingBinding(): string {
  return requireBinding();
}

function npmScript(action: NpmAction, npmLog: string): string {
  const log = `fs.appendFileSync(${JSON.stringify(npmLog)}, process.cwd() + ' ' + process.argv.slice(2).join(' ') + '\\n');`;
  const binding = `fs.mkdirSync('node_modules/better-sqlite3/build/Release', { recursive: true }); fs.copyFileSync(${JSON.stringify(workingBinding())}, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node');`;
  const install = `for (const d of ${JSON.stringify(DEPS)}) fs.cpSync(${JSON.stringify(join(REPO, 'node_modules'))} + '/' + d, 'node_modules/' + d, { recursive: true, filter: (s) => !s.includes('better-sqlite3/build') && !s.includes('better-sqlite3/deps') });`;
  const body = action === 'fail' ? `console.error('gyp ERR! stack Error: not found: make'); process.exit(1);` : action === 'install' ? `${install}\n${binding}` : binding;
  return `const fs = require('node:fs');\n${log}\n${body}\n`;
}

export function pluginCopy(opts: { modules: boolean; npm: NpmAction }): PluginCopy {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'sb-plugin-')));
  for (const part of ['dist', 'hooks', 'bin', '.claude-plugin', 'package.json', 'package-lock.json']) cpSync(join(PLUGIN, part), join(root, part), { recursive: true });
  if (opts.modules) for (const dep of DEPS) cpSync(join(REPO, 'node_modules', dep), join(root, 'node_modules', dep), { recursive: true, filter: noBuild });
  const fakeBin = join(root, 'fake-bin');
  const npmLog = join(root, 'npm-calls.log');
  mkdirSync(fakeBin);
  // A .cjs file run by a shell wrapper: whatever package.json is nearest, it is CommonJS.
  writeFileSync(join(fakeBin, 'npm.cjs'), npmScript(opts.npm, npmLog));
  writeFileSync(join(fakeBin, 'npm'), `#!/bin/sh\nexec node ${join(fakeBin, 'npm.cjs')} "$@"\n`);
  chmodSync(join(fakeBin, 'npm'), 0o755);
  const cache = join(root, 'cache');
  return { root, cache, env: { PATH: `${fakeBin}:${process.env.PATH}`, XDG_CACHE_HOME: cache }, npmLog };
}

/** The copy's CLI, run as a process with this test's Node. */
export function runCopyCli(copy: PluginCopy, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): RunResult {
  return runProcess(process.execPath, [join(copy.root, 'dist/cli.cjs'), ...args], { cwd, env: { ...copy.env, ...env } });
}

/** The same, without waiting (it may wait for a build); what it said on stderr so far is at hand. */
export function startCopyCli(copy: PluginCopy, args: string[], cwd: string): Promise<RunResult> & { stderrSoFar(): string } {
  const sub = execa(process.execPath, [join(copy.root, 'dist/cli.cjs'), ...args], { ...PROCESS, cwd, env: cleanEnv(copy.env), stdin: 'ignore' });
  let stderr = '';
  sub.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return Object.assign(sub.then(resultOf), { stderrSoFar: () => stderr });
}

export async function waitFor(what: string, done: () => boolean, limitMs = 30_000): Promise<void> {
  for (const until = Date.now() + limitMs; !done(); ) {
    if (Date.now() > until) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
