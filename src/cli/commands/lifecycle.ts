/** create, state, list, advance, stop, artifact: a sprint's life from start to done. */
import { advanceSprint } from '../../app/advance';
import { stopSprint } from '../../app/budget-ops';
import { createSprint } from '../../app/create';
import { sprintSpend } from '../../app/spend';
import { sprintState } from '../../app/state';
import { DEFAULT_PHASES, PhaseChainError, parsePhaseChain } from '../../domain/phases';
import { formatPause } from '../../domain/protocol';
import { formatTokensShort } from '../../domain/tokens';
import { actorName, claudeSessionId } from '../../lib/env';
import { UsageError } from '../../lib/errors';
import { projectOf } from '../../ledger/locate';
import { type SprintStatus, listSprints, setArtifact } from '../../ledger/sprints';
import { refreshSprintUsage } from '../../usage/refresh';
import { SPRINT_OPTION, budgetSummary, pickSprint, stateLines, withLedger } from '../common';
import type { Command } from '../framework';
import { formatTable, printErr, printJson, printLine } from '../output';
import { budgetValue, optInt, optString, requireString, slugValue } from '../validate';

function parseGates(raw: string[] | undefined, phases: string[]): Record<string, string[]> | undefined {
  if (!raw) return undefined;
  const gates: Record<string, string[]> = {};
  for (const g of raw) {
    const m = /^([a-z][a-z0-9-]*)=(.+)$/.exec(g);
    if (!m) throw new UsageError(`--gate: expected <phase>=<artifact>[,<artifact>], got "${g}"`);
    const [, phase, list] = m as unknown as [string, string, string];
    if (!phases.includes(phase)) throw new UsageError(`--gate: "${phase}" is not a phase of ${phases.join(',')}`);
    gates[phase] = [...(gates[phase] ?? []), ...list.split(',').map((a) => slugValue('--gate', a.trim()))];
  }
  return gates;
}

export const create: Command = {
  name: 'create',
  summary: 'Start a sprint: classify its complexity, set the default budget, attach this Claude Code session.',
  usage: '"<title>" [options]',
  positionals: [{ name: 'title', description: 'what the sprint is for (also classified for complexity)', required: true }],
  options: {
    description: { type: 'string', value: 'TEXT', description: 'longer description, classified with the title' },
    complexity: { type: 'string', value: '1-5', description: 'set the complexity instead of classifying' },
    files: { type: 'string', value: 'N', description: 'number of files the work touches (classifier input)' },
    budget: { type: 'string', value: 'N|none', description: 'billing-token budget (250000, 250k, 1.5M) or none; default by complexity' },
    'warn-pct': { type: 'string', value: 'P', description: 'warn past this percent of the budget (1-99, default 80)' },
    phases: { type: 'string', value: 'a,b,...', description: 'phase chain (default brainstorm,...,done)' },
    gate: { type: 'string', value: 'PHASE=ARTIFACT', multiple: true, description: 'require an artifact before entering a phase' },
    manual: { type: 'boolean', description: 'auto_advance=false: every advance pauses for confirmation' },
  },
  details: [
    'Prints the new sprint id (the full state with --json). Inside Claude Code (CLAUDE_CODE_SESSION_ID set)',
    'the session is attached: its responses and its subagents\' count toward the sprint from now on.',
    'Default budgets: 1 → 50k, 2 → 100k, 3 → 250k, 4 → 500k, 5 → 1M billing tokens.',
  ],
  run(ctx) {
    const v = ctx.values;
    let phases: string[] | undefined;
    try {
      phases = typeof v.phases === 'string' ? parsePhaseChain(v.phases) : undefined;
    } catch (err) {
      if (err instanceof PhaseChainError) throw new UsageError(`--phases: ${err.message}`);
      throw err;
    }
    const input = {
      title: ctx.positionals[0] as string,
      description: optString(v, 'description'),
      complexity: optInt(v, 'complexity', 1, 5),
      files: optInt(v, 'files', 0),
      budget: typeof v.budget === 'string' ? budgetValue('--budget', v.budget) : undefined,
      warnPct: optInt(v, 'warn-pct', 1, 99),
      phases,
      gates: parseGates(v.gate as string[] | undefined, phases ?? [...DEFAULT_PHASES]),
      autoAdvance: v.manual !== true,
    };
    const session = claudeSessionId(ctx.env);
    return withLedger(ctx, { create: true }, (l) => {
      const { sprint, classification } = createSprint(l, {
        ...input,
        project: projectOf(l.path),
        session: session ? { id: session } : null,
        actor: actorName(ctx.env),
        now: Date.now(),
      });
      if (ctx.json) {
        printJson(sprintState(l, sprint));
      } else {
        printLine(sprint.id);
        const budget = sprint.tokenBudget === null ? 'no budget' : `${formatTokensShort(sprint.tokenBudget)} billing tokens`;
        printErr(`Complexity: ${classification.complexity}/5 (${classification.label}) · Budget: ${budget}${session ? ` · session ${session} attached` : ''}`);
      }
      return 0;
    });
  },
};

export const state: Command = {
  name: 'state',
  summary: "Show a sprint's phase, budget, spend and history (its sessions' transcripts are read first).",
  usage: '[<id>]',
  positionals: [{ name: 'id', description: 'sprint id (default: the active sprint)' }],
  options: { ...SPRINT_OPTION },
  run(ctx) {
    return withLedger(ctx, {}, (l) => {
      const s = pickSprint(l, ctx, ctx.positionals[0]);
      refreshSprintUsage(l, s, { env: ctx.env });
      const st = sprintState(l, s);
      if (ctx.json) printJson(st);
      else for (const line of stateLines(st)) printLine(line);
      return 0;
    });
  },
};

export const list: Command = {
  name: 'list',
  summary: 'List the sprints of this project, newest first.',
  usage: '[--status active|stopped|done]',
  options: { status: { type: 'string', value: 'STATUS', description: 'only sprints with this status' } },
  run(ctx) {
    const status = optString(ctx.values, 'status');
    if (status !== undefined && !['active', 'stopped', 'done'].includes(status)) {
      throw new UsageError(`--status: expected active, stopped or done, got "${status}"`);
    }
    return withLedger(ctx, {}, (l) => {
      const rows = listSprints(l, status as SprintStatus | undefined).map((s) => {
        const spend = sprintSpend(l, s);
        return { s, spend };
      });
      if (ctx.json) {
        printJson(
          rows.map(({ s, spend }) => ({
            id: s.id,
            title: s.title,
            status: s.status,
            phase: s.phase,
            complexity: s.complexity,
            token_budget: s.tokenBudget,
            tokens_spent: spend.billing,
            tokens_remaining: spend.remaining,
            budget_state: spend.state,
            created_at: new Date(s.createdAt).toISOString(),
          })),
        );
        return 0;
      }
      if (rows.length === 0) {
        printLine('No sprints.');
        return 0;
      }
      const table = formatTable(
        [
          { header: 'ID', value: (r: (typeof rows)[number]) => r.s.id },
          { header: 'Status', value: (r) => r.s.status },
          { header: 'Phase', value: (r) => r.s.phase },
          { header: 'Spent', value: (r) => formatTokensShort(r.spend.billing), align: 'right' },
          { header: 'Budget', value: (r) => (r.s.tokenBudget === null ? 'none' : formatTokensShort(r.s.tokenBudget)), align: 'right' },
          { header: 'State', value: (r) => r.spend.state },
          { header: 'Title', value: (r) => r.s.title },
        ],
        rows,
      );
      for (const line of table) printLine(line);
      return 0;
    });
  },
};

export const advance: Command = {
  name: 'advance',
  summary: 'Move the sprint to its next phase, or pause with one `type|phase|detail` line (exit 1).',
  usage: '[<id>] [--from <phase>] [--confirm] [--skip-gate --reason "..."]',
  positionals: [{ name: 'id', description: 'sprint id (default: the active sprint)' }],
  options: {
    ...SPRINT_OPTION,
    from: { type: 'string', value: 'PHASE', description: 'the phase you believe the sprint is in; a mismatch pauses with stale_phase' },
    confirm: { type: 'boolean', description: 'pass a manual pause (auto_advance=false): the user said continue' },
    'skip-gate': { type: 'boolean', description: 'pass a gate whose artifact is missing (recorded, needs --reason)' },
    reason: { type: 'string', value: 'TEXT', description: 'why a gate is skipped' },
  },
  details: [
    'Spend is brought up to date first (including the phase being left), then the budget is checked',
    '(an override lets it pass), then the gate and auto_advance, then the sprint moves — atomically.',
    'Pauses (stdout, exit 1):',
    '  budget_exceeded|<phase>|<spent>/<budget> billing tokens',
    '  gate_blocked|<next phase>|<what is missing>',
    '  manual_pause|<next phase>|auto_advance=false',
    '  stale_phase|<your --from>|Phase already advanced to <actual>',
    'Past warn_pct a budget_warning|<phase>|<spent>/<budget> billing tokens (NN%) line goes to stderr.',
  ],
  run(ctx) {
    const skipGate = ctx.values['skip-gate'] === true;
    const reason = optString(ctx.values, 'reason');
    if (skipGate && !reason?.trim()) throw new UsageError('advance: --skip-gate needs --reason "..."');
    return withLedger(ctx, {}, (l) => {
      const s = pickSprint(l, ctx, ctx.positionals[0]);
      refreshSprintUsage(l, s, { env: ctx.env });
      const r = advanceSprint(l, s.id, {
        from: optString(ctx.values, 'from'),
        confirm: ctx.values.confirm === true,
        skipGate,
        reason,
        actor: actorName(ctx.env),
        now: Date.now(),
      });
      if (!r.advanced) {
        if (ctx.json) printJson({ advanced: false, ...r.pause, line: formatPause(r.pause), spent: r.spent, budget: r.budget });
        else printLine(formatPause(r.pause));
        return 1;
      }
      if (r.warning) printErr(r.overrideUsed ? `${r.warning} · passed by override` : r.warning);
      if (ctx.json) {
        printJson({
          advanced: true,
          sprint: s.id,
          from: r.from,
          to: r.to,
          spent: r.spent,
          budget: r.budget,
          override_used: r.overrideUsed,
          gate_skipped: r.gateSkipped,
        });
      } else {
        printLine(`Phase: ${r.from} → ${r.to}`);
      }
      return 0;
    });
  },
};

export const stop: Command = {
  name: 'stop',
  summary: 'Stop a sprint (it no longer advances, and its sessions stop counting toward it as active).',
  usage: '[<id>] --reason "..."',
  positionals: [{ name: 'id', description: 'sprint id (default: the active sprint)' }],
  options: { ...SPRINT_OPTION, reason: { type: 'string', value: 'TEXT', description: 'why (stored in the history)' } },
  run(ctx) {
    const reason = requireString(ctx.values, 'reason', 'stop');
    return withLedger(ctx, {}, (l) => {
      const s = pickSprint(l, ctx, ctx.positionals[0]);
      refreshSprintUsage(l, s, { env: ctx.env });
      stopSprint(l, s.id, { reason, actor: actorName(ctx.env), now: Date.now() });
      const st = sprintState(l, { ...s, status: 'stopped' });
      if (ctx.json) printJson(st);
      else printLine(`Stopped ${s.id} in ${s.phase} · ${budgetSummary(st)}`);
      return 0;
    });
  },
};

export const artifact: Command = {
  name: 'artifact',
  summary: 'Record an artifact of the sprint (a gate may require it before a phase).',
  usage: '<type> <path> [--sprint ID]',
  positionals: [
    { name: 'type', description: 'artifact type, e.g. brainstorm, prd, plan', required: true },
    { name: 'path', description: 'where it is', required: true },
  ],
  options: { ...SPRINT_OPTION },
  run(ctx) {
    const type = slugValue('type', ctx.positionals[0] as string);
    const path = ctx.positionals[1] as string;
    return withLedger(ctx, {}, (l) => {
      const s = pickSprint(l, ctx);
      l.write(() => setArtifact(l, s.id, type, path, Date.now()));
      if (ctx.json) printJson({ sprint: s.id, type, path });
      else printLine(`${s.id}: ${type} = ${path}`);
      return 0;
    });
  },
};
