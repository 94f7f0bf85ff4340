/**
 * A command that finds no SQLite driver for this Node builds it, or waits for the build already
 * under way (started by a hook, another command, `doctor --fix`), then runs: the first command after
 * a marketplace install, or after a change of Node, works. The build runs in a detached worker under
 * the same lock as the hooks' (src/install/repair.ts); this process only waits for it.
 */
import { BindingMissingError, requireBinding } from '../install/binding';
import { type RepairState, recentFailure, repairPlan, requestRepair, runRepair, waitForRepair } from '../install/repair';
import { spawnDetached } from '../platform/detached';
import { errorMessage } from '../platform/errors';
import { printErr } from './output';
import { elapsedLine } from './progress';

/** The CLI bundle started as the build's detached worker (not a command: argv[0] of `cli.cjs`). */
export const REPAIR_WORKER = '--repair-binding';

/** The worker's job; exit 0 when the binding is in place. */
export function runRepairWorker(): number {
  const plan = repairPlan();
  return plan && runRepair(plan) ? 0 : 1;
}

const HOW_LONG = 'seconds with a prebuilt download, 2-5 minutes when it compiles';

/** The one line said when this command waits for a build. */
function waitLine(state: Extract<RepairState, { state: 'started' | 'running' }>, err: BindingMissingError): string {
  const { plan } = state;
  if (state.state === 'started') return `sprint-budget: ${err.message}; building it now, once (${HOW_LONG}; log: ${plan.log})`;
  const since = Math.max(0, Math.round((Date.now() - state.sinceMs) / 1000));
  return `sprint-budget: waiting for the SQLite driver build for Node ${plan.target.node} (ABI ${plan.target.abi}) already under way, started ${since} s ago (${HOW_LONG}; log: ${plan.log})`;
}

/**
 * Gets a binding in place for `err`'s Node, saying so in one line on stderr. True when this process
 * can now load it; false when it cannot (what went wrong and how to retry are said).
 */
export function repairForCommand(err: BindingMissingError, opts: { force?: boolean } = {}): boolean {
  let state: RepairState;
  try {
    state = requestRepair(() => spawnDetached([REPAIR_WORKER]), { force: opts.force === true });
  } catch (startErr) {
    printErr(`sprint-budget: ${err.message}; cannot start building one: ${errorMessage(startErr)}`);
    return false;
  }
  if (state.state === 'unavailable') {
    printErr(`sprint-budget: ${err.message}; better-sqlite3 is missing from the plugin directory to build one (reinstall the plugin)`);
    return false;
  }
  if (state.state === 'failed') {
    printErr(`sprint-budget: ${err.message}; ${state.reason}; retry with: sprint-budget doctor --fix`);
    return false;
  }
  printErr(waitLine(state, err));
  const ticker = elapsedLine('  building the SQLite driver:');
  waitForRepair(state.plan, ticker);
  ticker?.end();
  try {
    requireBinding();
    return true;
  } catch (again) {
    if (!(again instanceof BindingMissingError)) throw again;
    const failure = recentFailure(state.plan);
    printErr(`sprint-budget: ${again.message}${failure ? `; ${failure}` : ''}; retry with: sprint-budget doctor --fix`);
    return false;
  }
}
