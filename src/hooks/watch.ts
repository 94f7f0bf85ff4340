/** The PostToolUse answer of the in-phase watch (app/watch): alerts, and the stop past the budget by policy. */
import type { Watch } from '../app/watch';
import { type HookAnswer, oneLine } from './answers';

const ASK_USER =
  'The sprint budget is used up. Stop here and ask the user whether to raise it (sprint-budget set-budget <tokens> --reason "..."), ' +
  'continue past it (sprint-budget override --reason "..."), or stop the sprint. Do not go on with the work until they answer.';

export function watchAnswer(w: Watch | null): HookAnswer | null {
  if (!w) return null;
  const note = w.note;
  if (w.exceeded && w.policy === 'hard') {
    // Claude Code makes no further request in this turn; the line is the reason shown to the user.
    return { continue: false, stopReason: w.exceeded, systemMessage: oneLine(w.alert, `sprint-budget: the main loop is stopped: ${w.exceeded}`, note) as string };
  }
  const forModel = [w.alert, w.exceeded && w.firstStop && w.policy === 'soft' ? `${w.exceeded}\n${ASK_USER}` : null].filter(Boolean).join('\n');
  const systemMessage = oneLine(w.alert, note);
  if (!forModel) return systemMessage ? { systemMessage } : null;
  return {
    ...(systemMessage ? { systemMessage } : {}),
    hookSpecificOutput: { hookEventName: 'PostToolUse', additionalContext: forModel },
  };
}
