/** PostToolUseFailure for Agent|Task: the dispatch failed, so what it reserved is released (recorded on the reservation). */
import { dispatchFailed } from '../app/dispatch';
import { dispatchOf } from './events';
import { PostToolUseFailure } from './payloads';
import { runHook } from './runtime';

runHook({
  event: 'PostToolUseFailure',
  schema: PostToolUseFailure,
  run(l, p) {
    dispatchFailed(l, dispatchOf(p, Date.now()), p.error ?? 'no error given');
    return null;
  },
  // Nothing to queue: a reservation never settled expires at session end or past its stated age.
  unavailable: () => ({ spool: [] }),
});
