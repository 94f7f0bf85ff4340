/**
 * SessionStart: attach the session to the project's active sprint, tell the model where the sprint
 * stands in one line, and give the session's shell FLUX_BUDGET_REMAINING (unset without a budget:
 * "no budget" and "nothing left" never share a value).
 */
import { appendFileSync } from 'node:fs';
import { startSession } from '../app/session';
import { contextAnswer, noticeAnswer, sprintContextLine } from './answers';
import { attachEvent, sessionOf } from './events';
import { SessionStart } from './payloads';
import { runHook } from './runtime';

/** Lines for CLAUDE_ENV_FILE, which Claude Code sources before each Bash tool command. */
function writeBudgetEnv(file: string | undefined, remaining: number | null): void {
  if (!file) return;
  appendFileSync(file, remaining === null ? 'unset FLUX_BUDGET_REMAINING\n' : `export FLUX_BUDGET_REMAINING=${remaining}\n`);
}

runHook({
  event: 'SessionStart',
  schema: SessionStart,
  run(l, p, ctx) {
    const started = startSession(l, sessionOf(p), ctx.env);
    writeBudgetEnv(ctx.env.CLAUDE_ENV_FILE, started ? started.spend.remaining : null);
    return started ? contextAnswer('SessionStart', sprintContextLine(started.sprint, started.spend)) : null;
  },
  // The remaining budget is unknown: FLUX_BUDGET_REMAINING is left alone rather than guessed
  // (unset would read as "no budget"); the sprint command exports it before each review anyway.
  unavailable: (p, why) => ({ spool: [attachEvent(p)], answer: noticeAnswer(why.notice) }),
  // The first thing a user does in a new project is a command (`create`): its driver is built by then.
  prepareBinding: true,
});
