/**
 * Decisions only a person can make (docs/spec.md, "Who decides"). Pure. `override`, `set-budget`
 * that raises the budget, and `stop`, run by the model through the Bash tool, are put to the user,
 * unless the project lets the model decide.
 */

export type Decider = 'user' | 'model';
export const DEFAULT_DECIDER: Decider = 'user';

export type DecisionKind = 'override' | 'set-budget' | 'stop';

export interface DecisionCommand {
  kind: DecisionKind;
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

/** The decisions a shell command runs through the sprint-budget CLI, in order. */
export function decisionCommands(command: string): DecisionCommand[] {
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

/** Whether a decision needs a person: override and stop always; set-budget when it raises or removes the budget (or cannot be read). */
export function needsPerson(d: DecisionCommand, currentBudget: number | null): boolean {
  if (d.kind !== 'set-budget') return true;
  if (d.budget === undefined || d.budget === null) return d.budget === undefined || currentBudget !== null;
  return currentBudget !== null && d.budget > currentBudget;
}
