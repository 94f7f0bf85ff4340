/** calibrate: what finished sprints measured, and the tier budgets it suggests. */
import { applyCalibration, readCalibration } from '../../app/calibrate';
import { formatTokensExact } from '../../domain/tokens';
import { command } from '../framework';
import { formatTable, printJson, printLine } from '../output';

const n = (v: number | null): string => (v === null ? '—' : formatTokensExact(v));

export const calibrate = command({
  name: 'calibrate',
  summary: "Per complexity and phase, this project's finished sprints (runs, median, p90), and suggested tier budgets.",
  usage: '[--apply [--reason "..."]]',
  options: {
    apply: { type: 'boolean', description: "write the suggested budgets to the project's .sprint-budget/config.json (tier_budgets)" },
    reason: { type: 'string', value: 'TEXT', description: 'why, recorded with the change (default: what it was calibrated from)' },
  },
  details: [
    'A tier needs 3 finished (done) sprints for a suggestion: the 90th percentile of their totals, rounded up',
    'to 5,000 billing tokens. `create` then takes a new sprint\'s default budget from tier_budgets. Forecasts',
    'use the same history per phase (median and p90). The change is recorded in the ledger with its reason.',
    '--json: {min_runs, tiers: [{complexity, label, runs, median, p90, budget, budget_source, suggested,',
    '  phases: [{phase, runs, median, p90}]}]}; with --apply also {config, applied, before, reason}.',
  ],
  run(ctx) {
    const applied = ctx.values.apply === true ? applyCalibration(ctx.caller, ctx.values.reason) : null;
    const cal = applied?.calibration ?? readCalibration(ctx.caller);
    if (ctx.json) {
      printJson(applied ? { ...cal, config: applied.config, applied: applied.applied, before: applied.before, reason: applied.reason } : cal);
      return 0;
    }
    const tiers = formatTable<(typeof cal.tiers)[number]>(
      [
        { header: 'Complexity', value: (t) => `${t.complexity} ${t.label}` },
        { header: 'Finished', value: (t) => String(t.runs), align: 'right' },
        { header: 'Median', value: (t) => n(t.median), align: 'right' },
        { header: 'p90', value: (t) => n(t.p90), align: 'right' },
        { header: 'Budget now', value: (t) => `${formatTokensExact(t.budget)} (${t.budget_source})`, align: 'right' },
        { header: 'Suggested', value: (t) => (t.suggested === null ? `— (needs ${cal.min_runs})` : formatTokensExact(t.suggested)), align: 'right' },
      ],
      cal.tiers,
    );
    for (const line of tiers) printLine(line);
    for (const t of cal.tiers.filter((x) => x.phases.length > 0)) {
      printLine(`Complexity ${t.complexity}, per phase`);
      const phases = formatTable<(typeof t.phases)[number]>(
        [
          { header: 'Phase', value: (p) => p.phase },
          { header: 'Runs', value: (p) => String(p.runs), align: 'right' },
          { header: 'Median', value: (p) => n(p.median), align: 'right' },
          { header: 'p90', value: (p) => n(p.p90), align: 'right' },
        ],
        t.phases,
      );
      for (const line of phases) printLine(`  ${line}`);
    }
    if (applied) {
      const list = Object.entries(applied.applied).map(([k, v]) => `${k} → ${formatTokensExact(v)}`);
      printLine(list.length === 0 ? 'Nothing applied: no tier has enough finished sprints.' : `Applied to ${applied.config}: ${list.join(', ')} (${applied.reason})`);
    }
    return 0;
  },
});
