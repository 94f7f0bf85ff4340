/** triage, triage report: which review agents fit the budget, and afterwards how the estimates held up. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as z from 'zod/mini';
import { readTriageReport, triage as triageAgents } from '../../app/triage';
import type { AgentKind } from '../../domain/estimates';
import { formatTokensExact } from '../../domain/tokens';
import { type CandidateAgent, INPUT_TYPES, type InputType, type ReviewInput, type TriagedAgent, thousands } from '../../domain/triage';
import { UsageError, firstLine } from '../../platform/errors';
import { zodIssues } from '../../platform/zod-issues';
import { SPRINT_OPTION } from '../common';
import { command } from '../framework';
import { formatTable, printErr, printJson, printLine } from '../output';
import { intValue, optInt, required, slugValue } from '../validate';

const AgentsFile = z
  .array(
    z.object({
      name: z.string(),
      score: z.number(),
      stage: z.union([z.literal(1), z.literal(2)]),
      agent_type: z.optional(z.string()),
    }),
  )
  .check(z.minLength(1));

/** The candidate agents, from a JSON file or stdin (`-`). */
function readAgents(spec: string, cwd: string): CandidateAgent[] {
  let text: string;
  try {
    text = spec === '-' ? readFileSync(0, 'utf8') : readFileSync(resolve(cwd, spec), 'utf8');
  } catch (err) {
    throw new UsageError(`--agents: cannot read ${spec === '-' ? 'stdin' : spec} (${firstLine(err)})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--agents: not valid JSON (${firstLine(err)})`);
  }
  const r = z.safeParse(AgentsFile, raw);
  if (!r.success) throw new UsageError(`--agents: expected [{"name", "score", "stage": 1|2, "agent_type"?}, ...]: ${zodIssues(r.error)}`);
  const seen = new Set<string>();
  return r.data.map((a, i) => {
    const name = slugValue(`--agents[${i}].name`, a.name);
    if (seen.has(name)) throw new UsageError(`--agents: "${name}" is listed twice`);
    seen.add(name);
    return { name, agentType: slugValue(`--agents[${i}].agent_type`, a.agent_type ?? name), score: a.score, stage: a.stage };
  });
}

function reviewInput(typeRaw: string | undefined, diffLinesRaw: string | undefined): ReviewInput {
  const type = required('--input-type', typeRaw, 'triage');
  if (!(INPUT_TYPES as readonly string[]).includes(type)) {
    throw new UsageError(`--input-type: expected one of ${INPUT_TYPES.join(', ')}, got "${type}"`);
  }
  const diffLines = optInt('--diff-lines', diffLinesRaw, 0);
  if (type === 'diff') {
    if (diffLines === undefined) throw new UsageError('triage: --input-type diff needs --diff-lines N (its budget depends on the size)');
    return { type, diffLines };
  }
  if (diffLines !== undefined) throw new UsageError('triage: --diff-lines applies only to --input-type diff');
  return { type: type as Exclude<InputType, 'diff'> };
}

/**
 * The caller's figure for the sprint's remaining budget: `--sprint-remaining`, else
 * FLUX_BUDGET_REMAINING. `none` is no sprint budget; `0` is a budget used up. Anything else is an
 * error, never a silent "no limit". Inside a sprint the sprint's own figure, read at this moment,
 * is used instead (the flag may only lower it).
 */
function givenRemaining(flag: string | undefined, env: NodeJS.ProcessEnv): { value: number | null; from: 'flag' | 'env' } | undefined {
  const [from, name, raw] = flag !== undefined ? (['flag', '--sprint-remaining', flag] as const) : (['env', 'FLUX_BUDGET_REMAINING', env.FLUX_BUDGET_REMAINING] as const);
  if (raw === undefined) return undefined;
  if (raw.trim() === 'none') return { value: null, from };
  if (raw.trim() === '') throw new UsageError(`${name} is empty: leave it unset for no budget, or give the billing tokens left (0 when used up)`);
  return { value: intValue(name, raw, 0), from };
}

function sourceLabel(e: { basis: 'default' | 'measured'; runs: number; kind: AgentKind; sliced: boolean }): string {
  const base = e.basis === 'measured' ? `measured (${e.runs} runs)` : `default (${e.kind})`;
  return e.sliced ? `${base} · sliced` : base;
}

function actionLabel(a: TriagedAgent): string {
  if (a.action === 'deferred') return 'Deferred (budget)';
  if (a.reason === 'exempt') return 'Selected (exempt)';
  if (a.reason === 'min-agents') return 'Selected (min_agents)';
  if (a.reason === 'override') return 'Selected (override)';
  return 'Selected';
}

function signedPct(pct: number | null): string {
  if (pct === null) return '—';
  return `${pct > 0 ? '+' : ''}${pct}%`;
}

const report = command({
  name: 'report',
  summary: "After a review: each launched agent's estimate against the billing tokens its runs measured.",
  usage: '[<triage id>]',
  positionals: [{ name: 'triage id', description: 'the run `triage` recorded (default: the latest)' }],
  details: [
    "Measured = the review's own dispatches for each launched agent: its runs (of its own subagent type, or",
    'dispatched under its name: a description starting with it) that started between this triage and the',
    "sprint's next one, in the sprint's sessions; per run, its transcript responses or its PostToolUse total,",
    'whichever is larger. Diff = (measured - estimate) / estimate. The sprint\'s transcripts are read first.',
    '--json: {triage, until, rows: [{agent, agent_type, agents, estimate, measured, measured_runs, diff_pct}], totals}.',
  ],
  run(ctx) {
    const idArg = ctx.positionals[0];
    const r = readTriageReport(ctx.caller, idArg === undefined ? undefined : intValue('triage id', idArg, 1));
    const { run } = r;
    if (ctx.json) {
      printJson({
        triage: {
          id: run.id,
          at: new Date(run.at).toISOString(),
          sprint: run.sprintId,
          phase: run.phase,
          input_type: run.inputType,
          budget: run.budget,
        },
        until: r.until === null ? null : new Date(r.until).toISOString(),
        rows: r.rows.map((row) => ({
          agent: row.agent.name,
          agent_type: row.agent.agentType,
          agents: [{ name: row.agent.name, estimate: row.agent.estimate, source: row.agent.basis, runs: row.agent.runs, sliced: row.agent.sliced }],
          estimate: row.estimate,
          measured: row.measured,
          measured_runs: row.measuredRuns,
          diff_pct: row.diffPct,
        })),
        totals: { estimate: r.totals.estimate, measured: r.totals.measured, diff_pct: r.totals.diffPct, measured_rows: r.totals.measuredRows },
      });
      return 0;
    }
    const sprintNote = run.sprintId ? ` · sprint ${run.sprintId} (${run.phase})` : '';
    printLine(`Triage #${run.id} · ${run.inputType} · ${new Date(run.at).toISOString().replace('T', ' ').slice(0, 19)}${sprintNote}`);
    const table = formatTable(
      [
        { header: 'Agent', value: (row: (typeof r.rows)[number]) => row.agent.name },
        { header: 'Type', value: (row) => row.agent.agentType },
        { header: 'Est. Tokens', value: (row) => formatTokensExact(row.estimate), align: 'right' },
        { header: 'Source', value: (row) => sourceLabel(row.agent) },
        { header: 'Measured', value: (row) => (row.measured === null ? 'not yet' : formatTokensExact(row.measured)), align: 'right' },
        { header: 'Runs', value: (row) => String(row.measuredRuns), align: 'right' },
        { header: 'Diff', value: (row) => signedPct(row.diffPct), align: 'right' },
      ],
      r.rows,
    );
    for (const line of table) printLine(line);
    if (r.totals.measuredRows === 0) printLine('Nothing measured yet for these agents.');
    else {
      printLine(
        `Total: ${formatTokensExact(r.totals.measured)} measured / ${formatTokensExact(r.totals.estimate)} estimated (${signedPct(r.totals.diffPct)}) over ${r.totals.measuredRows} of ${r.rows.length} agents`,
      );
    }
    return 0;
  },
});

export const triage = command({
  name: 'triage',
  summary: 'Pick the review agents that fit the budget (Stage 1 always runs); print the table and the budget line.',
  usage: '--input-type TYPE [--diff-lines N] --agents FILE|- [--slicing] [--launch-all --reason "..."] [--sprint ID] [--sprint-remaining N|none]',
  options: {
    ...SPRINT_OPTION,
    'input-type': { type: 'string', value: 'TYPE', description: `what is reviewed: ${INPUT_TYPES.join('|')}` },
    'diff-lines': { type: 'string', value: 'N', description: 'size of a diff (--input-type diff): 500+ lines is a large diff' },
    agents: { type: 'string', value: 'FILE|-', description: 'JSON array of {"name", "score", "stage": 1|2, "agent_type"?}; - reads stdin' },
    slicing: { type: 'boolean', description: 'slicing is on: domain review agents get part of the input (estimate × slicing_multiplier)' },
    'launch-all': { type: 'boolean', description: "the user chose to launch every agent: nothing is deferred (an override in the sprint's history; needs --reason)" },
    reason: { type: 'string', value: 'TEXT', description: 'why every agent is launched (--launch-all)' },
    'sprint-remaining': {
      type: 'string',
      value: 'N|none',
      description: 'outside a sprint: the budget left for the review, as FLUX_BUDGET_REMAINING; inside one it may only lower the sprint\'s own figure',
    },
  },
  subcommands: [report],
  details: [
    'Budget = the input type\'s budget (config/flux-drive/budget.yaml, or the project\'s .claude/flux-drive-budget.yaml,',
    'which replaces it whole), capped by what the review\'s sprint has left, read now (the sprint named by --sprint,',
    'else the one this session counts toward); outside a sprint, by --sprint-remaining or FLUX_BUDGET_REMAINING',
    'when given. 0 left defers every optional agent; no sprint budget means the type budget alone.',
    "Estimates: the agent's mean over its own measured runs (its subagent type, or dispatched under its name)",
    'once it has 3, else the default for its kind. Stage 1 and exempt agents always run; Stage 2 agents are',
    'added by score and deferred when they would go over the budget once min_agents are selected (none at 0).',
    'The run is recorded for `sprint-budget triage report`.',
    '--json: {triage_id, input_type, budget_key, type_budget, sprint_remaining, budget, sprint_constrained, slicing,',
    '  launch_all, sprint, config, agents: [...], launch: [names], deferred: [names], totals, summary}.',
  ],
  run(ctx) {
    const v = ctx.values;
    if (ctx.positionals.length > 0) throw new UsageError(`triage: unknown subcommand "${ctx.positionals[0]}" (see: sprint-budget triage --help)`);
    const input = reviewInput(v['input-type'], v['diff-lines']);
    const agents = readAgents(required('--agents', v.agents, 'triage'), ctx.caller.cwd);
    const given = givenRemaining(v['sprint-remaining'], ctx.caller.env);
    const launchAll = v['launch-all'] === true;
    if (launchAll && !v.reason?.trim()) throw new UsageError('triage: --launch-all needs --reason "..." (an override is recorded with its reason)');
    const slicing = v.slicing === true;
    const ask = { sprint: v.sprint, input, agents, given, slicing, launchAll: launchAll ? { reason: (v.reason as string).trim() } : null };
    return triageAgents(ctx.caller, ask).then((t) => {
      const { sprint, configOrigin: origin } = t;
      if (sprint && given?.from === 'env') {
        printErr(`note: FLUX_BUDGET_REMAINING is not read inside a sprint: what ${sprint.id} has left now is used`);
      }
      if (ctx.json) {
        printJson({
          triage_id: t.id,
          input_type: input.type,
          budget_key: t.budget.key,
          type_budget: t.budget.typeBudget,
          sprint_remaining: t.budget.sprintRemaining,
          budget: t.budget.budget,
          sprint_constrained: t.budget.sprintConstrained,
          slicing,
          launch_all: launchAll,
          remaining_from: t.remainingFrom,
          sprint: sprint?.id ?? null,
          config: origin,
          agents: t.agents.map((a) => ({
            name: a.name,
            agent_type: a.agentType,
            score: a.score,
            stage: a.stage,
            kind: a.cost.kind,
            estimate: a.cost.tokens,
            source: a.cost.basis,
            runs: a.cost.runs,
            sliced: a.cost.sliced,
            exempt: a.exempt,
            action: a.action,
            reason: a.reason,
          })),
          launch: t.agents.filter((a) => a.action === 'selected').map((a) => a.name),
          deferred: t.agents.filter((a) => a.action === 'deferred').map((a) => a.name),
          totals: {
            selected_count: t.totals.selectedCount,
            selected_tokens: t.totals.selectedTokens,
            deferred_count: t.totals.deferredCount,
            deferred_tokens: t.totals.deferredTokens,
            percent: t.totals.percent,
          },
          summary: t.summary,
        });
        return 0;
      }
      const table = formatTable(
        [
          { header: 'Agent', value: (a: TriagedAgent) => a.name },
          { header: 'Score', value: (a) => String(a.score), align: 'right' },
          { header: 'Stage', value: (a) => String(a.stage), align: 'right' },
          { header: 'Est. Tokens', value: (a) => formatTokensExact(a.cost.tokens), align: 'right' },
          { header: 'Source', value: (a) => sourceLabel(a.cost) },
          { header: 'Action', value: (a) => actionLabel(a) },
        ],
        t.agents,
      );
      for (const line of table) printLine(line);
      printLine(t.summary);
      const left = t.budget.sprintRemaining;
      const leftNote = t.remainingFrom === 'sprint' ? `sprint ${sprint?.id} has ${thousands(left ?? 0)} left now` : `${thousands(left ?? 0)} left, as given`;
      const budgetNote = `${t.budget.key} budget ${thousands(t.budget.typeBudget)}${left === null ? '' : ` · ${leftNote}`}`;
      printErr(`triage #${t.id} recorded (${budgetNote} · ${origin}); after the review: sprint-budget triage report ${t.id}`);
      return 0;
    });
  },
});
