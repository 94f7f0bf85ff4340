/**
 * PreToolUse for Agent|Task, the dispatch gate: bring the sprint's spend up to date, then let the
 * dispatch pass, pass it with a warning for the model, or stop it (the pause line; deny or ask by
 * policy). A ledger that cannot be read stops nothing and pretends nothing: the dispatch proceeds and
 * the user is told the budget was not checked, and why.
 */
import { gateSubagent } from '../app/dispatch';
import { oneLine } from './answers';
import { dispatchOf, sessionOf } from './events';
import { gateAnswer } from './gate';
import { PreToolUse } from './payloads';
import { runHook } from './runtime';

runHook({
  event: 'PreToolUse',
  schema: PreToolUse,
  run(l, p, ctx) {
    const { decision, policy } = gateSubagent(l, sessionOf(p), dispatchOf(p, Date.now()), ctx.env);
    const note = policy.problem ? `sprint-budget: ${policy.problem}; using dispatch policy ${policy.policy}` : null;
    return gateAnswer(decision, note);
  },
  unavailable: (_p, why) => ({
    spool: [],
    answer: { systemMessage: oneLine(`sprint-budget: the budget was not checked for this dispatch (${why.message}); it proceeds`, why.notice) as string },
  }),
});
