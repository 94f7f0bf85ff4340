/** Bringing a sprint's spend up to date before a decision (SPEC 9.9). Filled in by the transcript reader. */
import type { Ledger } from '../ledger/db';
import type { Sprint } from '../ledger/sprints';

export interface RefreshOptions {
  env: NodeJS.ProcessEnv;
}

export function refreshSprintUsage(_l: Ledger, _s: Sprint, _opts: RefreshOptions): void {}
