/**
 * PreToolUse for Agent|Task, the dispatch gate: bring the sprint's spend up to date, then let the
 * dispatch pass, pass it with a warning for the model, or stop it (SPEC 5 line; deny or ask by
 * policy). A ledger that cannot be read stops nothing and pretends nothing: the dispatch proceeds and
 * the user is told the budget was not checked, and why.
 */
import { dispatchPolicy } from '../app/config';
import { gateDispatch } from '../app/dispatch';
import { refreshSprintUsage } from '../usage/refresh';
import { oneLine } from './answers';
import { gateAnswer } from './gate';
import { PreToolUse } from './payloads';
import { runHook } from './runtime';
import { dispatchOf, sessionSprint } from './session';

runHook({
  event: 'PreToolUse',
  schema: PreToolUse,
  run(l, p, ctx) {
    const choice = dispatchPolicy(l.path, ctx.env);
    const note = choice.problem ? `sprint-budget: ${choice.problem}; using dispatch policy ${choice.policy}` : null;
    const sprint = sessionSprint(l, p);
    if (!sprint || choice.policy === 'off') return gateAnswer({ action: 'allow' }, note);
    refreshSprintUsage(l, sprint, { env: ctx.env });
    return gateAnswer(gateDispatch(l, sprint, dispatchOf(p, Date.now()), choice.policy), note);
  },
  unavailable: (_p, why) => ({
    spool: [],
    answer: { systemMessage: oneLine(`sprint-budget: the budget was not checked for this dispatch (${why.message}); it proceeds`, why.notice) as string },
  }),
});
