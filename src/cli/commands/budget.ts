/** remaining, set-budget, override, classify, record: the budget itself and the figures fed into it. */
import { adjustBudget, overrideBudget } from '../../app/decisions';
import { type Measured, recordFigure } from '../../app/record';
import { readRemaining } from '../../app/state';
import { classify as classifyText } from '../../domain/complexity';
import { plainText } from '../../domain/text';
import { MAX_COUNT, formatTokensExact } from '../../domain/tokens';
import { UsageError } from '../../platform/errors';
import { ID_POSITIONAL, SPRINT_OPTION } from '../common';
import { command } from '../framework';
import { printJson, printLine } from '../output';
import { budgetValue, optInt, required, slugValue } from '../validate';

export const remaining = command({
  name: 'remaining',
  summary: 'Print the billing tokens left in the budget: a number (0 when used up), or `none` when there is no budget.',
  usage: '[<id>]',
  positionals: [ID_POSITIONAL],
  options: { ...SPRINT_OPTION },
  details: [
    "A review's triage reads this itself when it runs inside the sprint: there is nothing to hand down.",
    'For a review outside any sprint, FLUX_BUDGET_REMAINING takes the number (unset for `none`).',
    '--json: {"sprint", "budget", "spent", "remaining", "budget_state"} (budget and remaining are null with no budget).',
  ],
  run(ctx) {
    const r = readRemaining(ctx.caller, ctx.positionals[0] ?? ctx.values.sprint);
    if (ctx.json) printJson(r);
    else printLine(r.remaining === null ? 'none' : String(r.remaining));
    return 0;
  },
});

const REASON = { reason: { type: 'string', value: 'TEXT', description: 'why (stored in the history)' } } as const;

export const setBudget = command({
  name: 'set-budget',
  summary: "Change a sprint's budget (or remove it with `none`); stored with the reason.",
  usage: '<N|none> --reason "..." [--sprint ID]',
  positionals: [{ name: 'budget', description: 'billing tokens (250000, 250k, 1.5M) or none', required: true }],
  options: { ...SPRINT_OPTION, ...REASON },
  run(ctx) {
    const budget = budgetValue('budget', ctx.positionals[0] as string);
    const reason = required('--reason', ctx.values.reason, 'set-budget');
    const r = adjustBudget(ctx.caller, ctx.values.sprint, budget, reason);
    if (ctx.json) {
      printJson({ sprint: r.sprint.id, from: r.from, to: r.to, spent: r.spend.billing, remaining: r.spend.remaining, budget_state: r.spend.state });
    } else {
      const fmt = (n: number | null) => (n === null ? 'none' : formatTokensExact(n));
      printLine(`${r.sprint.id}: budget ${fmt(r.from)} → ${fmt(r.to)} · ${r.spend.state}`);
    }
    return 0;
  },
});

export const override = command({
  name: 'override',
  summary: 'Continue past an exceeded budget: the next advance passes it, and dispatches until the phase after.',
  usage: '[<id>] --reason "..."',
  positionals: [ID_POSITIONAL],
  options: { ...SPRINT_OPTION, ...REASON },
  run(ctx) {
    const reason = required('--reason', ctx.values.reason, 'override');
    const { sprint } = overrideBudget(ctx.caller, ctx.positionals[0] ?? ctx.values.sprint, reason);
    if (ctx.json) printJson({ sprint: sprint.id, phase: sprint.phase, override: true, reason });
    else printLine(`${sprint.id}: override recorded in ${sprint.phase}; the next advance passes the budget`);
    return 0;
  },
});

export const classify = command({
  name: 'classify',
  summary: 'Classify a description into complexity 1-5, as create does (docs/spec.md, "Complexity").',
  usage: '"<text>" [--files N]',
  positionals: [{ name: 'text', description: 'the description to classify', required: true }],
  options: { files: { type: 'string', value: 'N', description: 'number of files the work touches' } },
  run(ctx) {
    const c = classifyText(ctx.positionals[0] as string, { files: optInt('--files', ctx.values.files, 0) });
    if (ctx.json) printJson(c);
    else printLine(`Complexity: ${c.complexity}/5 (${c.label}) · ${c.words} words · rule ${c.rule}`);
    return 0;
  },
});

export const record = command({
  name: 'record',
  summary: 'Add a figure a tool measured itself: its input/output counts, or only a total (idempotent by --key).',
  usage: '--phase P (--input N --output N [--cache-read N] [--cache-write N] | --total N) --source S --key K [--agent-type T]',
  options: {
    ...SPRINT_OPTION,
    phase: { type: 'string', value: 'PHASE', description: 'the phase the spend belongs to' },
    input: { type: 'string', value: 'N', description: 'input tokens' },
    output: { type: 'string', value: 'N', description: 'output tokens' },
    'cache-read': { type: 'string', value: 'N', description: 'cache read tokens (default 0)' },
    'cache-write': { type: 'string', value: 'N', description: 'cache write tokens (default 0)' },
    total: { type: 'string', value: 'N', description: 'billing tokens, for a tool that knows only a total: stored and shown as a total, never split' },
    source: { type: 'string', value: 'S', description: 'who measured it (e.g. ic, interstat, my-tool)' },
    key: { type: 'string', value: 'K', description: 'what makes the figure unique for this sprint and source; writing it again changes nothing' },
    'agent-type': { type: 'string', value: 'T', description: 'agent type that spent it (default main)' },
    model: { type: 'string', value: 'M', description: 'model name' },
  },
  details: [
    'A record is unique by sprint, source and key: writing the same one twice keeps one record with the',
    'larger counts, and two sprints may use the same key without touching each other.',
    'Only an active sprint takes figures: a stopped or done sprint counts nothing more.',
    '--json: {"sprint", "key", "phase", "billing", "total_only", "tokens_spent"}.',
  ],
  run(ctx) {
    const v = ctx.values;
    const count = (name: string, raw: string | undefined) => optInt(name, raw, 0, MAX_COUNT) ?? 0;
    const split = [v.input, v.output, v['cache-read'], v['cache-write']].some((x) => x !== undefined);
    if (v.total !== undefined && split) throw new UsageError('record: --total goes alone (a total is never split); leave out --input, --output and the cache counts');
    const measured: Measured =
      v.total !== undefined
        ? { total: count('--total', v.total) }
        : {
            input: count('--input', required('--input', v.input, 'record (or --total N)')),
            output: count('--output', required('--output', v.output, 'record (or --total N)')),
            cacheRead: count('--cache-read', v['cache-read']),
            cacheWrite: count('--cache-write', v['cache-write']),
          };
    const f = {
      sprint: v.sprint,
      phase: required('--phase', v.phase, 'record'),
      measured,
      source: slugValue('--source', required('--source', v.source, 'record')),
      key: required('--key', v.key, 'record'),
      agentType: slugValue('--agent-type', v['agent-type'] ?? 'main'),
      model: v.model ?? null,
    };
    const billing = 'total' in measured ? measured.total : measured.input + measured.output;
    const { sprint, spend } = recordFigure(ctx.caller, f);
    if (ctx.json) {
      printJson({ sprint: sprint.id, key: f.key, phase: f.phase, billing, total_only: 'total' in measured, tokens_spent: spend.billing });
    } else {
      const what = 'total' in measured ? `a total of ${formatTokensExact(billing)} billing tokens` : `${formatTokensExact(billing)} billing tokens`;
      printLine(`${sprint.id}: recorded ${plainText(f.key)} (${what} in ${f.phase}) · spent ${formatTokensExact(spend.billing)}`);
    }
    return 0;
  },
});
