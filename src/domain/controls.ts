/**
 * Spend controls inside a phase and across parallel agents (docs/spec.md, "Spend controls"): the
 * settings, their defaults and their validation. Pure. A setting comes from a sprint's own `create`
 * options, else the project's `.sprint-budget/config.json`, else its default; each key is checked
 * alone, so one bad key names itself and never silently becomes another value.
 */
import { STAGES, type Stage } from './stages';

export interface Controls {
  /** Percentages of the budget at which an alert is raised once per sprint (empty: none). */
  alerts: number[];
  maxAgentsPerPhase: number | null;
  maxAgentsPerSprint: number | null;
  maxConcurrent: number | null;
  /** Percent of the sprint budget per stage; null: no stage budgets. */
  stageShares: Partial<Record<Stage, number>> | null;
  /** The least a stage with a share gets, in billing tokens. */
  stageMinTokens: number;
  /** A reservation never settled expires after this many minutes. */
  reservationMaxAgeMinutes: number;
}

export const DEFAULT_CONTROLS: Readonly<Controls> = Object.freeze({
  alerts: [50, 80, 100],
  maxAgentsPerPhase: null,
  maxAgentsPerSprint: null,
  maxConcurrent: null,
  stageShares: null,
  stageMinTokens: 0,
  reservationMaxAgeMinutes: 60,
});

/** The keys as written in config.json and stored with a sprint. */
export const CONTROL_KEYS = {
  alerts: 'alerts',
  maxAgentsPerPhase: 'max_agents_per_phase',
  maxAgentsPerSprint: 'max_agents_per_sprint',
  maxConcurrent: 'max_concurrent_agents',
  stageShares: 'stage_shares',
  stageMinTokens: 'stage_min_tokens',
  reservationMaxAgeMinutes: 'reservation_max_age_minutes',
} as const satisfies Record<keyof Controls, string>;

/** A setting that is not what its key takes. */
export class ControlError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`${key}: ${message}`);
  }
}

function positiveInt(key: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw new ControlError(key, `expected a positive integer, got ${JSON.stringify(v)}`);
  return v;
}

function capValue(key: string, v: unknown): number | null {
  return v === null ? null : positiveInt(key, v);
}

function alertList(key: string, v: unknown): number[] {
  if (!Array.isArray(v)) throw new ControlError(key, `expected a list of percentages (e.g. [50, 80, 100]), got ${JSON.stringify(v)}`);
  const out = new Set<number>();
  for (const p of v) {
    if (typeof p !== 'number' || !Number.isSafeInteger(p) || p < 1 || p > 1000) {
      throw new ControlError(key, `each threshold is an integer percent from 1 to 1000, got ${JSON.stringify(p)}`);
    }
    out.add(p);
  }
  return [...out].sort((a, b) => a - b);
}

function shares(key: string, v: unknown): Partial<Record<Stage, number>> | null {
  if (v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v)) throw new ControlError(key, `expected {"<stage>": <percent>, ...} with stages ${STAGES.join(', ')}`);
  const out: Partial<Record<Stage, number>> = {};
  for (const [stage, pct] of Object.entries(v as Record<string, unknown>)) {
    if (!(STAGES as readonly string[]).includes(stage)) throw new ControlError(key, `"${stage}" is not a stage (${STAGES.join(', ')})`);
    if (typeof pct !== 'number' || !Number.isFinite(pct) || pct <= 0 || pct > 100) {
      throw new ControlError(key, `the share of ${stage} is a percent above 0 and at most 100, got ${JSON.stringify(pct)}`);
    }
    out[stage as Stage] = pct;
  }
  if (Object.keys(out).length === 0) throw new ControlError(key, 'name at least one stage (or leave the key out)');
  return out;
}

function nonNegativeInt(key: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new ControlError(key, `expected an integer ≥ 0, got ${JSON.stringify(v)}`);
  return v;
}

const PARSERS: { [K in keyof Controls]: (key: string, v: unknown) => Controls[K] } = {
  alerts: alertList,
  maxAgentsPerPhase: capValue,
  maxAgentsPerSprint: capValue,
  maxConcurrent: capValue,
  stageShares: shares,
  stageMinTokens: nonNegativeInt,
  reservationMaxAgeMinutes: positiveInt,
};

/** The settings present in `raw` (a config file's object, or a sprint's stored controls), each checked. */
export function readControls(raw: Record<string, unknown>): { controls: Partial<Controls>; problems: ControlError[] } {
  const controls: Partial<Controls> = {};
  const problems: ControlError[] = [];
  for (const field of Object.keys(PARSERS) as (keyof Controls)[]) {
    const key = CONTROL_KEYS[field];
    if (!(key in raw)) continue;
    try {
      (controls as Record<string, unknown>)[field] = PARSERS[field](key, raw[key]);
    } catch (err) {
      if (!(err instanceof ControlError)) throw err;
      problems.push(err);
    }
  }
  return { controls, problems };
}

/** Settings as stored (config.json's keys), for a sprint's row. */
export function controlsToJson(c: Partial<Controls>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of Object.keys(c) as (keyof Controls)[]) out[CONTROL_KEYS[field]] = c[field];
  return out;
}

/** The sprint's own settings over the project's, over the defaults. */
export function effectiveControls(sprint: Partial<Controls>, project: Partial<Controls>): Controls {
  return { ...DEFAULT_CONTROLS, ...project, ...sprint };
}
