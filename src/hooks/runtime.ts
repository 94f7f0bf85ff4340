/**
 * What every hook entry point shares: read the payload from stdin and check it, find the project's
 * ledger (none: do nothing), open it (draining the spool), do the hook's one job, print the answer.
 *
 * Failure rules (a hook must never break the session, nor lose an event):
 * - malformed or unexpected input: one line on stderr, exit 1 (non-blocking; 2 would block);
 * - ledger locked: SQLite's busy handler waits, then one more attempt, then the hook's events go to
 *   the spool, which the next run drains;
 * - better-sqlite3 binding missing (a marketplace install, another Node): events go to the spool, and
 *   the first hook to notice starts the one-time build in the background and tells the user in one
 *   line; SessionStart starts it even in a project without a ledger, so the first command finds it;
 * - anything else: the events are spooled too, and the error is one stderr line (exit 1) unless the
 *   hook has something to answer (the dispatch gate says the budget was not checked).
 */
import { existsSync, readFileSync } from 'node:fs';
import * as z from 'zod/mini';
import { drainSpool } from '../app/project';
import type { SpooledEvent } from '../app/spooled';
import { BindingMissingError, requireBinding } from '../install/binding';
import { type RepairState, repairPlan, requestRepair, runRepair } from '../install/repair';
import { type Ledger, LedgerBusyError, isBusy, ledgerFailure, openLedger } from '../ledger/db';
import { LedgerSymlinkError, locateLedger } from '../ledger/locate';
import { spoolAppend, spoolPath } from '../ledger/spool';
import { spawnDetached } from '../platform/detached';
import { diskFull, errorMessage, firstLine } from '../platform/errors';
import { fileErrorReason } from '../platform/files';
import { sleepSync } from '../platform/sleep';
import { writeOut } from '../platform/stdio';
import { zodIssues } from '../platform/zod-issues';
import { type HookAnswer, noticeAnswer } from './answers';
import type { HookPayload } from './payloads';

/** Hooks wait this long for a writer before retrying once and then spooling (CLI commands wait 10 s). */
export const HOOK_BUSY_TIMEOUT_MS = 2_000;
const RETRY_PAUSE_MS = 100;
const ATTEMPTS = 2;

export interface Unavailable {
  kind: 'busy' | 'binding' | 'error';
  /** The ledger that could not be used (its config.json beside it can still be read). */
  ledger: string;
  /** Why, in one line. */
  message: string;
  /** One line for the user about the binding repair, when there is news for them (started, failed). */
  notice: string | null;
}

export interface Fallback {
  /** What to queue: applied, idempotently, by whoever opens the ledger next. */
  spool: SpooledEvent[];
  answer?: HookAnswer | null;
  /** Apply the queue now in a detached process instead of waiting for the next run. */
  drainNow?: boolean;
}

export interface HookContext {
  env: NodeJS.ProcessEnv;
  /** Queues events and starts a detached process that applies them now (for work that outlasts the hook). */
  handOff(events: SpooledEvent[]): void;
}

export interface Hook<P extends HookPayload> {
  event: string;
  /** Built on first use (see payloads.ts). */
  schema: () => z.ZodMiniType<P>;
  busyTimeoutMs?: number;
  /** When the hook's own work must stop (epoch ms): what waits in the spool past it is handed to a detached process. */
  deadline?: number;
  /** Whether the payload concerns this hook at all, decided before any ledger is looked for (default: yes). */
  relevant?(p: P): boolean;
  run(l: Ledger, p: P, ctx: HookContext): HookAnswer | null;
  /** The ledger cannot be used now: what to queue so nothing is lost, and what to say. */
  unavailable(p: P, why: Unavailable): Fallback;
  /** In a project without a ledger, still start building a missing SQLite driver (SessionStart). */
  prepareBinding?: boolean;
}

/** Thrown for input that is not the payload this hook expects. */
class InputError extends Error {}

function parsePayload<P extends HookPayload>(hook: Hook<P>, text: string): P {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new InputError(text.trim() ? 'stdin is not JSON' : 'stdin is empty (expected the hook payload JSON)');
  }
  const parsed = z.safeParse(hook.schema(), raw);
  if (!parsed.success) throw new InputError(`unexpected payload (${zodIssues(parsed.error, 3)})`);
  return parsed.data;
}

/** The ledger this project's commands use (SPRINT_BUDGET_DB, else walking up); never a new one. */
function existingLedger(cwd: string, env: NodeJS.ProcessEnv): string | null {
  const loc = locateLedger(cwd, undefined, env);
  if (loc.origin === 'new') return null;
  return loc.origin === 'found' || existsSync(loc.path) ? loc.path : null;
}

function isBusyError(err: unknown): boolean {
  return err instanceof LedgerBusyError || isBusy(err);
}

/**
 * Opens the ledger, drains the spool (until the deadline: the rest goes to a detached process), runs
 * fn; one more attempt when the ledger stayed locked. Failures as ledgerFailure reports them.
 */
function withLedger<T>(path: string, busyTimeoutMs: number, deadline: number | undefined, fn: (l: Ledger) => T): T {
  for (let attempt = 1; ; attempt++) {
    let l: Ledger | undefined;
    try {
      l = openLedger(path, { busyTimeoutMs });
      if (drainSpool(l, deadline)?.complete === false) spawnDetached(['--drain', path]);
      return fn(l);
    } catch (err) {
      if (attempt < ATTEMPTS && isBusyError(err)) {
        sleepSync(RETRY_PAUSE_MS);
        continue;
      }
      throw ledgerFailure(path, err);
    } finally {
      l?.close();
    }
  }
}

/** Appends events to the spool; with `drainNow`, a detached worker applies them at once. */
function queue(ledgerPath: string, events: readonly SpooledEvent[], drainNow: boolean): void {
  for (const e of events) spoolAppend(ledgerPath, e);
  if (drainNow) spawnDetached(['--drain', ledgerPath]);
}

/** `queued`: the hook's events wait in the spool meanwhile (there is a ledger). */
function repairNotice(state: RepairState, event: string, queued: boolean): string | null {
  const meanwhile = queued ? ' Usage is queued meanwhile, nothing is lost.' : '';
  switch (state.state) {
    case 'started':
      return `sprint-budget: building its SQLite driver (better-sqlite3) for Node ${state.plan.target.node} once, in the background: seconds with a prebuilt download, a few minutes when it compiles.${meanwhile}`;
    case 'failed':
      // Said at session start only: every hook repeating it would drown the session.
      return event === 'SessionStart' ? `sprint-budget: ${state.reason}; retry with: sprint-budget doctor --fix.${meanwhile}` : null;
    case 'unavailable':
      return event === 'SessionStart' ? `sprint-budget: better-sqlite3 is missing from the plugin directory (reinstall the plugin).${meanwhile}` : null;
    case 'running':
      return null;
  }
}

/** Starts building the missing binding (a detached worker that then applies the ledger's spool, if any). */
function repairBinding(ledgerPath: string | null, event: string): string | null {
  try {
    const state = requestRepair(() => spawnDetached(ledgerPath ? ['--repair-binding', ledgerPath] : ['--repair-binding']));
    return repairNotice(state, event, ledgerPath !== null);
  } catch (repairErr) {
    return `sprint-budget: cannot start building its SQLite driver (${errorMessage(repairErr)}).${ledgerPath ? ' Usage is queued.' : ''}`;
  }
}

function unavailableBecause(err: unknown, ledgerPath: string, event: string): Unavailable {
  const message = firstLine(err);
  if (err instanceof BindingMissingError) return { kind: 'binding', ledger: ledgerPath, message, notice: repairBinding(ledgerPath, event) };
  return { kind: isBusyError(err) ? 'busy' : 'error', ledger: ledgerPath, message, notice: null };
}

/** No ledger here: a missing binding is built now all the same, so the first command finds it. */
function prepareBinding(event: string): void {
  try {
    requireBinding();
  } catch (err) {
    if (err instanceof BindingMissingError) print(noticeAnswer(repairBinding(null, event)));
  }
}

// A hook's output is one short line, written straight to the descriptor (lib/stdio): out before the process exits.
function print(answer: HookAnswer | null | undefined): void {
  if (answer) writeOut(1, `${JSON.stringify(answer)}\n`);
}

function complain(event: string, what: string): void {
  writeOut(2, `sprint-budget ${event} hook: ${what}\n`);
  process.exitCode = 1;
}

/** The detached workers this bundle can be started as (argv: `--drain <ledger>`, `--repair-binding [ledger]`). */
function runWorker(mode: string, ledgerPath: string | undefined): void {
  if (mode === '--repair-binding') {
    const plan = repairPlan();
    if (!plan || !runRepair(plan)) return;
  }
  if (!ledgerPath) return;
  // Default busy timeout: nobody waits on a worker, and the spool must get applied.
  const l = openLedger(ledgerPath);
  try {
    drainSpool(l);
  } finally {
    l.close();
  }
}

export function runHook<P extends HookPayload>(hook: Hook<P>): void {
  handle(hook);
  // Nothing is left to do and the output is written: Node's own teardown is not waited for.
  const code = process.exitCode;
  process.exit(typeof code === 'number' ? code : 0);
}

function handle<P extends HookPayload>(hook: Hook<P>): void {
  const [mode, arg] = process.argv.slice(2);
  if (mode?.startsWith('--')) {
    runWorker(mode, arg);
    return;
  }
  const env = process.env;
  let p: P;
  try {
    p = parsePayload(hook, readFileSync(0, 'utf8'));
  } catch (err) {
    complain(hook.event, `ignored: ${errorMessage(err)}`);
    return;
  }
  if (hook.relevant && !hook.relevant(p)) return;
  let ledgerPath: string | null;
  try {
    ledgerPath = existingLedger(p.cwd, env);
  } catch (err) {
    if (err instanceof LedgerSymlinkError) {
      // A ledger is there but refused: the hook answers as for one it cannot use (the gate by its policy); nothing is queued beside it.
      const { answer } = hook.unavailable(p, { kind: 'error', ledger: err.ledger, message: firstLine(err), notice: null });
      if (answer) print(answer);
      else complain(hook.event, `ignored: ${firstLine(err)}`);
      return;
    }
    // A cwd that is no directory (under a regular file, a NUL byte in it): said, never thrown.
    complain(hook.event, `ignored: cwd ${JSON.stringify(p.cwd)} cannot be used (${p.cwd.includes('\0') ? 'it holds a NUL byte' : fileErrorReason(err)})`);
    return;
  }
  if (!ledgerPath) {
    if (hook.prepareBinding) prepareBinding(hook.event);
    return;
  }

  // The ledger found: its path, fixed for the closures below.
  const ledger = ledgerPath;
  const ctx: HookContext = { env, handOff: (events) => queue(ledger, events, true) };
  try {
    print(withLedger(ledger, hook.busyTimeoutMs ?? HOOK_BUSY_TIMEOUT_MS, hook.deadline, (l) => hook.run(l, p, ctx)));
  } catch (err) {
    const why = unavailableBecause(err, ledger, hook.event);
    const fallback = hook.unavailable(p, why);
    try {
      queue(ledger, fallback.spool, fallback.drainNow === true);
    } catch (spoolErr) {
      complain(hook.event, `${why.message}; and the spool could not be written: ${errorMessage(diskFull(spoolErr, spoolPath(ledger)) ?? spoolErr)}`);
      return;
    }
    print(fallback.answer);
    if (why.kind === 'error' && !fallback.answer) complain(hook.event, `${why.message} (events queued in the spool)`);
  }
}
