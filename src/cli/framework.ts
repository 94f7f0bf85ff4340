/**
 * A small command framework over node:util parseArgs: every command gets --help, --json and --db,
 * validated options typed from their declaration (a misspelt option name does not compile), and one
 * exit-code convention (0 ok, 1 negative answer, 2 error).
 */
import { parseArgs } from 'node:util';
import type { Caller } from '../app/project';
import { UsageError } from '../platform/errors';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** Placeholder shown in help, e.g. N or PATH. */
  value?: string;
  description: string;
}

export type Options = Record<string, OptionSpec>;

export interface PositionalSpec {
  name: string;
  description: string;
  required?: boolean;
}

export const COMMON_OPTIONS = {
  json: { type: 'boolean', description: 'machine-readable output (stable keys, versioned: see docs/cli.md)' },
  db: { type: 'string', value: 'PATH', description: 'ledger file (default: nearest .sprint-budget/ledger.db; env SPRINT_BUDGET_DB)' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
} as const satisfies Options;

type ValueOf<O extends OptionSpec> = O['type'] extends 'boolean' ? boolean : O['multiple'] extends true ? string[] : string;

/** What parseArgs gives for a command's options (and the common ones), by their declared names and types. */
export type OptionValues<O extends Options> = { [K in keyof O | keyof typeof COMMON_OPTIONS]?: ValueOf<(O & typeof COMMON_OPTIONS)[K]> };

export interface CommandContext<O extends Options = Options> {
  values: OptionValues<O>;
  positionals: string[];
  json: boolean;
  /** Where the command runs, the ledger it names, its environment: what app/ functions take. */
  caller: Caller;
}

export interface Command<O extends Options = Options> {
  name: string;
  summary: string;
  /** What follows the command name in the usage line. */
  usage: string;
  options?: O;
  positionals?: PositionalSpec[];
  /** Extra lines for --help: semantics, exit codes, examples. */
  details?: string[];
  /** Sub-commands (e.g. `triage report`); the first positional picks one. */
  subcommands?: AnyCommand[];
  run(ctx: CommandContext<O>): number | Promise<number>;
}

/** A command of any options, as the dispatcher holds them (it passes each command the parse of its own options). */
export type AnyCommand = Command<Options>;

/** Declares a command; its `run` sees its options by name and type. */
export function command<const O extends Options = Record<never, OptionSpec>>(c: Command<O>): Command<O> {
  return c;
}

export function commandHelp(cmd: AnyCommand, prefix = 'sprint-budget'): string {
  const lines = [`Usage: ${prefix} ${cmd.name}${cmd.usage ? ` ${cmd.usage}` : ''}`, '', cmd.summary];
  if (cmd.subcommands?.length) {
    lines.push('', 'Subcommands:');
    const w = Math.max(...cmd.subcommands.map((s) => s.name.length));
    for (const s of cmd.subcommands) lines.push(`  ${s.name.padEnd(w)}  ${s.summary}`);
  }
  if (cmd.positionals?.length) {
    lines.push('', 'Arguments:');
    const w = Math.max(...cmd.positionals.map((p) => p.name.length));
    for (const p of cmd.positionals) lines.push(`  ${p.name.padEnd(w)}  ${p.description}`);
  }
  const opts: Options = { ...cmd.options, ...COMMON_OPTIONS };
  const flags = Object.entries(opts).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
    return [flag, o.description + (o.multiple ? ' (repeatable)' : '')] as const;
  });
  const w = Math.max(...flags.map(([f]) => f.length));
  lines.push('', 'Options:', ...flags.map(([f, d]) => `  ${f.padEnd(w)}  ${d}`));
  if (cmd.details?.length) lines.push('', ...cmd.details);
  return `${lines.join('\n')}\n`;
}

export interface Parsed {
  ctx: CommandContext;
  help: boolean;
}

/** A negative number (`-5`, `-1.5k`): node's parser would take it for an option. */
const NEGATIVE = /^-\d/;
/** Stands in for a negative number given as an argument while node's parser reads the line. */
const HELD = '\u0000';

/**
 * Negative numbers made plain to node's parser, so each reaches the check of what it was given for
 * and gets that check's message (`--budget: a budget must be positive, got "-5"`), not node's
 * "argument is ambiguous": `--budget -5` becomes `--budget=-5`, and a negative argument is held
 * aside under a stand-in and put back in its place.
 */
function plainNegatives(argv: readonly string[], specs: Options): { args: string[]; held: string[] } {
  const args: string[] = [];
  const held: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') {
      args.push(...argv.slice(i));
      break;
    }
    const name = /^--([^=]+)$/.exec(a)?.[1];
    const next = argv[i + 1];
    if (name !== undefined && specs[name]?.type === 'string' && next !== undefined && NEGATIVE.test(next)) {
      args.push(`${a}=${next}`);
      i++;
    } else if (NEGATIVE.test(a)) {
      args.push(`${HELD}${held.length}`);
      held.push(a);
    } else args.push(a);
  }
  return { args, held };
}

export function parseCommandArgs(cmd: AnyCommand, argv: string[], env: NodeJS.ProcessEnv, cwd: string): Parsed {
  const specs: Options = { ...cmd.options, ...COMMON_OPTIONS };
  const options = Object.fromEntries(
    Object.entries(specs).map(([name, o]) => [name, { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) }]),
  );
  const { args, held } = plainNegatives(argv, specs);
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${cmd.name}: ${(err as Error).message.split('\n')[0]} (see: sprint-budget ${cmd.name} --help)`);
  }
  parsed.positionals = parsed.positionals.map((p) => (p.startsWith(HELD) ? (held[Number(p.slice(HELD.length))] as string) : p));
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const help = values.help === true;
  const max = cmd.positionals?.length ?? 0;
  if (!help && !cmd.subcommands && parsed.positionals.length > max) {
    throw new UsageError(`${cmd.name}: unexpected argument "${parsed.positionals[max]}" (see: sprint-budget ${cmd.name} --help)`);
  }
  const required = (cmd.positionals ?? []).filter((p) => p.required);
  if (!help && parsed.positionals.length < required.length) {
    throw new UsageError(`${cmd.name}: missing ${required[parsed.positionals.length]?.name} (see: sprint-budget ${cmd.name} --help)`);
  }
  const caller: Caller = { cwd, db: typeof values.db === 'string' ? values.db : undefined, env };
  return { ctx: { values: values as OptionValues<Options>, positionals: parsed.positionals, json: values.json === true, caller }, help };
}
