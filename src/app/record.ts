/**
 * Figures a tool measured itself, added to a sprint by `sprint-budget record`: unique by sprint,
 * source and key (writing one again changes nothing), as input/output counts or as a total.
 */
import type { SpendRecord } from '../domain/records';
import { billingTokens } from '../domain/tokens';
import { putRecords } from '../ledger/records';
import type { Sprint } from '../ledger/sprints';
import { UsageError } from '../platform/errors';
import { type Caller, callerSession, inProject } from './project';
import { resolveSprint } from './resolve';
import { type SprintSpend, currentSpend } from './spend';

/** What the tool knew: the counts of its responses, or only a total of billing tokens (never split). */
export type Measured = { input: number; output: number; cacheRead: number; cacheWrite: number } | { total: number };

export interface Figure {
  sprint?: string;
  phase: string;
  measured: Measured;
  /** Who measured it. */
  source: string;
  /** What makes the figure unique within what the source reports for the sprint. */
  key: string;
  agentType: string;
  model: string | null;
}

/** The record's key: per sprint and source, so two sprints (or two tools) never share one. */
export function figureKey(sprintId: string, source: string, key: string): string {
  return `record:${sprintId}:${source}:${key}`;
}

function figureRecord(s: Sprint, f: Figure, now: number): SpendRecord {
  const m = f.measured;
  const counts = 'total' in m ? { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, totalOnly: m.total } : { ...m, totalOnly: 0 };
  return {
    key: figureKey(s.id, f.source, f.key),
    kind: 'report',
    source: f.source,
    sessionId: null,
    sprintId: s.id,
    phase: f.phase,
    agentId: null,
    agentType: f.agentType,
    model: f.model,
    ts: now,
    ...counts,
    origin: `record:${f.source}:${f.key}`,
  };
}

/** `sprint-budget record`: stores the figure for the sprint's phase; returns the sprint's spend after it. */
export function recordFigure(caller: Caller, f: Figure): { sprint: Sprint; spend: SprintSpend } {
  return inProject(caller, {}, (l) => {
    const s = resolveSprint(l, f.sprint, callerSession(caller));
    if (s.status !== 'active') throw new UsageError(`sprint ${s.id} is ${s.status}: it counts nothing more`);
    if (!s.phases.includes(f.phase)) throw new UsageError(`--phase: "${f.phase}" is not a phase of ${s.phases.join(',')}`);
    const record = figureRecord(s, f, Date.now());
    l.write(() => {
      // One key, one kind of figure: a total and a split of the same thing would add up to twice it.
      const had = l.stmt('SELECT total_tokens AS total, input_tokens + output_tokens AS split FROM usage WHERE key = ?').get(record.key) as
        | { total: number; split: number }
        | undefined;
      const isTotal = 'total' in f.measured;
      if (had && (isTotal ? had.split > 0 && billingTokens(record) > 0 : had.total > 0 && billingTokens(record) > 0)) {
        throw new UsageError(`--key ${f.key} was recorded ${isTotal ? 'with --input/--output' : 'as a --total'}; record it again the same way`);
      }
      putRecords(l, [record]);
    });
    return { sprint: s, spend: currentSpend(l, s, caller.env) };
  });
}
