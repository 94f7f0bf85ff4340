/**
 * Review triage's budget file: the plugin's config/flux-drive/budget.yaml, or a project's own
 * .claude/flux-drive-budget.yaml, which replaces it whole.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod/mini';
import { DEFAULT_TRIAGE_CONFIG, type TriageConfig } from '../domain/triage';
import { UsageError, firstLine } from '../platform/errors';
import { zodIssues } from '../platform/zod-issues';

/** The plugin's budget file, relative to the plugin root. */
export const SHIPPED_BUDGET_FILE = 'config/flux-drive/budget.yaml';
/** A project's own budget file, relative to the project root; it replaces the plugin's. */
export const PROJECT_BUDGET_FILE = '.claude/flux-drive-budget.yaml';

const Tokens = z.int().check(z.positive());
const Names = z.array(z.string().check(z.minLength(1)));

const BudgetFile = z.strictObject({
  budgets: z.strictObject({
    plan: Tokens,
    brainstorm: Tokens,
    prd: Tokens,
    spec: Tokens,
    'diff-small': Tokens,
    'diff-large': Tokens,
    repo: Tokens,
    other: Tokens,
  }),
  large_diff_lines: Tokens,
  agent_defaults: z.strictObject({ review: Tokens, cognitive: Tokens, research: Tokens, oracle: Tokens, generated: Tokens }),
  slicing_multiplier: z.number().check(z.positive(), z.lte(1)),
  min_agents: z.int().check(z.nonnegative()),
  exempt_agents: Names,
  full_content_agents: Names,
});

/** The keys of `schema` that `raw` leaves out, as `budgets.repo`: a budget file gives every key. */
function missingKeys(schema: z.ZodMiniObject, raw: unknown, prefix = ''): string[] {
  const missing: string[] = [];
  for (const [key, inner] of Object.entries(schema.shape)) {
    const value = typeof raw === 'object' && raw !== null && Object.hasOwn(raw, key) ? (raw as Record<string, unknown>)[key] : undefined;
    if (value === undefined) missing.push(`${prefix}${key}`);
    else if (inner instanceof z.ZodMiniObject) missing.push(...missingKeys(inner, value, `${prefix}${key}.`));
  }
  return missing;
}

/**
 * Parses a budget file. A project's file replaces the plugin's whole (docs/spec.md, "Review
 * triage"): one that leaves keys out is refused with the keys named, never filled in silently.
 */
export async function parseTriageConfig(text: string, origin: string): Promise<TriageConfig> {
  // The YAML parser is a bundle of its own (plugin/dist/yaml.cjs), loaded only here: it is as large as the rest of the CLI.
  const { parse } = await import('yaml');
  let raw: unknown;
  try {
    raw = parse(text) ?? {};
  } catch (err) {
    throw new UsageError(`${origin}: not valid YAML (${firstLine(err)})`);
  }
  const missing = missingKeys(BudgetFile, raw);
  if (missing.length > 0) {
    throw new UsageError(
      `${origin}: missing ${missing.join(', ')} (a project's budget file replaces the plugin's ${SHIPPED_BUDGET_FILE} whole: copy that file and change what you need)`,
    );
  }
  const r = z.safeParse(BudgetFile, raw);
  if (!r.success) throw new UsageError(`${origin}: ${zodIssues(r.error)}`);
  const f = r.data;
  return {
    budgets: { ...f.budgets },
    largeDiffLines: f.large_diff_lines,
    agentDefaults: { ...f.agent_defaults },
    slicingMultiplier: f.slicing_multiplier,
    minAgents: f.min_agents,
    exemptAgents: [...f.exempt_agents],
    fullContentAgents: [...f.full_content_agents],
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

export async function loadTriageConfig(cwd: string): Promise<LoadedTriageConfig> {
  const path = projectBudgetFile(cwd) ?? shippedBudgetFile();
  if (path === null) return { config: DEFAULT_TRIAGE_CONFIG, origin: 'built-in' };
  return { config: await parseTriageConfig(readFileSync(path, 'utf8'), path), origin: path };
}
