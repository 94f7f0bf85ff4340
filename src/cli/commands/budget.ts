/** remaining, set-budget, override, classify, record: the budget itself and the figures fed into it. */
import { changeBudget, recordOverride } from '../../app/budget-ops';
import { sprintSpend } from '../../app/spend';
import { classify as classifyText } from '../../domain/complexity';
import { formatTokensExact } from '../../domain/tokens';
import { actorName } from '../../lib/env';
import { UsageError } from '../../lib/errors';
import { getSprint } from '../../ledger/sprints';
import { upsertUsage } from '../../ledger/usage';
import { refreshSprintUsage } from '../../usage/refresh';
import { SPRINT_OPTION, pickSprint, withLedger } from '../common';
import type { Command } from '../framework';
import { printJson, printLine } from '../output';
import { budgetValue, intValue, optInt, optString, requireString, slugValue } from '../validate';

export const remaining: Command = {
  name: 'remaining',
  summary: 'Print the billing tokens left in the budget: a number (0 when used up), or `none` when there is no budget.',
  usage: '[<id>]',
  positionals: [{ name: 'id', description: 'sprint id (default: the active sprint)' }],
  options: { ...SPRINT_OPTION },
  details: [
    'For FLUX_BUDGET_REMAINING: export the number; leave the variable unset for `none`.',
    '--json: {"budget", "spent", "remaining", "budget_state"} (budget and remaining are null with no budget).',
  ],
  run(ctx) {
    return withLedger(ctx, {}, (l) => {
      const s = pickSprint(l, ctx, ctx.positionals[0]);
      refreshSprintUsage(l, s, { env: ctx.env });
      const spend = sprintSpend(l, s);
      if (ctx.json) printJson({ budget: s.tokenBudget, spent: spend.billing, remaining: spend.remaining, budget_state: spend.state });
      else printLine(spend.remaining === null ? 'none' : String(spend.remaining));
      return 0;
    });
  },
};

export const setBudget: Command = {
  name: 'set-budget',
  summary: "Change a sprint's budget (or remove it with `none`); stored with the reason.",
  usage: '<N|none> --reason "..." [--sprint ID]',
  positionals: [{ name: 'budget', description: 'billing tokens (250000, 250k, 1.5M) or none', required: true }],
  options: { ...SPRINT_OPTION, reason: { type: 'string', value: 'TEXT', description: 'why (stored in the history)' } },
  run(ctx) {
    const budget = budgetValue('budget', ctx.positionals[0] as string);
    const reason = requireString(ctx.values, 'reason', 'set-budget');
    return withLedger(ctx, {}, (l) => {
      const s = pickSprint(l, ctx);
      const change = changeBudget(l, s.id, budget, { reason, actor: actorName(ctx.env), now: Date.now() });
      refreshSprintUsage(l, s, { env: ctx.env });
      const spend = sprintSpend(l, getSprint(l, s.id) ?? s);
      if (ctx.json) {
        printJson({ sprint: s.id, from: change.from, to: change.to, spent: spend.billing, remaining: spend.remaining, budget_state: spend.state });
      } else {
        const fmt = (n: number | null) => (n === null ? 'none' : formatTokensExact(n));
        printLine(`${s.id}: budget ${fmt(change.from)} → ${fmt(change.to)} · ${spend.state}`);
      }
      return 0;
    });
  },
};

export const override: Command = {
  name: 'override',
  summary: 'Continue past an exceeded budget: the next advance passes it, and dispatches until the phase after.',
  usage: '[<id>] --reason "..."',
  positionals: [{ name: 'id', description: 'sprint id (default: the active sprint)' }],
  options: { ...SPRINT_OPTION, reason: { type: 'string', value: 'TEXT', description: 'why (stored in the history)' } },
  run(ctx) {
    const reason = requireString(ctx.values, 'reason', 'override');
    return withLedger(ctx, {}, (l) => {
      const s = pickSprint(l, ctx, ctx.positionals[0]);
      recordOverride(l, s.id, { reason, actor: actorName(ctx.env), now: Date.now() });
      if (ctx.json) printJson({ sprint: s.id, phase: s.phase, override: true, reason });
      else printLine(`${s.id}: override recorded in ${s.phase}; the next advance passes the budget`);
      return 0;
    });
  },
};

export const classify: Command = {
  name: 'classify',
  summary: 'Classify a description into complexity 1-5 (SPEC 3), as create does.',
  usage: '"<text>" [--files N]',
  positionals: [{ name: 'text', description: 'the description to classify', required: true }],
  options: { files: { type: 'string', value: 'N', description: 'number of files the work touches' } },
  run(ctx) {
    const c = classifyText(ctx.positionals[0] as string, { files: optInt(ctx.values, 'files', 0) });
    if (ctx.json) printJson(c);
    else printLine(`Complexity: ${c.complexity}/5 (${c.label}) · ${c.words} words · rule ${c.rule}`);
    return 0;
  },
};

const TOKEN_FLAGS = {
  input: { type: 'string', value: 'N', description: 'input tokens' },
  output: { type: 'string', value: 'N', description: 'output tokens' },
  'cache-read': { type: 'string', value: 'N', description: 'cache read tokens (default 0)' },
  'cache-write': { type: 'string', value: 'N', description: 'cache write tokens (default 0)' },
} as const;

export const record: Command = {
  name: 'record',
  summary: 'Add one usage record for a tool that reports its own spend (idempotent by --key).',
  usage: '--phase P --input N --output N [--cache-read N] [--cache-write N] --source S --key K [--agent-type T]',
  options: {
    ...SPRINT_OPTION,
    phase: { type: 'string', value: 'PHASE', description: 'the phase the spend belongs to' },
    ...TOKEN_FLAGS,
    source: { type: 'string', value: 'S', description: 'who measured it (e.g. ic, interstat, my-tool)' },
    key: { type: 'string', value: 'K', description: 'what makes the record unique; writing the same key again changes nothing' },
    'agent-type': { type: 'string', value: 'T', description: 'agent type that spent it (default main)' },
    model: { type: 'string', value: 'M', description: 'model name' },
  },
  details: ['Writing the same --key twice keeps one record with the larger counts; the sprint counts it once.'],
  run(ctx) {
    const v = ctx.values;
    const count = (name: string, required: boolean) => {
      const raw = optString(v, name);
      if (raw === undefined) {
        if (required) throw new UsageError(`record: --${name} is required`);
        return 0;
      }
      return intValue(`--${name}`, raw, 0);
    };
    const rec = {
      phase: requireString(v, 'phase', 'record'),
      input: count('input', true),
      output: count('output', true),
      cacheRead: count('cache-read', false),
      cacheWrite: count('cache-write', false),
      source: slugValue('--source', requireString(v, 'source', 'record')),
      key: requireString(v, 'key', 'record'),
      agentType: slugValue('--agent-type', optString(v, 'agent-type') ?? 'main'),
      model: optString(v, 'model') ?? null,
    };
    return withLedger(ctx, {}, (l) => {
      const s = pickSprint(l, ctx);
      if (!s.phases.includes(rec.phase)) throw new UsageError(`--phase: "${rec.phase}" is not a phase of ${s.phases.join(',')}`);
      upsertUsage(l, [
        {
          ...rec,
          kind: 'report',
          sessionId: null,
          sprintId: s.id,
          agentId: null,
          ts: Date.now(),
          origin: `record:${rec.source}:${rec.key}`,
        },
      ]);
      const spend = sprintSpend(l, s);
      if (ctx.json) printJson({ sprint: s.id, key: rec.key, phase: rec.phase, billing: rec.input + rec.output, tokens_spent: spend.billing });
      else printLine(`${s.id}: recorded ${rec.key} (${rec.input + rec.output} billing tokens in ${rec.phase}) · spent ${formatTokensExact(spend.billing)}`);
      return 0;
    });
  },
};
