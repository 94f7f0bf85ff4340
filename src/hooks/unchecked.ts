/**
 * A deciding hook whose ledger cannot be used (locked past the wait, unreadable, corrupt, driver
 * missing): the budget cannot be checked, so the policy decides what happens to what the hook guards
 * (docs/spec.md, "When the budget cannot be checked"): `hard` stops it, `soft` puts it to the user,
 * `off` lets it pass; each with a line saying so. The policy is read from config.json, which needs no
 * ledger.
 */
import { type DispatchPolicy, projectConfig } from '../app/config';
import type { Unavailable } from './runtime';

export function uncheckedPolicy(why: Unavailable, env: NodeJS.ProcessEnv): DispatchPolicy {
  return projectConfig(why.ledger, env).policy.policy;
}

/** `sprint-budget: the budget could not be checked (<why>)`. */
export function uncheckedLine(why: Unavailable): string {
  return `sprint-budget: the budget could not be checked (${why.message})`;
}
