/** Figures a tool measured itself, added to a sprint by `sprint-budget record` (idempotent by key). */
import { UsageError } from '../platform/errors';
import { upsertRecords } from '../ledger/records';
import type { Sprint } from '../ledger/sprints';
import { type Caller, callerSession, inProject } from './project';
import { resolveSprint } from './resolve';
import { type SprintSpend, currentSpend } from './spend';

export interface Figure {
  sprint?: string;
  phase: string;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  /** Who measured it. */
  source: string;
  /** What makes the figure unique: writing it again changes nothing. */
  key: string;
  agentType: string;
  model: string | null;
}

/** `sprint-budget record`: stores the figure for the sprint's phase; returns the sprint's spend after it. */
export function recordFigure(caller: Caller, f: Figure): { sprint: Sprint; spend: SprintSpend } {
  return inProject(caller, {}, (l) => {
    const s = resolveSprint(l, f.sprint, callerSession(caller));
    if (!s.phases.includes(f.phase)) throw new UsageError(`--phase: "${f.phase}" is not a phase of ${s.phases.join(',')}`);
    upsertRecords(l, [
      {
        key: f.key,
        kind: 'report',
        source: f.source,
        sessionId: null,
        sprintId: s.id,
        phase: f.phase,
        agentId: null,
        agentType: f.agentType,
        model: f.model,
        ts: Date.now(),
        input: f.input,
        output: f.output,
        cacheRead: f.cacheRead,
        cacheWrite: f.cacheWrite,
        origin: `record:${f.source}:${f.key}`,
      },
    ]);
    return { sprint: s, spend: currentSpend(l, s, caller.env) };
  });
}
