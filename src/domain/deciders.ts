/**
 * Decisions only a person can make (docs/spec.md, "Who decides"). Pure. `override`, `set-budget`
 * that raises the budget, and `stop`, run by the model through the Bash tool, are put to the user,
 * unless the project lets the model decide; so is a change to the folder that holds the project's
 * settings and ledger (`.sprint-budget/`), made with the file tools or plainly with the shell.
 */

export type Decider = 'user' | 'model';
export const DEFAULT_DECIDER: Decider = 'user';

export type DecisionKind = 'override' | 'set-budget' | 'stop';

/** A decision a command makes, or `settings`: a change to `.sprint-budget/` by other means than the CLI. */
export type AskedKind = DecisionKind | 'settings';

export interface DecisionCommand {
  kind: AskedKind;
  /** set-budget's new budget: a number, null for `none`, undefined when it cannot be read. */
  budget?: number | null | undefined;
}

/** Who made a decision: the user (outside Claude Code, or confirming inside it), or the model. */
export type ActorKind = 'user' | 'model' | 'cli';

const PROGRAM = /(?:^|[\s;&|(`'"/])(?:sprint-budget|cli\.cjs)(?=[\s'"]|$)/g;
const DECISIONS: readonly string[] = ['override', 'set-budget', 'stop'];
/** Options that take a value, so the value is not read as the subcommand. */
const VALUED = new Set(['--db']);

function tokens(text: string): string[] {
  return text.split(/[\s;&|)]+/).map((t) => t.replace(/^['"]|['"]$/g, '')).filter(Boolean);
}

function amount(raw: string | undefined): number | null | undefined {
  if (raw === undefined) return undefined;
  if (raw.toLowerCase() === 'none') return null;
  const m = /^(\d+(?:\.\d+)?|\d{1,3}(?:,\d{3})+)([kKmM]?)$/.exec(raw);
  if (!m) return undefined;
  const mult = m[2] === '' ? 1 : /k/i.test(m[2] as string) ? 1_000 : 1_000_000;
  return Math.round(Number((m[1] as string).replace(/,/g, '')) * mult);
}

/** The decisions a shell command makes, in order: those it runs through the sprint-budget CLI, then a change to `.sprint-budget/`. */
export function decisionCommands(command: string): DecisionCommand[] {
  const found = cliDecisions(command);
  return writesSettings(command) ? [...found, { kind: 'settings' }] : found;
}

function cliDecisions(command: string): DecisionCommand[] {
  const found: DecisionCommand[] = [];
  for (const m of command.matchAll(PROGRAM)) {
    const rest = tokens(command.slice((m.index ?? 0) + m[0].length));
    let i = 0;
    while (i < rest.length && (rest[i] as string).startsWith('-')) i += VALUED.has(rest[i] as string) ? 2 : 1;
    const sub = rest[i];
    if (!sub || !DECISIONS.includes(sub)) continue;
    const kind = sub as DecisionKind;
    if (kind !== 'set-budget') {
      found.push({ kind });
      continue;
    }
    const value = rest.slice(i + 1).find((t, j, all) => !t.startsWith('-') && !(j > 0 && (all[j - 1] as string).startsWith('--')));
    found.push({ kind, budget: amount(value) });
  }
  return found;
}

/** A path inside a `.sprint-budget` folder, or the folder itself. */
const SETTINGS_PATH = /(?:^|[\\/=])\.sprint-budget(?:[\\/]|$)/;

/** Whether a file a tool writes lies in a project's `.sprint-budget/` folder (its settings and ledger). */
export function isSettingsPath(path: string): boolean {
  return SETTINGS_PATH.test(path);
}

/** A redirection (or tee) whose target is in `.sprint-budget/`. */
const REDIRECT_INTO = /(?:>>?|>\||\btee(?:\s+-[a-z]+)*)\s*['"]?(?:[^\s;&|<>'"]*[\\/])?\.sprint-budget(?:[\\/]|['"\s;&|)]|$)/;
/** Programs that change the files they are given. */
const CHANGERS = new Set(['cp', 'mv', 'rm', 'ln', 'install', 'truncate', 'dd', 'rsync', 'chmod', 'chown', 'unlink', 'shred']);
/** Programs that change a file only with an option, or a database only with a statement. */
const IN_PLACE = /^(?:sed|perl|ruby)$/;
const SQL_WRITE = /\b(?:insert|update|delete|replace|drop|alter|create|vacuum|attach)\b/i;

/**
 * Whether a shell command plainly changes `.sprint-budget/`: redirects into it, or runs a program that
 * changes files (`rm`, `cp`, `sed -i`, …) or the ledger (`sqlite3` with a writing statement) on a
 * path in it. Only what is plain to see: a script that writes there is not found (docs/spec.md).
 */
export function writesSettings(command: string): boolean {
  if (!command.includes('.sprint-budget')) return false;
  if (REDIRECT_INTO.test(command)) return true;
  return command.split(/[;&|\n()`]+/).some((segment) => {
    const words = tokens(segment).filter((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w) && w !== 'sudo' && w !== 'command' && w !== 'env');
    const program = (words[0] ?? '').split('/').pop() ?? '';
    const args = words.slice(1);
    if (!args.some(isSettingsPath)) return false;
    if (CHANGERS.has(program)) return true;
    if (IN_PLACE.test(program)) return args.some((a) => /^-[a-zA-Z]*i/.test(a) || a.startsWith('--in-place'));
    // The statement may hold the separators the command is cut at, so it is looked for in the whole command.
    if (program === 'sqlite3') return SQL_WRITE.test(command) || segment.includes('<');
    return false;
  });
}

/** Whether a decision needs a person: override, stop and a settings change always; set-budget when it raises or removes the budget (or cannot be read). */
export function needsPerson(d: DecisionCommand, currentBudget: number | null): boolean {
  if (d.kind !== 'set-budget') return true;
  if (d.budget === undefined || d.budget === null) return d.budget === undefined || currentBudget !== null;
  return currentBudget !== null && d.budget > currentBudget;
}
