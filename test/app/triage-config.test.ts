import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHIPPED_BUDGET_FILE, parseTriageConfig } from '../../src/app/triage-config';
import { DEFAULT_TRIAGE_CONFIG } from '../../src/domain/triage';
import { PLUGIN } from '../helpers/cli';

describe('budget file', () => {
  it('the shipped config/flux-drive/budget.yaml holds exactly the numbers of the contract', async () => {
    const path = join(PLUGIN, SHIPPED_BUDGET_FILE);
    expect(await parseTriageConfig(readFileSync(path, 'utf8'), path)).toEqual(DEFAULT_TRIAGE_CONFIG);
  });

  it('a project file replaces it whole: one that leaves keys out is refused, the keys named', async () => {
    const shipped = readFileSync(join(PLUGIN, SHIPPED_BUDGET_FILE), 'utf8');
    const c = await parseTriageConfig(shipped.replace('plan: 150000', 'plan: 90000').replace('min_agents: 2', 'min_agents: 3'), 'p.yaml');
    expect(c).toEqual({ ...DEFAULT_TRIAGE_CONFIG, budgets: { ...DEFAULT_TRIAGE_CONFIG.budgets, plan: 90_000 }, minAgents: 3 });
    await expect(parseTriageConfig('budgets:\n  plan: 90000\nmin_agents: 3\n', 'p.yaml')).rejects.toThrow(
      /^p\.yaml: missing budgets\.brainstorm, budgets\.prd, .*budgets\.other, large_diff_lines, agent_defaults, slicing_multiplier, exempt_agents, full_content_agents \(a project's budget file replaces the plugin's config\/flux-drive\/budget\.yaml whole/,
    );
    await expect(parseTriageConfig('', 'empty.yaml')).rejects.toThrow(/^empty\.yaml: missing budgets, large_diff_lines/);
  });

  it('rejects unknown keys, bad numbers and broken YAML with the file named', async () => {
    const shipped = readFileSync(join(PLUGIN, SHIPPED_BUDGET_FILE), 'utf8');
    await expect(parseTriageConfig(`${shipped}min_agent: 2\n`, 'p.yaml')).rejects.toThrow(/p\.yaml: .*min_agent/);
    await expect(parseTriageConfig(shipped.replace('plan: 150000', 'plan: -5'), 'p.yaml')).rejects.toThrow(/p\.yaml: budgets\.plan/);
    await expect(parseTriageConfig(shipped.replace('  other: 150000', '  other: 150000\n  pln: 5'), 'p.yaml')).rejects.toThrow(/pln/);
    await expect(parseTriageConfig(shipped.replace('slicing_multiplier: 0.5', 'slicing_multiplier: 2'), 'p.yaml')).rejects.toThrow(/slicing_multiplier/);
    await expect(parseTriageConfig('budgets: [\n', 'p.yaml')).rejects.toThrow(/p\.yaml: not valid YAML/);
  });
});
