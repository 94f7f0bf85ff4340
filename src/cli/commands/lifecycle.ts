/** create, state, list, advance, stop, artifact: a sprint's life from start to done. */
import { advance as advanceSprint } from '../../app/advance';
import { recordArtifact } from '../../app/artifacts';
import { resumeSprint } from '../../app/attach';
import { startSprint } from '../../app/create';
import { stopSprintFor } from '../../app/decisions';
import { listSprintSummaries, readState } from '../../app/state';
import { DEFAULT_PHASES, PhaseChainError, parsePhaseChain } from '../../domain/phases';
import { formatPause } from '../../domain/protocol';
import { plainText } from '../../domain/text';
import { type Controls, readControls } from '../../domain/controls';
import { formatTokensShort } from '../../domain/tokens';
import type { SprintStatus } from '../../ledger/sprints';
import { UsageError } from '../../platform/errors';
import { ID_POSITIONAL, SPRINT_OPTION, budgetSummary, forecastStderr, stateLines } from '../common';
import { command } from '../framework';
import { formatTable, printErr, printJson, printLine } from '../output';
import { budgetValue, optInt, required, slugValue } from '../validate';

function parseGates(raw: string[] | undefined, phases: readonly string[]): Record<string, string[]> | undefined {
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

function phaseChain(raw: string | undefined): string[] | undefined {
  try {
    return raw === undefined ? undefined : parsePhaseChain(raw);
  } catch (err) {
    if (err instanceof PhaseChainError) throw new UsageError(`--phases: ${err.message}`);
    throw err;
  }
}

/** The spend-control options of `create`, by the config.json key each sets (docs/spec.md, "Spend controls"). */
const CONTROL_OPTIONS = {
  alerts: 'alerts',
  'max-agents-per-phase': 'max_agents_per_phase',
  'max-agents-per-sprint': 'max_agents_per_sprint',
  'max-concurrent-agents': 'max_concurrent_agents',
  'stage-shares': 'stage_shares',
  'stage-min': 'stage_min_tokens',
  'reservation-max-age': 'reservation_max_age_minutes',
} as const;

/** The option's text as the value its config.json key takes; bad text is left as it is, for the key's own check to name. */
function controlValue(option: keyof typeof CONTROL_OPTIONS, raw: string): unknown {
  const t = raw.trim();
  switch (option) {
    case 'alerts':
      return t.toLowerCase() === 'none' ? [] : t.split(',').map((x) => (/^\d+$/.test(x.trim()) ? Number(x.trim()) : x.trim()));
    case 'stage-shares':
      return Object.fromEntries(
        t.split(',').map((pair) => {
          const [stage = '', pct = ''] = pair.split('=');
          return [stage.trim(), /^\d+(\.\d+)?$/.test(pct.trim()) ? Number(pct.trim()) : pct.trim()];
        }),
      );
    case 'stage-min':
      return budgetValue('--stage-min', t) ?? 0;
    default:
      return /^\d+$/.test(t) ? Number(t) : t;
  }
}

function controlOptions(values: Partial<Record<keyof typeof CONTROL_OPTIONS, string>>): Partial<Controls> | undefined {
  const raw: Record<string, unknown> = {};
  const optionOf: Record<string, string> = {};
  for (const [option, key] of Object.entries(CONTROL_OPTIONS) as [keyof typeof CONTROL_OPTIONS, string][]) {
    const v = values[option];
    if (v === undefined) continue;
    raw[key] = controlValue(option, v);
    optionOf[key] = `--${option}`;
  }
  if (Object.keys(raw).length === 0) return undefined;
  const { controls, problems } = readControls(raw);
  const first = problems[0];
  if (first) throw new UsageError(`${optionOf[first.key]}: ${first.message.slice(first.key.length + 2)}`);
  return controls;
}

export const create = command({
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
    alerts: { type: 'string', value: 'P,P,...|none', description: 'alert once at each percent of the budget (default 50,80,100)' },
    'max-agents-per-phase': { type: 'string', value: 'N', description: 'stop a dispatch past N subagents in one phase (default: no cap)' },
    'max-agents-per-sprint': { type: 'string', value: 'N', description: 'stop a dispatch past N subagents in the sprint (default: no cap)' },
    'max-concurrent-agents': { type: 'string', value: 'N', description: 'stop a dispatch while N subagents run (default: no cap)' },
    'stage-shares': { type: 'string', value: 'STAGE=P,...', description: 'percent of the budget per stage: discover, design, build, ship, reflect' },
    'stage-min': { type: 'string', value: 'N', description: 'the least a stage with a share gets, in billing tokens (default 0)' },
    'reservation-max-age': { type: 'string', value: 'MIN', description: 'a reservation never settled expires after MIN minutes (default 60)' },
  },
  details: [
    'Prints the new sprint id (the full state with --json). Inside Claude Code (CLAUDE_CODE_SESSION_ID set)',
    "the session is attached: its responses and its subagents' count toward the sprint from now on.",
    'Default budgets: 1 → 50k, 2 → 100k, 3 → 250k, 4 → 500k, 5 → 1M billing tokens (docs/spec.md, "Budgets").',
  ],
  run(ctx) {
    const v = ctx.values;
    const phases = phaseChain(v.phases);
    const started = startSprint(ctx.caller, {
      title: ctx.positionals[0] as string,
      description: v.description,
      complexity: optInt('--complexity', v.complexity, 1, 5),
      files: optInt('--files', v.files, 0),
      budget: v.budget === undefined ? undefined : budgetValue('--budget', v.budget),
      warnPct: optInt('--warn-pct', v['warn-pct'], 1, 99),
      phases,
      gates: parseGates(v.gate, phases ?? DEFAULT_PHASES),
      autoAdvance: v.manual !== true,
      controls: controlOptions(v),
    });
    const { sprint, classification, session } = started;
    if (ctx.json) printJson(started.state);
    else {
      printLine(sprint.id);
      const budget = sprint.tokenBudget === null ? 'no budget' : `${formatTokensShort(sprint.tokenBudget)} billing tokens`;
      printErr(`Complexity: ${classification.complexity}/5 (${classification.label}) · Budget: ${budget}${session ? ` · session ${session} attached` : ''}`);
    }
    for (const line of forecastStderr(sprint.phase, started.state.forecast, { projection: !ctx.json })) printErr(line);
    return 0;
  },
});

export const state = command({
  name: 'state',
  summary: "Show a sprint's phase, budget, spend and history (its sessions' transcripts are read first).",
  usage: '[<id>]',
  positionals: [ID_POSITIONAL],
  options: { ...SPRINT_OPTION },
  run(ctx) {
    const st = readState(ctx.caller, ctx.positionals[0] ?? ctx.values.sprint);
    if (ctx.json) printJson(st);
    else for (const line of stateLines(st)) printLine(line);
    for (const line of forecastStderr(st.phase, st.forecast, { projection: false })) printErr(line);
    return 0;
  },
});

export const resume = command({
  name: 'resume',
  summary: "Carry on with a sprint in this Claude Code session: the session counts toward it from now on; prints its state.",
  usage: '<id>',
  positionals: [{ name: 'id', description: 'the sprint to resume', required: true }],
  details: [
    'Inside Claude Code (CLAUDE_CODE_SESSION_ID set) the session is attached to the sprint from now on,',
    'and detached from any other sprint it counted toward. A stopped or done sprint cannot be resumed.',
    '--json: the state (as `state --json`), plus "attached": {"session_id", "previous"} or null outside Claude Code.',
  ],
  run(ctx) {
    const { state: st, attached } = resumeSprint(ctx.caller, ctx.positionals[0] as string);
    if (ctx.json) {
      printJson({ ...st, attached: attached ? { session_id: attached.attachment.sessionId, previous: attached.previous } : null });
      return 0;
    }
    for (const line of stateLines(st)) printLine(line);
    if (attached) {
      const moved = attached.previous ? ` (it counted toward ${attached.previous} until now)` : '';
      printErr(`session ${attached.attachment.sessionId} now counts toward ${st.id}${moved}`);
    } else printErr('not inside a Claude Code session: nothing attached (sprint-budget attach --session ID attaches one)');
    return 0;
  },
});

const STATUSES: readonly SprintStatus[] = ['active', 'stopped', 'done'];

export const list = command({
  name: 'list',
  summary: 'List the sprints of this project, newest first, with their spend.',
  usage: '[--status active|stopped|done]',
  options: { status: { type: 'string', value: 'STATUS', description: 'only sprints with this status' } },
  run(ctx) {
    const status = ctx.values.status;
    if (status !== undefined && !(STATUSES as readonly string[]).includes(status)) {
      throw new UsageError(`--status: expected active, stopped or done, got "${status}"`);
    }
    const rows = listSprintSummaries(ctx.caller, status as SprintStatus | undefined);
    if (ctx.json) {
      printJson(
        rows.map(({ sprint: s, spend }) => ({
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
        { header: 'ID', value: (r: (typeof rows)[number]) => r.sprint.id },
        { header: 'Status', value: (r) => r.sprint.status },
        { header: 'Phase', value: (r) => r.sprint.phase },
        { header: 'Spent', value: (r) => formatTokensShort(r.spend.billing), align: 'right' },
        { header: 'Budget', value: (r) => (r.sprint.tokenBudget === null ? 'none' : formatTokensShort(r.sprint.tokenBudget)), align: 'right' },
        { header: 'State', value: (r) => r.spend.state },
        { header: 'Title', value: (r) => plainText(r.sprint.title) },
      ],
      rows,
    );
    for (const line of table) printLine(line);
    return 0;
  },
});

export const advance = command({
  name: 'advance',
  summary: 'Move the sprint to its next phase, or pause with one `type|phase|detail` line (exit 1).',
  usage: '[<id>] [--from <current phase> | --to <next phase>] [--confirm] [--skip-gate --reason "..."]',
  positionals: [ID_POSITIONAL],
  options: {
    ...SPRINT_OPTION,
    from: { type: 'string', value: 'PHASE', description: 'the phase you believe the sprint is in now; a mismatch pauses with stale_phase' },
    to: { type: 'string', value: 'PHASE', description: 'the phase you mean to enter: the one a gate_blocked or manual_pause line names' },
    confirm: { type: 'boolean', description: 'pass a manual pause (auto_advance=false): the user said continue' },
    'skip-gate': { type: 'boolean', description: 'pass a gate whose artifact is missing (recorded, needs --reason)' },
    reason: { type: 'string', value: 'TEXT', description: 'why a gate is skipped' },
  },
  details: [
    'Spend is brought up to date first (including the phase being left), then the budget is checked',
    '(an override lets it pass), then the gate and auto_advance, then the sprint moves — atomically.',
    'Pauses (stdout, exit 1; docs/spec.md, "Pause protocol"). The phase in the line is:',
    '  budget_exceeded|<current phase>|<spent>/<budget> billing tokens   -> run the same advance again (--from <current phase>)',
    '  gate_blocked|<next phase>|<what is missing>                         -> --to <next phase> --skip-gate --reason "..."',
    '  manual_pause|<next phase>|auto_advance=false                        -> --to <next phase> --confirm',
    '  stale_phase|<the phase you gave>|Phase already advanced to <actual> (or: Phase is still <actual>)',
    'A --from or --to that is not a phase of the sprint is an error (exit 2), not a stale phase.',
    'Past warn_pct a budget_warning|<phase>|<spent>/<budget> billing tokens (NN%) line goes to stderr.',
    'Entering done ends the sprint: its sessions are detached and it counts nothing more.',
    'After a move, the forecast goes to stderr (a projection, never spend); projected over the budget:',
    '  budget_forecast|<phase>|projected <p50>/<budget> billing tokens (p90 <p90>)',
  ],
  run(ctx) {
    const v = ctx.values;
    const skipGate = v['skip-gate'] === true;
    if (skipGate && !v.reason?.trim()) throw new UsageError('advance: --skip-gate needs --reason "..."');
    const r = advanceSprint(ctx.caller, ctx.positionals[0] ?? v.sprint, { from: v.from, to: v.to, confirm: v.confirm === true, skipGate, reason: v.reason });
    if (!r.advanced) {
      if (ctx.json) printJson({ advanced: false, ...r.pause, line: formatPause(r.pause), spent: r.spent, budget: r.budget });
      else printLine(formatPause(r.pause));
      return 1;
    }
    if (r.warning) printErr(r.overrideUsed ? `${r.warning} · passed by override` : r.warning);
    if (ctx.json) {
      printJson({ advanced: true, sprint: r.sprint, from: r.from, to: r.to, spent: r.spent, budget: r.budget, override_used: r.overrideUsed, gate_skipped: r.gateSkipped, forecast: r.forecast });
    } else {
      printLine(`Phase: ${r.from} → ${r.to}`);
    }
    if (r.forecast) for (const line of forecastStderr(r.to, r.forecast, { projection: !ctx.json })) printErr(line);
    return 0;
  },
});

export const stop = command({
  name: 'stop',
  summary: 'Stop a sprint: it no longer advances, its sessions are detached, and it counts nothing more.',
  usage: '[<id>] --reason "..."',
  positionals: [ID_POSITIONAL],
  options: { ...SPRINT_OPTION, reason: { type: 'string', value: 'TEXT', description: 'why (stored in the history)' } },
  run(ctx) {
    const reason = required('--reason', ctx.values.reason, 'stop');
    const { state: st } = stopSprintFor(ctx.caller, ctx.positionals[0] ?? ctx.values.sprint, reason);
    if (ctx.json) printJson(st);
    else printLine(`Stopped ${st.id} in ${st.phase} · ${budgetSummary(st)} · its sessions are detached`);
    return 0;
  },
});

export const artifact = command({
  name: 'artifact',
  summary: 'Record an artifact of the sprint (a gate may require it before a phase); the file must exist.',
  usage: '<type> <path> [--sprint ID]',
  positionals: [
    { name: 'type', description: 'artifact type, e.g. brainstorm, prd, plan', required: true },
    { name: 'path', description: 'where it is', required: true },
  ],
  options: { ...SPRINT_OPTION },
  run(ctx) {
    const type = slugValue('type', ctx.positionals[0] as string);
    const path = ctx.positionals[1] as string;
    const s = recordArtifact(ctx.caller, { sprint: ctx.values.sprint, type, path });
    if (ctx.json) printJson({ sprint: s.id, type, path });
    else printLine(`${s.id}: ${type} = ${plainText(path)}`);
    return 0;
  },
});
