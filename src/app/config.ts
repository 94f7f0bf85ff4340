/**
 * The dispatch policy: what the PreToolUse gate does with a subagent dispatch once the sprint's budget
 * is exceeded. `soft` asks the user (the default: a person decides), `hard` denies, `off` lets it pass.
 * Read from `.sprint-budget/config.json` beside the ledger; `SPRINT_BUDGET_DISPATCH_POLICY` overrides it.
 * A bad value is never silently taken for another: the default applies and the problem is reported.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as z from 'zod/mini';
import { errorMessage } from '../platform/errors';

export const CONFIG_FILE = 'config.json';
export const POLICY_ENV = 'SPRINT_BUDGET_DISPATCH_POLICY';

const Policy = z.enum(['soft', 'hard', 'off']);
export type DispatchPolicy = z.infer<typeof Policy>;
export const DEFAULT_POLICY: DispatchPolicy = 'soft';

// Other keys may live in the same file (other features' settings): only ours are checked.
const Config = z.looseObject({ dispatch_policy: z.optional(Policy) });

export interface PolicyChoice {
  policy: DispatchPolicy;
  source: 'env' | 'config' | 'default';
  /** Set when a configured value was unusable and the default applies instead. */
  problem: string | null;
}

export function configPath(ledgerPath: string): string {
  return join(dirname(ledgerPath), CONFIG_FILE);
}

function fromFile(path: string): { policy: DispatchPolicy | undefined; problem: string | null } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { policy: undefined, problem: null };
    return { policy: undefined, problem: `${path}: ${errorMessage(err)}` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { policy: undefined, problem: `${path} is not JSON (${errorMessage(err)})` };
  }
  const parsed = z.safeParse(Config, raw);
  if (!parsed.success) {
    return { policy: undefined, problem: `${path}: dispatch_policy must be one of soft, hard, off` };
  }
  return { policy: parsed.data.dispatch_policy, problem: null };
}

export function dispatchPolicy(ledgerPath: string, env: NodeJS.ProcessEnv): PolicyChoice {
  const fromEnv = env[POLICY_ENV]?.trim();
  let envProblem: string | null = null;
  if (fromEnv) {
    const parsed = z.safeParse(Policy, fromEnv);
    if (parsed.success) return { policy: parsed.data, source: 'env', problem: null };
    envProblem = `${POLICY_ENV}="${fromEnv}" is not one of soft, hard, off`;
  }
  const file = fromFile(configPath(ledgerPath));
  const problem = envProblem ?? file.problem;
  if (file.policy) return { policy: file.policy, source: 'config', problem };
  return { policy: DEFAULT_POLICY, source: 'default', problem };
}
