/** The dispatch gate's answer to Claude Code (PreToolUse), from the decision in app/dispatch. */
import type { DispatchDecision } from '../app/dispatch';
import { formatTokensShort } from '../domain/tokens';
import { type HookAnswer, contextAnswer, oneLine } from './answers';

const WHAT_NOW =
  'The sprint budget is used up. Ask the user whether to raise it (sprint-budget set-budget <tokens> --reason "...") ' +
  'or continue past it (sprint-budget override --reason "...").';

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
          permissionDecisionReason: `${d.line}\n${WHAT_NOW}`,
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
