/** The `sprint-budget` command line: dispatch to one command, one exit-code convention. */
import { SprintBudgetError, errorMessage } from '../lib/errors';
import { BindingMissingError } from '../ledger/db';
import { advance, artifact, create, list, state, stop } from './commands/lifecycle';
import { classify, override, record, remaining, setBudget } from './commands/budget';
import { attach, ingest, tokens } from './commands/usage';
import { triage } from './commands/triage';
import { type Command, commandHelp, parseCommandArgs } from './framework';
import { printErr } from './output';

declare const __VERSION__: string;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : 'dev';

const COMMANDS: Command[] = [
  create,
  state,
  list,
  advance,
  remaining,
  tokens,
  setBudget,
  override,
  stop,
  artifact,
  record,
  attach,
  ingest,
  classify,
  triage,
];

function mainHelp(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `sprint-budget ${VERSION} — token budgets for Claude Code sprints`,
    '',
    'Usage: sprint-budget <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    '',
    'Every command takes --help, --json and --db PATH.',
    'Exit codes: 0 success, 1 a negative answer (pause, nothing found), 2 error.',
    '',
  ].join('\n');
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    process.stdout.write(topic ? commandHelp(topic) : mainHelp());
    return 0;
  }
  if (name === '--version' || name === 'version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  let cmd = COMMANDS.find((c) => c.name === name);
  let args = rest;
  let prefix = 'sprint-budget';
  if (!cmd) {
    printErr(`sprint-budget: unknown command "${name}" (see: sprint-budget --help)`);
    return 2;
  }
  const sub = cmd.subcommands?.find((s) => s.name === args[0]);
  if (sub) {
    prefix = `sprint-budget ${cmd.name}`;
    cmd = sub;
    args = args.slice(1);
  }
  try {
    const { ctx, help } = parseCommandArgs(cmd, args, env, cwd);
    if (help) {
      process.stdout.write(commandHelp(cmd, prefix));
      return 0;
    }
    return await cmd.run(ctx);
  } catch (err) {
    if (err instanceof BindingMissingError) {
      printErr(`sprint-budget: ${err.message} (repair: npm rebuild better-sqlite3 in the plugin directory)`);
      return 2;
    }
    if (err instanceof SprintBudgetError) {
      printErr(`sprint-budget: ${err.message}`);
      return err.exitCode;
    }
    printErr(`sprint-budget: internal error: ${errorMessage(err).split('\n')[0]}`);
    if (env.SPRINT_BUDGET_DEBUG) printErr(String((err as Error).stack));
    return 2;
  }
}
