/**
 * A small command framework over node:util parseArgs: every command gets --help, --json and --db,
 * validated options, and one exit-code convention (0 ok, 1 negative answer, 2 error).
 */
import { parseArgs } from 'node:util';
import { UsageError } from '../lib/errors';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** Placeholder shown in help, e.g. N or PATH. */
  value?: string;
  description: string;
}

export interface PositionalSpec {
  name: string;
  description: string;
  required?: boolean;
}

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface CommandContext {
  values: OptionValues;
  positionals: string[];
  json: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface Command {
  name: string;
  summary: string;
  /** What follows the command name in the usage line. */
  usage: string;
  options?: Record<string, OptionSpec>;
  positionals?: PositionalSpec[];
  /** Extra lines for --help: semantics, exit codes, examples. */
  details?: string[];
  /** Sub-commands (e.g. `triage report`); the first positional picks one. */
  subcommands?: Command[];
  run(ctx: CommandContext): number | Promise<number>;
}

export const COMMON_OPTIONS: Record<string, OptionSpec> = {
  json: { type: 'boolean', description: 'machine-readable output (stable keys)' },
  db: { type: 'string', value: 'PATH', description: 'ledger file (default: nearest .sprint-budget/ledger.db; env SPRINT_BUDGET_DB)' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
};

export function commandHelp(cmd: Command, prefix = 'sprint-budget'): string {
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
  const opts = { ...cmd.options, ...COMMON_OPTIONS };
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

export function parseCommandArgs(cmd: Command, argv: string[], env: NodeJS.ProcessEnv, cwd: string): Parsed {
  const specs = { ...cmd.options, ...COMMON_OPTIONS };
  const options = Object.fromEntries(
    Object.entries(specs).map(([name, o]) => [
      name,
      { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) },
    ]),
  );
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${cmd.name}: ${(err as Error).message.split('\n')[0]} (see: sprint-budget ${cmd.name} --help)`);
  }
  const values = parsed.values as OptionValues;
  const help = values.help === true;
  const max = cmd.positionals?.length ?? 0;
  if (!help && !cmd.subcommands && parsed.positionals.length > max) {
    throw new UsageError(`${cmd.name}: unexpected argument "${parsed.positionals[max]}" (see: sprint-budget ${cmd.name} --help)`);
  }
  const required = (cmd.positionals ?? []).filter((p) => p.required);
  if (!help && parsed.positionals.length < required.length) {
    throw new UsageError(`${cmd.name}: missing ${required[parsed.positionals.length]?.name} (see: sprint-budget ${cmd.name} --help)`);
  }
  return { ctx: { values, positionals: parsed.positionals, json: values.json === true, env, cwd }, help };
}
