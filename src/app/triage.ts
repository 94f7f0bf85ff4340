/**
 * Review triage against the ledger: the budget file, estimates from each agent type's measured runs,
 * the recorded decision, and afterwards the estimate-vs-measured report (SPEC 6).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod/mini';
import {
  DEFAULT_TRIAGE_CONFIG,
  type CandidateAgent,
  type EffectiveBudget,
  type ReviewInput,
  type TriageConfig,
  type TriageTotals,
  type TriagedAgent,
  agentCost,
  effectiveBudget,
  estimateError,
  launchAll,
  selectAgents,
  triageSummaryLine,
  triageTotals,
} from '../domain/triage';
import { UsageError, errorMessage } from '../lib/errors';
import type { Ledger } from '../ledger/db';
import type { Sprint } from '../ledger/sprints';
import {
  type TriageAgentRecord,
  type TriageRun,
  insertTriageRun,
  nextTriageAt,
  triageRunAgents,
} from '../ledger/triage';
import { agentTypeRuns } from '../ledger/usage';

/** The plugin's budget file, relative to the plugin root. */
export const SHIPPED_BUDGET_FILE = 'config/flux-drive/budget.yaml';
/** A project's own budget file, relative to the project root; it replaces the plugin's. */
export const PROJECT_BUDGET_FILE = '.claude/flux-drive-budget.yaml';

const Tokens = z.int().check(z.positive());
const Names = z.array(z.string().check(z.minLength(1)));

const BudgetFile = z.strictObject({
  budgets: z.optional(
    z.strictObject({
      plan: z.optional(Tokens),
      brainstorm: z.optional(Tokens),
      prd: z.optional(Tokens),
      spec: z.optional(Tokens),
      'diff-small': z.optional(Tokens),
      'diff-large': z.optional(Tokens),
      repo: z.optional(Tokens),
      other: z.optional(Tokens),
    }),
  ),
  large_diff_lines: z.optional(Tokens),
  agent_defaults: z.optional(
    z.strictObject({
      review: z.optional(Tokens),
      cognitive: z.optional(Tokens),
      research: z.optional(Tokens),
      oracle: z.optional(Tokens),
      generated: z.optional(Tokens),
    }),
  ),
  slicing_multiplier: z.optional(z.number().check(z.positive(), z.lte(1))),
  min_agents: z.optional(z.int().check(z.nonnegative())),
  exempt_agents: z.optional(Names),
  full_content_agents: z.optional(Names),
});

// zod/mini ships without message locales ("Invalid input"), so the message comes from the issue itself.
function issueText(i: z.core.$ZodIssue): string {
  switch (i.code) {
    case 'unrecognized_keys':
      return `unknown key ${i.keys.join(', ')}`;
    case 'invalid_type':
      return `expected ${i.expected}`;
    case 'too_small':
      return i.origin === 'array' ? `needs at least ${i.minimum} entries` : `must be ${i.inclusive ? '≥' : '>'} ${i.minimum}`;
    case 'too_big':
      return `must be ${i.inclusive ? '≤' : '<'} ${i.maximum}`;
    case 'invalid_union':
      return 'not one of the allowed values';
    default:
      return i.message;
  }
}

/** One clause per problem: `path: what is wrong`. */
export function zodIssues(error: z.core.$ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(top)'}: ${issueText(i)}`).join('; ');
}

/** Parses a budget file; keys it leaves out keep SPEC 6's values. */
export function parseTriageConfig(text: string, origin: string): TriageConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (err) {
    throw new UsageError(`${origin}: not valid YAML (${errorMessage(err).split('\n')[0]})`);
  }
  const r = z.safeParse(BudgetFile, raw);
  if (!r.success) throw new UsageError(`${origin}: ${zodIssues(r.error)}`);
  const f = r.data;
  const d = DEFAULT_TRIAGE_CONFIG;
  return {
    budgets: { ...d.budgets, ...f.budgets },
    largeDiffLines: f.large_diff_lines ?? d.largeDiffLines,
    agentDefaults: { ...d.agentDefaults, ...f.agent_defaults },
    slicingMultiplier: f.slicing_multiplier ?? d.slicingMultiplier,
    minAgents: f.min_agents ?? d.minAgents,
    exemptAgents: f.exempt_agents ?? [...d.exemptAgents],
    fullContentAgents: f.full_content_agents ?? [...d.fullContentAgents],
  };
}

/** The nearest `.claude/flux-drive-budget.yaml` from `cwd` up to the project root (the directory with `.git`). */
function projectBudgetFile(cwd: string): string | null {
  let dir = resolve(cwd);
  for (;;) {
    const candidate = join(dir, PROJECT_BUDGET_FILE);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (existsSync(join(dir, '.git')) || parent === dir) return null;
    dir = parent;
  }
}

/** The plugin root: the parent of dist/ in the bundle; plugin/ beside src/ when run from the sources. */
function shippedBudgetFile(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const root of [resolve(here, '..'), resolve(here, '../../plugin')]) {
    const candidate = join(root, SHIPPED_BUDGET_FILE);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

export interface LoadedTriageConfig {
  config: TriageConfig;
  /** The file it came from, or `built-in` when the plugin's file is missing. */
  origin: string;
}

export function loadTriageConfig(cwd: string): LoadedTriageConfig {
  const path = projectBudgetFile(cwd) ?? shippedBudgetFile();
  if (path === null) return { config: DEFAULT_TRIAGE_CONFIG, origin: 'built-in' };
  return { config: parseTriageConfig(readFileSync(path, 'utf8'), path), origin: path };
}

export interface TriageRequest {
  input: ReviewInput;
  agents: readonly CandidateAgent[];
  /** FLUX_BUDGET_REMAINING: null when unset (no sprint budget). */
  sprintRemaining: number | null;
  slicing: boolean;
  launchAll: boolean;
  config: TriageConfig;
  sprint: Sprint | null;
  now: number;
}

export interface TriageOutcome {
  /** The recorded run, for `triage report`. */
  id: number;
  budget: EffectiveBudget;
  agents: TriagedAgent[];
  totals: TriageTotals;
  summary: string;
}

/** Estimates each agent, applies the budget cut and records the decision. */
export function triageReview(l: Ledger, req: TriageRequest): TriageOutcome {
  const costed = req.agents.map((a) => ({ ...a, cost: agentCost(a, agentTypeRuns(l, a.agentType).map((r) => r.billing), req.config, req.slicing) }));
  const budget = effectiveBudget(req.config, req.input, req.sprintRemaining);
  const cut = selectAgents(costed, budget.budget, req.config);
  const agents = req.launchAll ? launchAll(cut) : cut;
  const totals = triageTotals(agents, budget.budget);
  const id = insertTriageRun(
    l,
    {
      at: req.now,
      sprintId: req.sprint?.id ?? null,
      phase: req.sprint?.phase ?? null,
      inputType: req.input.type,
      budgetKey: budget.key,
      typeBudget: budget.typeBudget,
      sprintRemaining: budget.sprintRemaining,
      budget: budget.budget,
      slicing: req.slicing,
      launchAll: req.launchAll,
    },
    agents.map((a) => ({
      name: a.name,
      agentType: a.agentType,
      stage: a.stage,
      score: a.score,
      kind: a.cost.kind,
      estimate: a.cost.tokens,
      basis: a.cost.basis,
      runs: a.cost.runs,
      sliced: a.cost.sliced,
      action: a.action,
      reason: a.reason,
    })),
  );
  return { id, budget, agents, totals, summary: triageSummaryLine(totals, budget) };
}

export interface ReportRow {
  /** What measurement can tell apart: launched agents that share a subagent type share a row. */
  agentType: string;
  agents: TriageAgentRecord[];
  estimate: number;
  /** Billing tokens of this type's runs that started in the review's window; null when none has. */
  measured: number | null;
  measuredRuns: number;
  diffPct: number | null;
}

export interface TriageReport {
  run: TriageRun;
  /** The review's window ends where the next triage starts (null: still open). */
  until: number | null;
  rows: ReportRow[];
  totals: { estimate: number; measured: number; diffPct: number | null; measuredRows: number };
}

/**
 * Compares each launched agent's estimate with the billing tokens its type's runs spent between
 * this triage and the next one.
 */
export function triageReport(l: Ledger, run: TriageRun): TriageReport {
  const until = nextTriageAt(l, run);
  const byType = new Map<string, TriageAgentRecord[]>();
  for (const a of triageRunAgents(l, run.id)) {
    if (a.action === 'selected') byType.set(a.agentType, [...(byType.get(a.agentType) ?? []), a]);
  }
  const rows = [...byType].map(([agentType, agents]): ReportRow => {
    const runs = agentTypeRuns(l, agentType, { since: run.at, until });
    const estimate = agents.reduce((n, a) => n + a.estimate, 0);
    const measured = runs.length === 0 ? null : runs.reduce((n, r) => n + r.billing, 0);
    return {
      agentType,
      agents,
      estimate,
      measured,
      measuredRuns: runs.length,
      diffPct: measured === null ? null : estimateError(estimate, measured),
    };
  });
  const measuredRows = rows.filter((r) => r.measured !== null);
  // Totals compare like with like: only the rows that have a measurement.
  const estimate = measuredRows.reduce((n, r) => n + r.estimate, 0);
  const measured = measuredRows.reduce((n, r) => n + (r.measured as number), 0);
  return {
    run,
    until,
    rows,
    totals: { estimate, measured, diffPct: measuredRows.length ? estimateError(estimate, measured) : null, measuredRows: measuredRows.length },
  };
}
