/**
 * Calibration (docs/spec.md, "Forecast"): what this project's finished sprints measured, per
 * complexity and per phase, and the tier budgets that history suggests. `--apply` writes them to the
 * project's `.sprint-budget/config.json` (`tier_budgets`), where `create` takes its default budget
 * from, and records the change with its reason in the ledger.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { DEFAULT_BUDGETS } from '../domain/budget';
import { COMPLEXITY_LABELS, type Complexity } from '../domain/complexity';
import { MIN_CALIBRATION_RUNS } from '../domain/estimates';
import { median, percentile } from '../domain/forecast';
import type { Ledger } from '../ledger/db';
import { finishedPhaseRuns, finishedSprints } from '../ledger/sprints';
import { UsageError, errorMessage } from '../platform/errors';
import { configPath } from './config';
import { type Caller, callerActor, inProject } from './project';

const TIERS: readonly Complexity[] = [1, 2, 3, 4, 5];

/** Suggested budgets are rounded up to this many billing tokens. */
const ROUND_TO = 5_000;

export interface Runs {
  runs: number;
  median: number | null;
  p90: number | null;
}

function runs(values: readonly number[]): Runs {
  return values.length === 0 ? { runs: 0, median: null, p90: null } : { runs: values.length, median: median(values), p90: percentile(values, 90) };
}

export interface TierCalibration extends Runs {
  complexity: number;
  label: string;
  /** The budget `create` gives this tier now, and where it comes from. */
  budget: number;
  budget_source: 'config' | 'default';
  /** The 90th percentile of finished sprints' totals, rounded up; null with fewer than 3 of them. */
  suggested: number | null;
  phases: ({ phase: string } & Runs)[];
}

export interface Calibration {
  /** Finished sprints needed for a suggestion. */
  min_runs: number;
  tiers: TierCalibration[];
}

/** The project's tier budgets from its config (`tier_budgets`: complexity → billing tokens), where set. */
export function configuredTierBudgets(ledgerPath: string): Partial<Record<Complexity, number>> {
  const raw = readConfig(configPath(ledgerPath));
  const tiers = raw.tier_budgets as Record<string, unknown> | undefined;
  const out: Partial<Record<Complexity, number>> = {};
  if (!tiers || typeof tiers !== 'object') return out;
  for (const t of TIERS) {
    const v = tiers[String(t)];
    if (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) out[t] = v;
  }
  return out;
}

function readConfig(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return {};
  }
  try {
    const raw = JSON.parse(text) as unknown;
    return raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  } catch (err) {
    throw new UsageError(`${path} is not JSON (${errorMessage(err)})`);
  }
}

export function calibration(l: Ledger): Calibration {
  const sprints = finishedSprints(l);
  const configured = configuredTierBudgets(l.path);
  return {
    min_runs: MIN_CALIBRATION_RUNS,
    tiers: TIERS.map((t) => {
      const totals = runs(sprints.filter((s) => s.complexity === t).map((s) => s.billing));
      const phases = finishedPhaseRuns(l, t);
      return {
        complexity: t,
        label: COMPLEXITY_LABELS[t],
        ...totals,
        budget: configured[t] ?? DEFAULT_BUDGETS[t],
        budget_source: configured[t] === undefined ? 'default' : 'config',
        suggested: totals.runs >= MIN_CALIBRATION_RUNS && totals.p90 !== null ? Math.max(ROUND_TO, Math.ceil(totals.p90 / ROUND_TO) * ROUND_TO) : null,
        phases: Object.entries(phases).map(([phase, values]) => ({ phase, ...runs(values) })),
      };
    }),
  };
}

/** `sprint-budget calibrate`. */
export function readCalibration(caller: Caller): Calibration {
  return inProject(caller, {}, (l) => calibration(l));
}

export interface Applied {
  calibration: Calibration;
  config: string;
  /** Complexity → billing tokens, as written; empty when no tier had enough history. */
  applied: Partial<Record<Complexity, number>>;
  before: Partial<Record<Complexity, number>>;
  reason: string;
}

/** `sprint-budget calibrate --apply`: the suggested tier budgets into the project's config, recorded with their reason. */
export function applyCalibration(caller: Caller, reason?: string): Applied {
  return inProject(caller, {}, (l) =>
    // The ledger's write lock also keeps two writers of the config file apart.
    l.write(() => {
      const cal = calibration(l);
      const path = configPath(l.path);
      const before = configuredTierBudgets(l.path);
      const applied: Partial<Record<Complexity, number>> = {};
      for (const t of cal.tiers) if (t.suggested !== null) applied[t.complexity as Complexity] = t.suggested;
      const why =
        reason?.trim() ||
        `calibrated: ${cal.tiers
          .filter((t) => t.suggested !== null)
          .map((t) => `tier ${t.complexity} = p90 of ${t.runs} finished sprints`)
          .join(', ')}`;
      if (Object.keys(applied).length === 0) return { calibration: cal, config: path, applied, before, reason: why };
      const config = readConfig(path);
      const after = { ...before, ...applied };
      config.tier_budgets = Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v]));
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(config, null, 2)}\n`);
      renameSync(tmp, path);
      l.stmt('INSERT INTO config_changes (at, actor, key, before, after, reason) VALUES (?, ?, ?, ?, ?, ?)').run(
        Date.now(),
        callerActor(caller),
        'tier_budgets',
        JSON.stringify(before),
        JSON.stringify(after),
        why,
      );
      return { calibration: cal, config: path, applied, before, reason: why };
    }),
  );
}
