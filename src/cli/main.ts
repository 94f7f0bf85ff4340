/** The `sprint-budget` command line: dispatch to one command, one exit-code convention. */
import { BindingMissingError } from '../install/binding';
import { plainText } from '../domain/text';
import { BUSY_TIMEOUT_MS, LedgerBusyError, isBusy } from '../ledger/db';
import { SprintBudgetError, diskFull, errorMessage, firstLine } from '../platform/errors';
import { writeOut } from '../platform/stdio';
import { type AnyCommand, commandHelp, parseCommandArgs } from './framework';
import { printErr } from './output';
import { REPAIR_WORKER, repairForCommand, runRepairWorker } from './repair';

declare const __VERSION__: string;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : 'dev';

// A command's module (and what it imports) loads only when it runs: every call pays for its own
// command alone, so the CLI starts close to a bare Node start.
const lifecycle = () => import('./commands/lifecycle');
const budget = () => import('./commands/budget');
const spend = () => import('./commands/spend');
const triage = () => import('./commands/triage');
const pricing = () => import('./commands/pricing');
const calibrate = () => import('./commands/calibrate');
const report = () => import('./commands/report');
const statusline = () => import('./commands/statusline');
const doctor = () => import('./commands/doctor');
export const COMMANDS: Record<string, () => Promise<AnyCommand>> = {
  create: () => lifecycle().then((m) => m.create as AnyCommand),
  state: () => lifecycle().then((m) => m.state as AnyCommand),
  resume: () => lifecycle().then((m) => m.resume as AnyCommand),
  list: () => lifecycle().then((m) => m.list as AnyCommand),
  advance: () => lifecycle().then((m) => m.advance as AnyCommand),
  remaining: () => budget().then((m) => m.remaining as AnyCommand),
  tokens: () => spend().then((m) => m.tokens as AnyCommand),
  'set-budget': () => budget().then((m) => m.setBudget as AnyCommand),
  override: () => budget().then((m) => m.override as AnyCommand),
  stop: () => lifecycle().then((m) => m.stop as AnyCommand),
  artifact: () => lifecycle().then((m) => m.artifact as AnyCommand),
  record: () => budget().then((m) => m.record as AnyCommand),
  attach: () => spend().then((m) => m.attach as AnyCommand),
  detach: () => spend().then((m) => m.detach as AnyCommand),
  ingest: () => spend().then((m) => m.ingest as AnyCommand),
  classify: () => budget().then((m) => m.classify as AnyCommand),
  triage: () => triage().then((m) => m.triage as AnyCommand),
  pricing: () => pricing().then((m) => m.pricing as AnyCommand),
  calibrate: () => calibrate().then((m) => m.calibrate as AnyCommand),
  report: () => report().then((m) => m.report as AnyCommand),
  statusline: () => statusline().then((m) => m.statusline as AnyCommand),
  doctor: () => doctor().then((m) => m.doctor as AnyCommand),
};

async function mainHelp(): Promise<string> {
  const commands = await Promise.all(Object.values(COMMANDS).map((load) => load()));
  const w = Math.max(...commands.map((c) => c.name.length));
  return [
    `sprint-budget ${VERSION} — token budgets for Claude Code sprints`,
    '',
    'Usage: sprint-budget <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    '',
    'Every command takes --help, --json and --db PATH.',
    'Exit codes: 0 success, 1 a negative answer (pause, nothing found), 2 error.',
    '',
  ].join('\n');
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' && rest[0] ? COMMANDS[rest[0]] : undefined;
    writeOut(1, topic ? commandHelp(await topic()) : await mainHelp());
    return 0;
  }
  if (name === REPAIR_WORKER) return runRepairWorker();
  if (name === '--version' || name === 'version') {
    writeOut(1, `${VERSION}\n`);
    return 0;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) {
    printErr(`sprint-budget: unknown command "${name}" (see: sprint-budget --help)`);
    return 2;
  }
  let cmd = await load();
  let args = rest;
  let prefix = 'sprint-budget';
  const sub = cmd.subcommands?.find((s) => s.name === args[0]);
  if (sub) {
    prefix = `sprint-budget ${cmd.name}`;
    cmd = sub;
    args = args.slice(1);
  }
  for (let repaired = false; ; ) {
    try {
      const { ctx, help } = parseCommandArgs(cmd, args, env, cwd);
      if (help) {
        writeOut(1, commandHelp(cmd, prefix));
        return 0;
      }
      return await cmd.run(ctx);
    } catch (err) {
      // No driver for this Node: built (or waited for) once, then the command runs again. It failed
      // before touching anything: a ledger cannot be opened or read without the driver.
      if (err instanceof BindingMissingError && !repaired) {
        if (!repairForCommand(err)) return 2;
        repaired = true;
        continue;
      }
      return reportError(err, env);
    }
  }
}

function reportError(err: unknown, env: NodeJS.ProcessEnv): number {
  // Another process held the ledger past the busy timeout: nothing is wrong, it is busy.
  if (err instanceof LedgerBusyError || isBusy(err)) {
    printErr(`sprint-budget: the ledger is busy (another sprint-budget process held it for ${BUSY_TIMEOUT_MS / 1000} s); try again`);
    return 2;
  }
  if (err instanceof SprintBudgetError) {
    printErr(`sprint-budget: ${plainText(errorMessage(err))}`);
    return err.exitCode;
  }
  // A full disk met outside the ledger (a file the system's error names): said as such.
  const full = diskFull(err, 'a file');
  if (full) {
    printErr(`sprint-budget: ${plainText(full.message)}`);
    return 2;
  }
  printErr(`sprint-budget: internal error: ${firstLine(err)}`);
  if (env.SPRINT_BUDGET_DEBUG) printErr(String((err as Error).stack));
  return 2;
}
