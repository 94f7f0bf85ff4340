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

  it('a project file replaces it; keys it leaves out keep the defaults', async () => {
    const c = await parseTriageConfig('budgets:\n  plan: 90000\nmin_agents: 3\nexempt_agents: [fd-safety]\n', 'p.yaml');
    expect(c.budgets).toEqual({ ...DEFAULT_TRIAGE_CONFIG.budgets, plan: 90_000 });
    expect(c).toMatchObject({ minAgents: 3, exemptAgents: ['fd-safety'], slicingMultiplier: 0.5 });
    expect(await parseTriageConfig('', 'empty.yaml')).toEqual(DEFAULT_TRIAGE_CONFIG);
  });

  it('rejects unknown keys, bad numbers and broken YAML with the file named', async () => {
    await expect(parseTriageConfig('min_agent: 2\n', 'p.yaml')).rejects.toThrow(/p\.yaml: .*min_agent/);
    await expect(parseTriageConfig('budgets:\n  plan: -5\n', 'p.yaml')).rejects.toThrow(/p\.yaml: budgets\.plan/);
    await expect(parseTriageConfig('budgets:\n  pln: 5\n', 'p.yaml')).rejects.toThrow(/pln/);
    await expect(parseTriageConfig('slicing_multiplier: 2\n', 'p.yaml')).rejects.toThrow(/slicing_multiplier/);
    await expect(parseTriageConfig('budgets: [\n', 'p.yaml')).rejects.toThrow(/p\.yaml: not valid YAML/);
  });
});
