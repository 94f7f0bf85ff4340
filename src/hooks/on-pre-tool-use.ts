/**
 * PreToolUse, for two guards:
 * - Agent|Task, the dispatch gate: bring the sprint's spend up to date, then let the dispatch pass
 *   (reserving its estimate), pass it with a warning for the model, or stop it with the pause line
 *   (deny or ask by policy);
 * - Bash, Edit and Write, who decides: a command that overrides, raises the budget or stops the
 *   sprint, and a change to `.sprint-budget/`, are put to the user unless the project lets the model
 *   decide. Other calls return before any ledger is opened.
 * A ledger that cannot be used pretends nothing: the dispatch is stopped under `hard`, put to the user
 * under `soft`, passed under `off`, each with a line saying the budget was not checked; a decision is
 * put to the user.
 */
import { type DecidingCall, checkDecision } from '../app/deciders';
import { gateSubagent } from '../app/dispatch';
import { type DecisionCommand, decisionCommands, isSettingsPath } from '../domain/deciders';
import { type HookAnswer, oneLine } from './answers';
import { dispatchOf, sessionOf } from './events';
import { askAnswer, gateAnswer } from './gate';
import { PreToolUse, type PreToolUsePayload, inputText } from './payloads';
import { runHook } from './runtime';
import { uncheckedLine, uncheckedPolicy } from './unchecked';

const isDispatch = (p: PreToolUsePayload) => p.tool_name === 'Agent' || p.tool_name === 'Task';

/** The command or file a call acts on, and the decisions in it: none for a tool that decides nothing. */
function decidingCall(p: PreToolUsePayload): DecidingCall {
  let subject = '';
  let decisions: DecisionCommand[] = [];
  if (p.tool_name === 'Bash') {
    subject = inputText(p.tool_input, 'command') ?? '';
    decisions = decisionCommands(subject);
  } else if (p.tool_name === 'Edit' || p.tool_name === 'Write') {
    subject = inputText(p.tool_input, 'file_path') ?? '';
    if (isSettingsPath(subject)) decisions = [{ kind: 'settings' }];
  }
  return { toolUseId: p.tool_use_id, subject, decisions };
}

runHook({
  event: 'PreToolUse',
  schema: PreToolUse,
  relevant: (p) => isDispatch(p) || decidingCall(p).decisions.length > 0,
  run(l, p, ctx) {
    const at = Date.now();
    if (!isDispatch(p)) {
      const check = checkDecision(l, sessionOf(p), decidingCall(p), ctx.env, at);
      return check ? askAnswer(check.reason, check.note) : null;
    }
    const { decision, note } = gateSubagent(l, sessionOf(p), dispatchOf(p, at), ctx.env);
    return gateAnswer(decision, note);
  },
  unavailable(p, why): { spool: []; answer: HookAnswer } {
    const line = uncheckedLine(why);
    if (!isDispatch(p)) return { spool: [], answer: askAnswer(`${line}; only the user decides to run this.`, why.notice) };
    const policy = uncheckedPolicy(why, process.env);
    if (policy === 'off') return { spool: [], answer: { systemMessage: oneLine(`${line}; the dispatch proceeds (policy off)`, why.notice) as string } };
    const verdict = policy === 'hard' ? 'under the hard policy the dispatch is stopped' : 'you decide whether the dispatch runs';
    return {
      spool: [],
      answer: {
        systemMessage: oneLine(`${line}; ${verdict}`, why.notice) as string,
        hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: policy === 'hard' ? 'deny' : 'ask', permissionDecisionReason: `${line}; ${verdict}.` },
      },
    };
  },
});
