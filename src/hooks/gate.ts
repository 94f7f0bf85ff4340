/** The PreToolUse answers to Claude Code: the dispatch gate's (from the decision in app/dispatch), and a question for the user. */
import type { DispatchDecision } from '../app/dispatch';
import { formatTokensShort } from '../domain/tokens';
import { type HookAnswer, contextAnswer, oneLine } from './answers';

const WHAT_NOW = {
  budget:
    'The sprint budget is used up (spent, or reserved by subagents still running). Ask the user whether to raise it ' +
    '(sprint-budget set-budget <tokens> --reason "...") or continue past it (sprint-budget override --reason "..."), or wait for the running subagents.',
  cap:
    'The sprint has dispatched as many subagents as its fan-out cap allows. Ask the user whether to continue past it ' +
    '(sprint-budget override --reason "..."), or do the work without another subagent.',
};

/** A question for the user (permissionDecision `ask`); in `-p` mode, with nobody to ask, Claude Code denies. */
export function askAnswer(reason: string, note: string | null): HookAnswer {
  return {
    ...(note ? { systemMessage: note } : {}),
    hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'ask', permissionDecisionReason: reason },
  };
}

export function gateAnswer(d: DispatchDecision, note: string | null): HookAnswer | null {
  switch (d.action) {
    case 'deny':
    case 'ask':
      return {
        // The model is told why in the tool result; the user sees the same line.
        ...(d.action === 'deny' ? { systemMessage: oneLine(`sprint-budget: dispatch denied: ${d.line}`, note) as string } : note ? { systemMessage: note } : {}),
        hookSpecificOutput: {
          hookEventName: 'PreToolUse',
          permissionDecision: d.action,
          // First line: the pause line (docs/spec.md, "Pause protocol"), whole, so it can be parsed; then what to do about it.
          permissionDecisionReason: `${d.line}\n${WHAT_NOW[d.kind]}`,
        },
      };
    case 'warn': {
      const basis = d.estimate.basis === 'measured' ? `mean of ${d.estimate.runs} measured runs` : 'default estimate';
      const left = d.overridden ? 'the budget is exceeded (passed by an override)' : `only ${formatTokensShort(d.remaining)} remain in the sprint budget`;
      return contextAnswer(
        'PreToolUse',
        `sprint-budget: a ${d.agentType} subagent is expected to cost about ${formatTokensShort(d.estimate.tokens)} billing tokens (${basis}), and ${left}. Prefer a smaller task or a cheaper agent.`,
        note,
      );
    }
    case 'allow':
      return note ? { systemMessage: note } : null;
  }
}
