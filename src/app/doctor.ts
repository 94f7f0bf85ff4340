/**
 * `sprint-budget doctor`: what the plugin needs to work, checked one by one, each with its fix. A
 * check is `ok`, `warn` (worth knowing, nothing to fix) or `fail` (something to fix); `--fix` builds
 * a missing SQLite driver and puts the newest backup in the place of a damaged ledger, then checks again.
 */
import { accessSync, constants, existsSync, readdirSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PLUGIN_BIN_SINCE, VERIFIED_CLAUDE_CODE, compareVersions, nodeSupported, parseVersion } from '../domain/versions';
import { BindingMissingError, requireBinding } from '../install/binding';
import { PLUGIN_NAME, hookCommands, ownPluginRoot, pluginStatus, pluginsDir } from '../install/claude-plugins';
import { recentFailure, repairPlan, repairRunningSince } from '../install/repair';
import { damagedMarker, damagedReason, newestBackup, restoreDamagedLedger } from '../ledger/db';
import { LedgerSymlinkError, locateLedger } from '../ledger/locate';
import { probeLedger } from '../ledger/probe';
import { SCHEMA_VERSION } from '../ledger/schema';
import { childProcess } from '../platform/builtin';
import { claudeSessionId } from '../platform/env';
import { firstLine } from '../platform/errors';
import { which } from '../platform/which';
import { claudeConfigDir, encodeProjectDir, findSessionTranscript } from '../transcripts/paths';
import type { Caller } from './project';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export type CheckName = 'node' | 'binding' | 'node-flags' | 'hooks' | 'transcripts' | 'ledger' | 'claude-code';

export interface Check {
  name: CheckName;
  status: CheckStatus;
  detail: string;
  /** What to do about it; null when there is nothing to do. */
  fix: string | null;
}

export interface DoctorReport {
  /** No check failed. */
  ok: boolean;
  checks: Check[];
}

export interface DoctorOptions {
  /** `--fix`: builds the missing SQLite driver (waiting for it); true when it is in place. */
  repairBinding?: (err: BindingMissingError) => boolean;
  /** `--fix`: puts the newest backup in the place of a ledger found damaged (the damaged one is kept aside). */
  restoreLedger?: boolean;
  /** The plugin folder to check (default: the one this code runs from). */
  pluginRoot?: string | null;
}

const ok = (name: CheckName, detail: string): Check => ({ name, status: 'ok', detail, fix: null });
const warn = (name: CheckName, detail: string, fix: string | null = null): Check => ({ name, status: 'warn', detail, fix });
const fail = (name: CheckName, detail: string, fix: string): Check => ({ name, status: 'fail', detail, fix });

const BUILD_FIX = 'sprint-budget doctor --fix (builds it: seconds with a prebuilt download, 2-5 minutes when it compiles)';
const NODE_FIX = 'install Node 22 or 24 (LTS) and put it first on PATH';

function samePath(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return a === b;
  }
}

function nodeCheck(env: NodeJS.ProcessEnv): Check {
  const detail = `Node ${process.version} (ABI ${process.versions.modules}) at ${process.execPath}`;
  if (!nodeSupported(process.version)) return fail('node', `${detail}: too old for sprint-budget (it needs 20.16 or later on 20, 22.3 or later on 22, or 23+)`, NODE_FIX);
  const onPath = which('node', env);
  if (onPath && !samePath(onPath, process.execPath)) {
    return warn('node', `${detail}; Claude Code runs the hooks with \`node\` from PATH, ${onPath}`, 'check that one: run doctor through `sprint-budget` (it uses the same `node`)');
  }
  return ok('node', detail);
}

function bindingCheck(env: NodeJS.ProcessEnv): Check {
  try {
    const file = requireBinding(env);
    return ok('binding', `better-sqlite3 loads for Node ABI ${process.versions.modules} (${process.platform}-${process.arch}): ${file}`);
  } catch (err) {
    if (!(err instanceof BindingMissingError)) throw err;
    const plan = repairPlan(env);
    if (!plan) return fail('binding', `${err.message}; and better-sqlite3 is not in the plugin to build one from`, `reinstall the plugin: claude plugin install ${PLUGIN_NAME}@<marketplace>`);
    const since = repairRunningSince(plan);
    if (since !== null) {
      return warn('binding', `${err.message}; being built for ${Math.round((Date.now() - since) / 1000)} s (log: ${plan.log})`, 'wait for it, or run sprint-budget doctor --fix (waits for it)');
    }
    const failure = recentFailure(plan);
    return fail('binding', failure ? `${err.message}; ${failure}` : err.message, BUILD_FIX);
  }
}

/** `node <hooks.json's flags> -e 0`, as Claude Code starts every hook: a Node that rejects a flag runs none of them. */
function nodeFlagsCheck(hooksJson: string | null, env: NodeJS.ProcessEnv): Check {
  if (!hooksJson) return warn('node-flags', 'no hooks.json found to read the hooks\' Node flags from');
  let commands: ReturnType<typeof hookCommands>;
  try {
    commands = hookCommands(hooksJson);
  } catch (err) {
    return fail('node-flags', `${hooksJson} cannot be read: ${firstLine(err)}`, `reinstall the plugin: claude plugin install ${PLUGIN_NAME}@<marketplace>`);
  }
  const tried = new Set<string>();
  const ran: string[] = [];
  for (const { node, flags } of commands) {
    const line = [node, ...flags, '-e', '0'].join(' ');
    if (tried.has(line)) continue;
    tried.add(line);
    const r = childProcess().spawnSync(node, [...flags, '-e', '0'], { env, encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0) {
      const why = r.error ? firstLine(r.error) : (r.stderr.trim().split('\n')[0] ?? '') || `exit ${r.status ?? r.signal}`;
      return fail('node-flags', `\`${line}\` fails (${why}): Claude Code starts every hook this way, so none of them runs`, NODE_FIX);
    }
    ran.push(`\`${line}\``);
  }
  const node = which('node', env);
  return ok('node-flags', `${ran.join(', ') || 'no command hooks'} runs${node ? ` (${node})` : ''}`);
}

function hooksCheck(configDir: string, projectDir: string, ownHooks: string | null, env: NodeJS.ProcessEnv): { check: Check; hooksJson: string | null } {
  const st = pluginStatus({ configDir, projectDir, env });
  const installFix = `claude plugin marketplace add <marketplace>; claude plugin install ${PLUGIN_NAME}@<marketplace>`;
  const unreadable = st.unreadable.length ? ` (not JSON, ignored: ${st.unreadable.join(', ')})` : '';
  if (st.installs.length === 0) {
    return { check: fail('hooks', `${PLUGIN_NAME} is not installed in Claude Code (${join(pluginsDir(configDir, env), 'installed_plugins.json')})${unreadable}`, installFix), hooksJson: ownHooks };
  }
  if (!st.enabled) {
    const ids = [...new Set(st.installs.map((i) => i.id))];
    return { check: fail('hooks', `${ids.join(', ')} is installed but not enabled${unreadable}`, `claude plugin enable ${ids[0]}`), hooksJson: ownHooks };
  }
  const { install, by } = st.enabled;
  const hooksJson = join(install.readFrom, 'hooks', 'hooks.json');
  if (st.hooksOffBy) return { check: fail('hooks', `every hook is turned off by ${st.hooksOffBy} (disableAllHooks or allowManagedHooksOnly)`, `remove that setting from ${st.hooksOffBy}`), hooksJson };
  let events: Set<string>;
  try {
    events = new Set(hookCommands(hooksJson).map((h) => h.event));
  } catch (err) {
    return { check: fail('hooks', `${hooksJson} cannot be read: ${firstLine(err)}`, `claude plugin install ${install.id}`), hooksJson: ownHooks };
  }
  const wanted = ownHooks && existsSync(ownHooks) ? [...new Set(hookCommands(ownHooks).map((h) => h.event))] : [...events];
  const missing = wanted.filter((e) => !events.has(e));
  if (missing.length) return { check: fail('hooks', `${hooksJson} lacks ${missing.join(', ')}`, `claude plugin update ${install.id}`), hooksJson };
  return {
    check: ok('hooks', `${install.id} ${install.version ?? ''} (${install.scope}) enabled in ${by}; ${events.size} hooks (${[...events].join(', ')}) from ${hooksJson}${unreadable}`),
    hooksJson,
  };
}

function transcriptsCheck(configDir: string, projectDir: string, env: NodeJS.ProcessEnv): Check {
  const projects = join(configDir, 'projects');
  const configFix = "set CLAUDE_CONFIG_DIR to Claude Code's config directory if it is not ~/.claude";
  const session = claudeSessionId(env);
  if (session) {
    const found = findSessionTranscript(configDir, session, projectDir);
    return found ? ok('transcripts', `this session's transcript: ${found}`) : fail('transcripts', `this session's transcript (${session}) is not under ${projects}`, configFix);
  }
  if (!existsSync(projects)) return fail('transcripts', `no ${projects}: Claude Code has not run with this config directory`, configFix);
  const dir = join(projects, encodeProjectDir(projectDir));
  if (!existsSync(dir)) return warn('transcripts', `none yet for ${projectDir}; Claude Code will write them to ${dir}`);
  const sessions = readdirSync(dir).filter((f) => f.endsWith('.jsonl')).length;
  return ok('transcripts', `${dir} (${sessions} session${sessions === 1 ? '' : 's'})`);
}

/** The nearest directory at or above `dir` that exists. */
function existingAncestor(dir: string): string {
  let d = dir;
  while (!existsSync(d) && dirname(d) !== d) d = dirname(d);
  return d;
}

function ledgerCheck(caller: Caller): Check {
  let loc: ReturnType<typeof locateLedger>;
  try {
    loc = locateLedger(caller.cwd, caller.db, caller.env);
  } catch (err) {
    if (err instanceof LedgerSymlinkError) return fail('ledger', firstLine(err), `name it with --db or SPRINT_BUDGET_DB, or put the ledger itself at ${err.ledger}`);
    throw err;
  }
  if (!existsSync(loc.path)) {
    if (loc.origin !== 'new') return fail('ledger', `no ledger at ${loc.path} (named by ${loc.origin === 'flag' ? '--db' : 'SPRINT_BUDGET_DB'})`, 'name an existing ledger, or create a sprint there');
    const parent = existingAncestor(dirname(loc.path));
    try {
      accessSync(parent, constants.W_OK);
    } catch (err) {
      return fail('ledger', `none yet, and ${parent} is not writable to make ${loc.path} (${firstLine(err)})`, `make ${parent} writable, or set SPRINT_BUDGET_DB`);
    }
    return ok('ledger', `none yet; sprint-budget create makes ${loc.path}`);
  }
  // Found damaged (by a command or a hook): refused by every one of them, whatever a probe finds now.
  const damage = damagedReason(loc.path);
  if (damage !== null) {
    const backup = newestBackup(loc.path);
    const fix = backup
      ? `sprint-budget doctor --fix (puts ${backup} in its place and keeps the damaged one beside it; what the transcripts hold since is read again, figures recorded by hand since are in the damaged copy)`
      : `move it aside, restore a copy of it, then delete ${damagedMarker(loc.path)}`;
    return fail('ledger', `${loc.path} is damaged (${damage}); nothing is written to it`, fix);
  }
  const probe = probeLedger(loc.path);
  switch (probe.state) {
    case 'writable':
      return ok('ledger', `${loc.path} is writable (schema ${probe.schema}${probe.schema < SCHEMA_VERSION ? `, migrated to ${SCHEMA_VERSION} on next use` : ''})`);
    case 'busy':
      return warn('ledger', `${loc.path} is busy: another process holds its write lock`, 'try again in a moment');
    case 'newer':
      return fail('ledger', `${loc.path} has schema ${probe.schema}, newer than this sprint-budget's (${SCHEMA_VERSION})`, `update the plugin: claude plugin update ${PLUGIN_NAME}@<marketplace>`);
    case 'no-driver':
      return warn('ledger', `${loc.path}: its files are writable; not opened (no SQLite driver, see binding)`);
    case 'unusable':
      return fail('ledger', `${loc.path}: ${probe.reason}`, `check ${loc.path} (each migration left a .bak copy beside it)`);
  }
}

function claudeCodeCheck(env: NodeJS.ProcessEnv): Check {
  const verified = `hook payloads verified against ${VERIFIED_CLAUDE_CODE}`;
  // Inside Claude Code, the binary running this session; else the one on PATH.
  const exe = env.CLAUDE_CODE_EXECPATH?.trim() || which('claude', env);
  if (!exe) return warn('claude-code', `claude is not on PATH; ${verified}`);
  const r = childProcess().spawnSync(exe, ['--version'], { env, encoding: 'utf8', timeout: 30_000 });
  const v = r.status === 0 ? parseVersion(r.stdout) : null;
  if (!v) return warn('claude-code', `\`${exe} --version\` gave no version (${r.error ? firstLine(r.error) : `exit ${r.status ?? r.signal}`}); ${verified}`);
  const version = v.join('.');
  const since = parseVersion(PLUGIN_BIN_SINCE) as NonNullable<ReturnType<typeof parseVersion>>;
  if (compareVersions(v, since) < 0) {
    return fail('claude-code', `Claude Code ${version} (${exe}) puts no plugin bin/ on the Bash tool's PATH (${PLUGIN_BIN_SINCE} does): \`sprint-budget\` is not found in sessions`, 'update Claude Code: claude update');
  }
  if (version === VERIFIED_CLAUDE_CODE) return ok('claude-code', `Claude Code ${version} (${exe}), the version its hook payloads were verified against`);
  return warn('claude-code', `Claude Code ${version} (${exe}); ${verified}`);
}

function allChecks(caller: Caller, pluginRoot: string | null): Check[] {
  const { env } = caller;
  const configDir = claudeConfigDir(env);
  const projectDir = caller.cwd;
  const ownHooks = pluginRoot ? join(pluginRoot, 'hooks', 'hooks.json') : null;
  const hooks = hooksCheck(configDir, projectDir, ownHooks, env);
  return [
    nodeCheck(env),
    bindingCheck(env),
    nodeFlagsCheck(hooks.hooksJson && existsSync(hooks.hooksJson) ? hooks.hooksJson : ownHooks, env),
    hooks.check,
    transcriptsCheck(configDir, projectDir, env),
    ledgerCheck(caller),
    claudeCodeCheck(env),
  ];
}

export function runDoctor(caller: Caller, opts: DoctorOptions = {}): DoctorReport {
  const pluginRoot = opts.pluginRoot === undefined ? ownPluginRoot() : opts.pluginRoot;
  let checks = allChecks(caller, pluginRoot);
  const binding = checks.find((c) => c.name === 'binding');
  if (opts.repairBinding && binding?.status !== 'ok') {
    try {
      requireBinding(caller.env);
    } catch (err) {
      if (!(err instanceof BindingMissingError)) throw err;
      opts.repairBinding(err);
      checks = allChecks(caller, pluginRoot);
    }
  }
  if (opts.restoreLedger && checks.find((c) => c.name === 'ledger')?.status === 'fail') {
    const path = ledgerPathOf(caller);
    if (path && restoreDamagedLedger(path)) checks = allChecks(caller, pluginRoot);
  }
  return { ok: checks.every((c) => c.status !== 'fail'), checks };
}

/** The ledger the caller means, or null when it cannot be located (a refused symlink). */
function ledgerPathOf(caller: Caller): string | null {
  try {
    return locateLedger(caller.cwd, caller.db, caller.env).path;
  } catch {
    return null;
  }
}
