/** Dollars, forecasts, calibration and the report, through the built CLI on a real ledger. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLedger } from '../../src/ledger/db';
import { runCli, tempProject } from '../helpers/cli';

/** Every command of a test gets its own config home: `pricing update` never writes the user's. */
function home(): NodeJS.ProcessEnv {
  return { XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'sb-config-')) };
}

function sb(dir: string, env: NodeJS.ProcessEnv, ...args: string[]) {
  const r = runCli(args, { cwd: dir, env });
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r;
}

function json<T = Record<string, unknown>>(dir: string, env: NodeJS.ProcessEnv, ...args: string[]): T {
  return JSON.parse(sb(dir, env, ...args, '--json').stdout) as T;
}

function record(dir: string, env: NodeJS.ProcessEnv, phase: string, key: string, input: number, output: number, model: string, agent = 'main', sprint?: string) {
  sb(dir, env, 'record', '--phase', phase, '--input', String(input), '--output', String(output), '--source', 'test', '--key', key, '--model', model, '--agent-type', agent, ...(sprint ? ['--sprint', sprint] : []));
}

describe('dollars beside billing tokens', () => {
  it('tokens --json: per phase, agent type and model, each record priced by its own model; no price is listed, never $0', () => {
    const dir = tempProject();
    const env = home();
    sb(dir, env, 'create', 'Dollars sprint', '--budget', '100k');
    record(dir, env, 'brainstorm', 'a', 20_000, 3000, 'claude-sonnet-4-5'); // 20000 × 3e-06 + 3000 × 1.5e-05 = $0.105
    record(dir, env, 'brainstorm', 'b', 5000, 1000, 'claude-opus-5-5', 'Explore'); // not in the table
    sb(dir, env, 'advance');
    record(dir, env, 'brainstorm-reviewed', 'c', 40_000, 5000, 'claude-opus-4-8', 'fd-safety'); // 40000 × 5e-06 + 5000 × 2.5e-05 = $0.325
    const b = json<{
      totals: { billing: number; cost_usd: number; unpriced: unknown[] };
      phases: { phase: string; cost_usd: number | null; unpriced: unknown[]; agents: { agent_type: string; cost_usd: number | null }[] }[];
      models: { model: string; billing: number; cost_usd: number | null; unpriced: unknown[] }[];
      costs: { phase: string; agent_type: string; model: string; billing: number; cost_usd: number | null }[];
      pricing: { taken: string };
    }>(dir, env, 'tokens');
    expect(b.totals).toMatchObject({ billing: 74_000, cost_usd: 0.43, unpriced: [{ model: 'claude-opus-5-5', billing: 6000 }] });
    expect(b.phases.slice(0, 2).map((p) => [p.phase, p.cost_usd, p.unpriced.length])).toEqual([
      ['brainstorm', 0.105, 1],
      ['brainstorm-reviewed', 0.325, 0],
    ]);
    expect(b.phases[0]?.agents.map((a) => [a.agent_type, a.cost_usd])).toEqual([
      ['main', 0.105],
      ['Explore', null],
    ]);
    expect(b.models.map((m) => [m.model, m.billing, m.cost_usd])).toEqual([
      ['claude-opus-4-8', 45_000, 0.325],
      ['claude-sonnet-4-5', 23_000, 0.105],
      ['claude-opus-5-5', 6000, null],
    ]);
    expect(b.costs).toHaveLength(3);
    expect(b.pricing.taken).toBe('2026-12-03');
    const text = sb(dir, env, 'tokens').stdout;
    expect(text).toMatch(/Explore +6,000 +no price/);
    expect(text).toContain('No price: claude-opus-5-5 (6,000 billing tokens)');
    const state = json<{ cost: { cost_usd: number; unpriced: unknown[]; pricing_taken: string }; token_budget: number }>(dir, env, 'state');
    expect(state.cost).toEqual({ cost_usd: 0.43, unpriced: [{ model: 'claude-opus-5-5', billing: 6000 }], pricing_taken: '2026-12-03' });
    expect(state.token_budget).toBe(100_000);
  });

  it('pricing update --from a LiteLLM file: its Claude models, dated; the newer table wins over the shipped one', () => {
    const dir = tempProject();
    const env = home();
    sb(dir, env, 'create', 'Pricing sprint');
    record(dir, env, 'brainstorm', 'a', 1000, 100, 'claude-opus-5-5');
    expect(json<{ cost_usd: null }>(dir, env, 'tokens').cost_usd).toBeUndefined();
    const litellm = join(dir, 'model_prices_and_context_window.json');
    writeFileSync(
      litellm,
      JSON.stringify({
        sample_spec: { litellm_provider: 'one of ...', mode: 'chat' },
        'claude-opus-5-5': { litellm_provider: 'anthropic', mode: 'chat', input_cost_per_token: 6e-6, output_cost_per_token: 3e-5, cache_read_input_token_cost: 6e-7, cache_creation_input_token_cost: 7.5e-6 },
        'gpt-x': { litellm_provider: 'openai', mode: 'chat', input_cost_per_token: 1e-6, output_cost_per_token: 1e-6 },
        'claude-embed': { litellm_provider: 'anthropic', mode: 'embedding', input_cost_per_token: 1e-6 },
      }),
    );
    expect(json(dir, env, 'pricing', 'update', '--from', litellm, '--taken', '2027-01-05')).toMatchObject({ taken: '2027-01-05', models: 1 });
    // 1000 × 6e-06 + 100 × 3e-05 = $0.009.
    expect(json<{ totals: { cost_usd: number; unpriced: unknown[] } }>(dir, env, 'tokens').totals).toMatchObject({ cost_usd: 0.009, unpriced: [] });
    expect(json<{ taken: string; models: Record<string, unknown> }>(dir, env, 'pricing')).toMatchObject({ taken: '2027-01-05', models: { 'claude-opus-5-5': {} } });
    // An older file does not replace the newer shipped table.
    sb(dir, env, 'pricing', 'update', '--from', litellm, '--taken', '2020-01-01');
    expect(json<{ taken: string }>(dir, env, 'pricing').taken).toBe('2026-12-03');
    expect(runCli(['pricing', 'update', '--from', join(dir, 'missing.json')], { cwd: dir, env }).code).toBe(2);
  });
});

/** A finished sprint of complexity 3 over plan → build → done, spending `plan` and `build` billing tokens. */
function finishedSprint(dir: string, env: NodeJS.ProcessEnv, plan: number, build: number, key: string): string {
  const id = sb(dir, env, 'create', `Finished ${key}`, '--complexity', '3', '--phases', 'plan,build,done', '--budget', '1M').stdout.trim();
  record(dir, env, 'plan', `${key}-plan`, plan, 0, 'claude-opus-4-8', 'main', id);
  sb(dir, env, 'advance', id);
  record(dir, env, 'build', `${key}-build`, build, 0, 'claude-opus-4-8', 'main', id);
  sb(dir, env, 'advance', id);
  return id;
}

interface ForecastJson {
  label: string;
  basis: string;
  projected_p50: number;
  projected_p90: number;
  over_budget: boolean;
  phases: { phase: string; status: string; estimate: { p50: number; p90: number; basis: string; runs: number } | null; adds: { p50: number; p90: number } }[];
}

describe('forecast and calibration', () => {
  it('projects from the finished sprints of the same complexity (median and p90), warns on stderr phases before the pause, and never estimates a finished phase', () => {
    const dir = tempProject();
    const env = home();
    // plan: 10k, 20k, 60k → median 20k, p90 60k; build: 30k, 40k, 50k → median 40k, p90 50k; done: no runs →
    // its share of the tier-3 default budget, 250k × 5k / (30k + 30k + 5k) rounded down to 1,000 = 19k.
    finishedSprint(dir, env, 10_000, 30_000, 'a');
    finishedSprint(dir, env, 20_000, 40_000, 'b');
    finishedSprint(dir, env, 60_000, 50_000, 'c');

    const created = runCli(['create', 'Forecast sprint', '--complexity', '3', '--phases', 'plan,build,done', '--budget', '50k'], { cwd: dir, env });
    expect(created.code).toBe(0);
    const id = created.stdout.trim();
    expect(created.stderr).toContain('Forecast: projected 79,000 billing tokens (p90 129,000) · over the budget of 50,000 · a projection from the history of 3 finished complexity-3 sprints (default estimates for done)');
    expect(created.stderr).toContain('budget_forecast|plan|projected 79000/50000 billing tokens (p90 129000)');

    // Under way: the plan phase measured 25k, past its median; only its p90 still adds.
    record(dir, env, 'plan', 'f-plan', 25_000, 0, 'claude-opus-4-8', 'main', id);
    const state = runCli(['state', id, '--json'], { cwd: dir, env });
    const fc = (JSON.parse(state.stdout) as { forecast: ForecastJson }).forecast;
    expect(fc).toMatchObject({ label: 'projection', projected_p50: 25_000 + 0 + 40_000 + 19_000, projected_p90: 25_000 + 35_000 + 50_000 + 19_000, over_budget: true });
    expect(fc.phases.map((p) => [p.phase, p.status, p.estimate?.basis ?? null, p.adds.p50])).toEqual([
      ['plan', 'current', 'history', 0],
      ['build', 'pending', 'history', 40_000],
      ['done', 'pending', 'default', 19_000],
    ]);
    expect(state.stderr).toBe('budget_forecast|plan|projected 84000/50000 billing tokens (p90 129000)\n');

    // Advanced: the finished phase carries no estimate.
    const adv = runCli(['advance', id, '--json'], { cwd: dir, env });
    const after = (JSON.parse(adv.stdout) as { forecast: ForecastJson }).forecast;
    expect(after.phases[0]).toMatchObject({ phase: 'plan', status: 'done', estimate: null, adds: { p50: 0, p90: 0 } });
    expect([after.projected_p50, after.projected_p90]).toEqual([84_000, 94_000]);
    expect(adv.stderr).toContain('budget_forecast|build|projected 84000/50000 billing tokens (p90 94000)');

    // Another complexity has no history: its tier's default budget (100k) shared by phase, labelled as such
    // (46k + 46k + 7k), so a sprint on its default budget is not projected over it before anything is known.
    const other = runCli(['create', 'Other tier', '--complexity', '2', '--phases', 'plan,build,done'], { cwd: dir, env });
    expect(other.stderr).toContain("projected 99,000 billing tokens (p90 99,000) · a projection from default estimates: the tier's default budget of 100,000 shared by phase");
    expect(other.stderr).not.toContain('budget_forecast');
    const small = runCli(['create', 'Small budget', '--complexity', '2', '--phases', 'plan,build,done', '--budget', '60k'], { cwd: dir, env });
    expect(small.stderr).toContain('budget_forecast|plan|projected 99000/60000 billing tokens (p90 99000)');
  });

  it('calibrate: runs, median and p90 per complexity and phase, a suggested budget; --apply writes the config, recorded with its reason, and create uses it', () => {
    const dir = tempProject();
    const env = home();
    finishedSprint(dir, env, 10_000, 30_000, 'a');
    finishedSprint(dir, env, 20_000, 40_000, 'b');
    expect(json<{ tiers: { suggested: number | null }[] }>(dir, env, 'calibrate').tiers[2]?.suggested).toBeNull();
    finishedSprint(dir, env, 60_000, 53_000, 'c');

    const cal = json<{ tiers: { complexity: number; runs: number; median: number; p90: number; budget: number; budget_source: string; suggested: number; phases: unknown[] }[] }>(dir, env, 'calibrate');
    // Totals 40k, 60k, 113k: median 60k, p90 113k, suggested 115k (rounded up to 5k).
    expect(cal.tiers[2]).toEqual({
      complexity: 3,
      label: 'moderate',
      runs: 3,
      median: 60_000,
      p90: 113_000,
      budget: 250_000,
      budget_source: 'default',
      suggested: 115_000,
      phases: [
        { phase: 'plan', runs: 3, median: 20_000, p90: 60_000 },
        { phase: 'build', runs: 3, median: 40_000, p90: 53_000 },
      ],
    });
    expect(cal.tiers[0]).toMatchObject({ complexity: 1, runs: 0, suggested: null });

    writeFileSync(join(dir, '.sprint-budget/config.json'), JSON.stringify({ dispatch_policy: 'hard' }));
    const applied = json<{ applied: Record<string, number>; reason: string }>(dir, env, 'calibrate', '--apply', '--reason', 'three sprints in');
    expect(applied).toMatchObject({ applied: { 3: 115_000 }, reason: 'three sprints in' });
    expect(JSON.parse(readFileSync(join(dir, '.sprint-budget/config.json'), 'utf8'))).toEqual({ dispatch_policy: 'hard', tier_budgets: { 3: 115_000 } });
    const l = openLedger(join(dir, '.sprint-budget/ledger.db'));
    try {
      expect(l.db.prepare('SELECT key, before, after, reason FROM config_changes').all()).toEqual([{ key: 'tier_budgets', before: '{}', after: '{"3":115000}', reason: 'three sprints in' }]);
    } finally {
      l.close();
    }
    const next = json<{ token_budget: number; events: { detail: { budget_source: string } }[] }>(dir, env, 'create', 'Next moderate sprint', '--complexity', '3');
    expect(next.token_budget).toBe(115_000);
    expect(next.events[0]?.detail.budget_source).toBe('config');
    expect(json<{ token_budget: number }>(dir, env, 'create', 'A simple one', '--complexity', '2').token_budget).toBe(100_000);
    expect(json<{ tiers: { budget: number; budget_source: string }[] }>(dir, env, 'calibrate').tiers[2]).toMatchObject({ budget: 115_000, budget_source: 'config' });
  });
});

describe('report', () => {
  it('--json: the breakdown, the forecast, spend over time ending at the spend, the budget line and the decisions; the terminal shows them', () => {
    const dir = tempProject();
    const env = home();
    const id = sb(dir, env, 'create', 'Report sprint', '--budget', '30k').stdout.trim();
    record(dir, env, 'brainstorm', 'a', 20_000, 3000, 'claude-sonnet-4-5');
    sb(dir, env, 'advance');
    sb(dir, env, 'set-budget', '60k', '--reason', 'bigger than planned');
    record(dir, env, 'brainstorm-reviewed', 'b', 40_000, 5000, 'claude-opus-4-8', 'fd-safety');
    sb(dir, env, 'override', '--reason', 'finish the review');
    const r = json<{
      sprint: { id: string };
      breakdown: { tokens_spent: number; totals: { cost_usd: number } };
      forecast: { projected_p50: number };
      spend_over_time: { spent: number }[];
      budget_over_time: { budget: number }[];
      events: { kind: string; decision: boolean; reason: string | null }[];
    }>(dir, env, 'report');
    const tokens = json<{ tokens_spent: number; totals: { cost_usd: number } }>(dir, env, 'tokens');
    expect(r.sprint.id).toBe(id);
    expect(r.breakdown.tokens_spent).toBe(tokens.tokens_spent);
    expect(r.breakdown.totals.cost_usd).toBe(tokens.totals.cost_usd);
    expect(r.spend_over_time.map((p) => p.spent)).toEqual([0, 23_000, 68_000]);
    expect(r.budget_over_time.map((b) => b.budget)).toEqual([30_000, 60_000]);
    expect(r.events.filter((e) => e.decision).map((e) => [e.kind, e.reason])).toEqual([
      ['set_budget', 'bigger than planned'],
      ['override', 'finish the review'],
    ]);
    const text = sb(dir, env, 'report').stdout;
    for (const part of ['Per phase', 'Per agent type', 'Spend over time', 'Decisions', 'Per phase × agent type × model']) expect(text).toContain(part);
    expect(text).toMatch(/fd-safety +█+ +45,000 +\$0\.3250/);
    expect(text).toMatch(/└─*\|─*B─*O─*/);
  });
});
