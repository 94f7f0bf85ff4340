/**
 * SessionStart: attach the session to the project's active sprint, tell the model where the sprint
 * stands in one line, and give the session's shell FLUX_BUDGET_REMAINING (unset without a budget:
 * "no budget" and "nothing left" never share a value, SPEC 6).
 */
import { appendFileSync } from 'node:fs';
import { sprintSpend } from '../app/spend';
import { refreshSprintUsage } from '../usage/refresh';
import { contextAnswer, noticeAnswer, sprintContextLine } from './answers';
import { SessionStart } from './payloads';
import { runHook } from './runtime';
import { attachEvent, sessionSprint } from './session';

/** Lines for CLAUDE_ENV_FILE, which Claude Code sources before each Bash tool command. */
function writeBudgetEnv(file: string | undefined, remaining: number | null): void {
  if (!file) return;
  appendFileSync(file, remaining === null ? 'unset FLUX_BUDGET_REMAINING\n' : `export FLUX_BUDGET_REMAINING=${remaining}\n`);
}

runHook({
  event: 'SessionStart',
  schema: SessionStart,
  run(l, p, ctx) {
    const sprint = sessionSprint(l, p);
    if (!sprint) {
      writeBudgetEnv(ctx.env.CLAUDE_ENV_FILE, null);
      return null;
    }
    refreshSprintUsage(l, sprint, { env: ctx.env });
    const spend = sprintSpend(l, sprint);
    writeBudgetEnv(ctx.env.CLAUDE_ENV_FILE, spend.remaining);
    return contextAnswer('SessionStart', sprintContextLine(sprint, spend));
  },
  // The remaining budget is unknown: FLUX_BUDGET_REMAINING is left alone rather than guessed
  // (unset would read as "no budget"); the sprint command exports it before each review anyway.
  unavailable: (p, why) => ({ spool: [attachEvent(p)], answer: noticeAnswer(why.notice) }),
});
