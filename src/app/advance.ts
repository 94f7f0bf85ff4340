/**
 * Advancing a phase (docs/spec.md, "Advancing"): bring spend up to date, check the budget (an
 * override lets it pass), check the gate and auto-advance, then move the sprint and close the
 * phase's figures — the checks and the move in one IMMEDIATE transaction, so racing advances move
 * the sprint once.
 */
import type { Forecast } from '../domain/forecast';
import { overridePending } from '../domain/overrides';
import { budgetWarningLine, budgetExceeded, gateBlocked, manualPause, type Pause, stalePhase } from '../domain/protocol';
import { isTerminal, nextPhase } from '../domain/phases';
import { type SpendCounts, ZERO_SPEND, addSpend, billingTokens } from '../domain/tokens';
import type { Ledger } from '../ledger/db';
import { detachSprintSessions } from '../ledger/sessions';
import { type Sprint, getSprint, insertEvent, listArtifacts, listEvents, setPhase } from '../ledger/sprints';
import { UsageError } from '../platform/errors';
import { sprintForecast } from './forecast';
import type { Controls } from '../domain/controls';
import { checkedProjectConfig, sprintControls } from './config';
import { type Caller, callerActor, callerSession, inProject } from './project';
import { resolveSprint } from './resolve';
import { currentSpend, recordedSpend } from './spend';
import { sprintStages, stagePause } from './stages';

export interface AdvanceRequest {
  /** The phase the caller believes the sprint is in; a mismatch is `stale_phase`. */
  from?: string;
  /** The phase the caller means to enter (the one a gate_blocked or manual_pause line names); a mismatch is `stale_phase`. */
  to?: string;
  /** Passes a manual pause (auto_advance=false): the user said continue. */
  confirm?: boolean;
  /** Passes a gate; recorded with the reason. */
  skipGate?: boolean;
  reason?: string;
}

export interface AdvanceOptions extends AdvanceRequest {
  actor: string;
  now: number;
  /** The sprint's stage-budget settings (none: no stage check). */
  stages?: Pick<Controls, 'stageShares' | 'stageMinTokens'>;
}

export type AdvanceResult =
  | {
      advanced: true;
      from: string;
      to: string;
      spent: number;
      budget: number | null;
      overrideUsed: boolean;
      gateSkipped: string[];
      /** `budget_warning|...` for stderr, when past warn_pct or past the budget under an override. */
      warning: string | null;
    }
  | { advanced: false; pause: Pause; spent: number; budget: number | null };

/**
 * The phase the caller believes the sprint is in: `--from`, or the phase before `--to`. A phase
 * this sprint does not have is a bad argument, not a stale view.
 */
function believedPhase(s: Sprint, req: AdvanceRequest): string | undefined {
  const chain = s.phases.join(',');
  for (const [flag, phase] of [['--from', req.from], ['--to', req.to]] as const) {
    if (phase !== undefined && !s.phases.includes(phase)) throw new UsageError(`${flag}: "${phase}" is not a phase of sprint ${s.id} (${chain})`);
  }
  if (req.to === undefined) return req.from;
  const before = s.phases[s.phases.indexOf(req.to) - 1];
  if (before === undefined) throw new UsageError(`--to: "${req.to}" is where sprint ${s.id} starts; no advance enters it`);
  if (req.from !== undefined && req.from !== before) throw new UsageError(`--from ${req.from} --to ${req.to}: "${req.to}" does not follow "${req.from}" (${chain})`);
  return before;
}

export function advanceSprint(l: Ledger, sprintId: string, opts: AdvanceOptions): AdvanceResult {
  return l.write((): AdvanceResult => {
    const s = getSprint(l, sprintId);
    if (!s) throw new UsageError(`unknown sprint "${sprintId}"`);
    const spend = recordedSpend(l, s);
    const base = { spent: spend.billing, budget: s.tokenBudget };
    const believed = believedPhase(s, opts);
    if (believed !== undefined && believed !== s.phase) return { advanced: false, pause: stalePhase(believed, s.phase, s.phases), ...base };
    if (s.status !== 'active') throw new UsageError(`sprint ${s.id} is ${s.status}; it does not advance`);
    const to = nextPhase(s.phases, s.phase);
    if (to === null) throw new UsageError(`sprint ${s.id} is already in its final phase "${s.phase}"`);

    const events = listEvents(l, s.id);
    const exceeded = spend.state === 'exceeded';
    const overrideUsed = exceeded && overridePending(events);
    if (exceeded && !overrideUsed) {
      return { advanced: false, pause: budgetExceeded(s.phase, spend.billing, s.tokenBudget as number), ...base };
    }
    // The stage's own share (docs/spec.md, "Stage budgets"); a pending override passes it too.
    const stageStop = opts.stages ? stagePause(s, sprintStages(s, spend, opts.stages)) : null;
    if (stageStop && !overridePending(events)) return { advanced: false, pause: stageStop, ...base };

    const artifacts = listArtifacts(l, s.id);
    const missing = (s.gates[to] ?? []).filter((type) => !artifacts[type]);
    if (missing.length > 0 && !opts.skipGate) {
      return {
        advanced: false,
        pause: gateBlocked(to, `missing artifact ${missing.join(', ')} (record it: sprint-budget artifact ${missing[0]} <path>)`),
        ...base,
      };
    }
    if (!s.autoAdvance && !opts.confirm) return { advanced: false, pause: manualPause(to), ...base };

    const finished = isTerminal(s.phases, to);
    setPhase(l, s.id, to, finished ? 'done' : 'active', opts.now);
    // A done sprint counts nothing more: what its sessions do from now on is theirs alone.
    if (finished) detachSprintSessions(l, s.id, opts.now);
    if (missing.length > 0) {
      insertEvent(l, s.id, {
        kind: 'skip_gate',
        fromPhase: s.phase,
        toPhase: to,
        at: opts.now,
        actor: opts.actor,
        reason: opts.reason ?? null,
        detail: { missing },
      });
    }
    const closed = spend.rows.filter((r) => r.phase === s.phase);
    const closedTotals = closed.reduce<SpendCounts>((acc, r) => addSpend(acc, r), { ...ZERO_SPEND });
    insertEvent(l, s.id, {
      kind: 'advance',
      fromPhase: s.phase,
      toPhase: to,
      at: opts.now,
      actor: opts.actor,
      reason: overrideUsed || stageStop ? 'budget override' : null,
      detail: {
        override_used: overrideUsed || stageStop !== null,
        spent: spend.billing,
        budget: s.tokenBudget,
        closed: {
          phase: s.phase,
          billing: billingTokens(closedTotals),
          input: closedTotals.input,
          output: closedTotals.output,
          cache_read: closedTotals.cacheRead,
          cache_write: closedTotals.cacheWrite,
          total_only: closedTotals.totalOnly,
          records: closed.reduce((n, r) => n + r.records, 0),
        },
      },
    });
    const warn =
      s.tokenBudget !== null && (spend.state === 'warning' || spend.state === 'exceeded')
        ? budgetWarningLine(s.phase, spend.billing, s.tokenBudget)
        : null;
    return {
      advanced: true,
      from: s.phase,
      to,
      spent: spend.billing,
      budget: s.tokenBudget,
      overrideUsed,
      gateSkipped: missing,
      warning: warn,
    };
  });
}

/**
 * `sprint-budget advance`: the sprint's spend brought up to date, then the advance (or its pause);
 * after a move, the forecast of the sprint's total from the phase it entered.
 */
export function advance(caller: Caller, id: string | undefined, req: AdvanceRequest): AdvanceResult & { sprint: string; forecast: Forecast | null } {
  return inProject(caller, {}, (l) => {
    const s = resolveSprint(l, id, callerSession(caller));
    const stages = sprintControls(s, checkedProjectConfig(l.path, caller.env).controls);
    currentSpend(l, s, caller.env);
    const r = advanceSprint(l, s.id, { ...req, actor: callerActor(caller), now: Date.now(), stages });
    const after = getSprint(l, s.id);
    const forecast = r.advanced && after ? sprintForecast(l, after, recordedSpend(l, after)) : null;
    return { sprint: s.id, ...r, forecast };
  });
}
