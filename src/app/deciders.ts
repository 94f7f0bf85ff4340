/**
 * Who decides (docs/spec.md, "Who decides"). Inside Claude Code the model runs commands through the
 * Bash tool; `override`, a raising `set-budget` and `stop` lift or end the budget, and so would a
 * change to `.sprint-budget/` (its settings, its ledger), so the PreToolUse hook puts them to the
 * user (`ask`) unless the project lets the model decide (`"decisions": "model"`, or
 * `SPRINT_BUDGET_DECISIONS=model` in the environment Claude Code runs in). The question is recorded;
 * the command, when it runs, finds it and records the user as the one who decided.
 */
import { type ActorKind, type DecisionCommand, type DecisionKind, needsPerson } from '../domain/deciders';
import type { Ledger } from '../ledger/db';
import { type Sprint, insertEvent, latestActiveSprint, listEvents } from '../ledger/sprints';
import { actorName, claudeSessionId } from '../platform/env';
import { projectConfig } from './config';
import type { Caller } from './project';
import { type SessionRef, sessionSprint } from './session';

export interface DecisionCheck {
  /** The decisions in the call that need a person. */
  decisions: DecisionCommand[];
  /** Why the user is asked, for the permission prompt (and the model, when the answer is no). */
  reason: string;
  note: string | null;
}

function describe(d: DecisionCommand): string {
  if (d.kind === 'override') return 'continue past the budget (override)';
  if (d.kind === 'stop') return 'stop the sprint';
  if (d.kind === 'settings') return "change the budget's settings or ledger in .sprint-budget/";
  return d.budget === null ? 'remove the budget' : d.budget === undefined ? 'change the budget' : `raise the budget to ${d.budget} billing tokens`;
}

/** A tool call that makes decisions: the command (Bash) or file (Edit, Write) it acts on, and the decisions found in it. */
export interface DecidingCall {
  toolUseId: string;
  /** The command or file, kept with the question. */
  subject: string;
  decisions: DecisionCommand[];
}

/**
 * PreToolUse for Bash, Edit and Write: the decisions in the call that must be put to the user,
 * recorded as asked (keyed by the tool use id); null when none must (none in the call, only a
 * lowering set-budget, or the model may decide).
 */
export function checkDecision(l: Ledger, session: SessionRef, call: DecidingCall, env: NodeJS.ProcessEnv, at: number): DecisionCheck | null {
  const config = projectConfig(l.path, env);
  if (config.decider === 'model') return null;
  const sprint: Sprint | null = sessionSprint(l, session, at) ?? latestActiveSprint(l);
  const asked = call.decisions.filter((d) => needsPerson(d, sprint?.tokenBudget ?? null));
  if (asked.length === 0) return null;
  const reason =
    `sprint-budget: only the user decides to ${asked.map(describe).join(' and ')}. ` +
    'Approve to let it run (recorded as your decision); the model cannot lift its own budget.';
  if (sprint) {
    l.write(() => {
      if (listEvents(l, sprint.id).some((e) => e.kind === 'decision_asked' && e.detail?.tool_use_id === call.toolUseId)) return;
      insertEvent(l, sprint.id, {
        kind: 'decision_asked',
        fromPhase: sprint.phase,
        at,
        actor: `session:${session.sessionId}`,
        reason: call.subject.slice(0, 500),
        detail: { tool_use_id: call.toolUseId, decisions: asked.map((d) => d.kind) },
      });
    });
  }
  return { decisions: asked, reason, note: config.problems.length > 0 ? `sprint-budget: ${config.problems.join('; ')}; the default applies` : null };
}

/** A question answers for a command that runs within this time of it (the command runs right after the user's yes). */
const QUESTION_VALID_MS = 10 * 60_000;

export interface DecisionActor {
  actor: string;
  kind: ActorKind;
  /** The question the user answered (its tool use id), when the decision was confirmed in Claude Code. */
  confirmed: string | null;
}

/**
 * Who is making a decision now: outside Claude Code, the person at the command line (`cli`); inside
 * it, the user when a question for this kind of decision was asked in this session and not used yet,
 * else the model (allowed by the settings, or unconfirmed: recorded as such).
 */
export function decisionActor(l: Ledger, caller: Caller, s: Sprint, kind: DecisionKind, now: number): DecisionActor {
  const session = claudeSessionId(caller.env);
  if (!session) return { actor: `cli:${actorName(caller.env)}`, kind: 'cli', confirmed: null };
  const events = listEvents(l, s.id);
  const used = new Set(events.flatMap((e) => (typeof e.detail?.confirmed_by === 'string' ? [e.detail.confirmed_by] : [])));
  const question = events.findLast(
    (e) =>
      e.kind === 'decision_asked' &&
      now - e.at <= QUESTION_VALID_MS &&
      e.actor === `session:${session}` &&
      Array.isArray(e.detail?.decisions) &&
      (e.detail.decisions as unknown[]).includes(kind) &&
      !used.has(e.detail?.tool_use_id as string),
  );
  if (question) return { actor: `user:session:${session}`, kind: 'user', confirmed: question.detail?.tool_use_id as string };
  return { actor: `model:session:${session}`, kind: 'model', confirmed: null };
}
