/**
 * The project's settings, `.sprint-budget/config.json` beside the ledger (docs/spec.md, "Settings"):
 * - `dispatch_policy` (`SPRINT_BUDGET_DISPATCH_POLICY` overrides it): what a hook does once a budget
 *   is exceeded or cannot be checked. `soft` asks the user (the default: a person decides), `hard`
 *   stops, `off` lets it pass;
 * - `decisions` (`SPRINT_BUDGET_DECISIONS` overrides it): who may override, raise the budget or stop
 *   from inside Claude Code, `user` (the default) or `model`;
 * - the spend controls (domain/controls.ts), project defaults a sprint's `create` options override.
 * A bad value is never silently taken for another. Commands refuse it (exit 2 naming the key); hooks
 * use that key's default and say so once (see `configNotice`).
 */
import { dirname, join } from 'node:path';
import { type Controls, effectiveControls, readControls } from '../domain/controls';
import { DEFAULT_DECIDER, type Decider } from '../domain/deciders';
import type { Sprint } from '../ledger/sprints';
import { UsageError, errorMessage } from '../platform/errors';
import { fileErrorReason, readRegularText } from '../platform/files';

export const CONFIG_FILE = 'config.json';
export const POLICY_ENV = 'SPRINT_BUDGET_DISPATCH_POLICY';
export const DECISIONS_ENV = 'SPRINT_BUDGET_DECISIONS';

const POLICIES = ['soft', 'hard', 'off'] as const;
export type DispatchPolicy = (typeof POLICIES)[number];
export const DEFAULT_POLICY: DispatchPolicy = 'soft';

export type Source = 'env' | 'config' | 'default';

export interface PolicyChoice {
  policy: DispatchPolicy;
  source: Source;
  /** Set when a configured value was unusable and the default applies instead. */
  problem: string | null;
}

export interface ProjectConfig {
  policy: PolicyChoice;
  decider: Decider;
  deciderSource: Source;
  /** The project's control settings (only the keys it sets, each valid). */
  controls: Partial<Controls>;
  /** Every unusable value, one line each naming its key; the default applies for each. */
  problems: string[];
}

export function configPath(ledgerPath: string): string {
  return join(dirname(ledgerPath), CONFIG_FILE);
}

function readFile(path: string): { raw: Record<string, unknown>; problem: string | null } {
  let text: string;
  try {
    // A FIFO there would hold the reading process until a writer came: regular files only.
    text = readRegularText(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { raw: {}, problem: null };
    return { raw: {}, problem: `${path}: ${fileErrorReason(err)}` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { raw: {}, problem: `${path} is not JSON (${errorMessage(err)})` };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { raw: {}, problem: `${path} is not a JSON object` };
  return { raw: raw as Record<string, unknown>, problem: null };
}

/** One setting with an environment override: env, else config, else the default; a bad value is a problem and the default. */
function choose<T extends string>(
  key: string,
  values: readonly T[],
  fallback: T,
  envName: string,
  env: NodeJS.ProcessEnv,
  raw: Record<string, unknown>,
  problems: string[],
  where: string,
): { value: T; source: Source } {
  const fromEnv = env[envName]?.trim();
  if (fromEnv) {
    if ((values as readonly string[]).includes(fromEnv)) return { value: fromEnv as T, source: 'env' };
    problems.push(`${envName}="${fromEnv}" is not one of ${values.join(', ')}`);
  }
  if (!(key in raw)) return { value: fallback, source: 'default' };
  const v = raw[key];
  if (typeof v === 'string' && (values as readonly string[]).includes(v)) return { value: v as T, source: 'config' };
  problems.push(`${where}: ${key}: expected one of ${values.join(', ')}, got ${JSON.stringify(v)}`);
  return { value: fallback, source: 'default' };
}

/** The project's settings, leniently: what is unusable falls back to its default and is listed in `problems`. */
export function projectConfig(ledgerPath: string, env: NodeJS.ProcessEnv): ProjectConfig {
  const path = configPath(ledgerPath);
  const file = readFile(path);
  const problems: string[] = file.problem ? [file.problem] : [];
  const policy = choose('dispatch_policy', POLICIES, DEFAULT_POLICY, POLICY_ENV, env, file.raw, problems, path);
  const policyProblem = problems.length > 0 ? problems.join('; ') : null;
  const decider = choose('decisions', ['user', 'model'] as const, DEFAULT_DECIDER, DECISIONS_ENV, env, file.raw, problems, path);
  const controls = readControls(file.raw);
  for (const p of controls.problems) problems.push(`${path}: ${p.message}`);
  return {
    policy: { policy: policy.value, source: policy.source, problem: policyProblem },
    decider: decider.value,
    deciderSource: decider.source,
    controls: controls.controls,
    problems,
  };
}

/** The project's settings for a command: the first unusable value is an error naming its key (exit 2). */
export function checkedProjectConfig(ledgerPath: string, env: NodeJS.ProcessEnv): ProjectConfig {
  const c = projectConfig(ledgerPath, env);
  if (c.problems.length > 0) throw new UsageError(c.problems[0] as string);
  return c;
}

/** A sprint's controls: its own settings over the project's, over the defaults (a bad stored value is left out). */
export function sprintControls(s: Sprint, project: Partial<Controls>): Controls {
  return effectiveControls(readControls(s.controls).controls, project);
}

/** The project's control settings alone, leniently (what is unusable is left to its default). */
export function projectControls(ledgerPath: string): Partial<Controls> {
  return projectConfig(ledgerPath, {}).controls;
}

/** The dispatch policy alone. */
export function dispatchPolicy(ledgerPath: string, env: NodeJS.ProcessEnv): PolicyChoice {
  return projectConfig(ledgerPath, env).policy;
}
