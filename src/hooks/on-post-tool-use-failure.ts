/** PostToolUseFailure for Agent|Task: the dispatch failed, so what it reserved is released (recorded on the reservation). */
import { dispatchFailed } from '../app/reservations';
import { PostToolUseFailure } from './payloads';
import { runHook } from './runtime';

runHook({
  event: 'PostToolUseFailure',
  schema: PostToolUseFailure,
  run(l, p) {
    dispatchFailed(l, p.tool_use_id, Date.now(), p.error ?? 'no error given');
    return null;
  },
  // Nothing to queue: a reservation never settled expires at session end or past its stated age.
  unavailable: () => ({ spool: [] }),
});
