/**
 * Watching spend inside a phase (docs/spec.md, "Threshold alerts and in-phase enforcement"): after
 * every tool call, the sprint's spend brought up to date; each alert threshold is raised once per
 * sprint; past the budget (no override standing) the main loop is stopped under `hard`, the model is
 * told to stop and ask the user under `soft`, and `off` only records. Everything is recorded in the
 * sprint's history; the checks read without a write lock, and write only when there is news.
 */
import { overrideStands } from '../domain/overrides';
import { budgetExceeded, formatPause } from '../domain/protocol';
import { alertLine, loopStopRecorded, thresholdsCrossed } from '../domain/thresholds';
import type { Ledger } from '../ledger/db';
import { type Sprint, type SprintEvent, insertEvent, listEvents } from '../ledger/sprints';
import type { SpendRecord } from '../domain/records';
import { type DispatchPolicy, projectConfig, sprintControls } from './config';
import { type Dispatch, subagentReturned } from './dispatch';
import { configNotice } from './notices';
import { type SessionRef, sessionSprint } from './session';
import { currentSpend } from './spend';

export interface Watch {
  sprint: Sprint;
  policy: DispatchPolicy;
  /** `budget_warning|…` when a threshold was crossed now (the highest one crossed). */
  alert: string | null;
  /** `budget_exceeded|…` while spend is past the budget and no override stands. */
  exceeded: string | null;
  /** The exceedance was first recorded now (the model is told once under `soft`). */
  firstStop: boolean;
  /** An unusable setting, said once per sprint. */
  note: string | null;
}

function raisedThresholds(events: readonly SprintEvent[]): Set<number> {
  const raised = new Set<number>();
  for (const e of events) if (e.kind === 'budget_alert' && typeof e.detail?.threshold === 'number') raised.add(e.detail.threshold);
  return raised;
}

/** PostToolUse (any tool): the sprint's spend checked against its alerts and its budget; null when the session counts toward no sprint. */
export function watchSpend(l: Ledger, session: SessionRef, env: NodeJS.ProcessEnv, at: number): Watch | null {
  const sprint = sessionSprint(l, session, at);
  if (!sprint) return null;
  const config = projectConfig(l.path, env);
  const policy = config.policy.policy;
  const note = configNotice(l, sprint, config.problems, at);
  const quiet: Watch = { sprint, policy, alert: null, exceeded: null, firstStop: false, note };
  const budget = sprint.tokenBudget;
  if (budget === null) return quiet;
  const controls = sprintControls(sprint, config.controls);
  const spent = currentSpend(l, sprint, env).billing;

  const news = (events: readonly SprintEvent[]) => ({
    crossed: thresholdsCrossed(spent, budget, controls.alerts, raisedThresholds(events)),
    exceeded: spent >= budget && !overrideStands(events),
    unrecordedStop: spent >= budget && !overrideStands(events) && !loopStopRecorded(events),
  });
  const seen = news(listEvents(l, sprint.id));
  const line = formatPause(budgetExceeded(sprint.phase, spent, budget));
  if (seen.crossed.length === 0 && !seen.unrecordedStop) return { ...quiet, exceeded: seen.exceeded ? line : null };

  return l.write(() => {
    const now = news(listEvents(l, sprint.id));
    const alert = alertLine(sprint.phase, spent, budget);
    for (const threshold of now.crossed) {
      insertEvent(l, sprint.id, { kind: 'budget_alert', fromPhase: sprint.phase, at, actor: 'sprint-budget', reason: alert, detail: { threshold, spent, budget } });
    }
    if (now.unrecordedStop) {
      const what = policy === 'hard' ? 'the main loop was stopped' : policy === 'soft' ? 'the model was told to stop and ask the user' : 'recorded only (policy off)';
      insertEvent(l, sprint.id, { kind: 'loop_stop', fromPhase: sprint.phase, at, actor: 'sprint-budget', reason: `${line}: ${what}`, detail: { policy, spent, budget } });
    }
    return { ...quiet, alert: now.crossed.length > 0 ? alert : null, exceeded: now.exceeded ? line : null, firstStop: now.unrecordedStop };
  });
}

/** PostToolUse: a subagent's return recorded (for an Agent call), then the sprint's spend watched. */
export function toolReturned(l: Ledger, session: SessionRef, agent: { report: SpendRecord | null; dispatch: Dispatch } | null, env: NodeJS.ProcessEnv, at: number): Watch | null {
  if (agent) subagentReturned(l, session, agent.report, agent.dispatch);
  return watchSpend(l, session, env, at);
}
