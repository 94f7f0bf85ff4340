/** The spend controls' settings at the command line: `create` options and config.json, each value checked (exit 2 naming the key). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempProject } from '../helpers/cli';

const state = (dir: string) => JSON.parse(runCli(['state', '--json'], { cwd: dir }).stdout);

describe('create options', () => {
  it('are stored with the sprint and shown in state, over the project config and the defaults', () => {
    const dir = tempProject();
    const r = runCli(
      ['create', 'x', '--budget', '100k', '--alerts', '25,75', '--max-agents-per-phase', '4', '--max-agents-per-sprint', '12', '--max-concurrent-agents', '2', '--stage-shares', 'discover=10,build=60', '--stage-min', '5k', '--reservation-max-age', '30'],
      { cwd: dir },
    );
    expect(r.code).toBe(0);
    expect(state(dir).controls).toEqual({
      alerts: [25, 75],
      max_agents_per_phase: 4,
      max_agents_per_sprint: 12,
      max_concurrent_agents: 2,
      stage_shares: { discover: 10, build: 60 },
      stage_min_tokens: 5000,
      reservation_max_age_minutes: 30,
    });
    expect(state(dir).stages.map((s: { stage: string; budget: number | null }) => [s.stage, s.budget])).toEqual([
      ['discover', 10_000],
      ['design', null],
      ['build', 60_000],
      ['ship', null],
      ['reflect', null],
    ]);
    expect(runCli(['state'], { cwd: dir }).stdout).toMatch(/Stage discover +0 \/ 10k \(brainstorm\)/);
  });

  it('--alerts none turns the alerts off; without options the defaults show', () => {
    const dir = tempProject();
    expect(runCli(['create', 'x', '--alerts', 'none'], { cwd: dir }).code).toBe(0);
    expect(state(dir).controls.alerts).toEqual([]);
    const plain = tempProject();
    runCli(['create', 'x'], { cwd: plain });
    expect(state(plain)).toMatchObject({ controls: { alerts: [50, 80, 100], max_agents_per_phase: null, stage_shares: null, reservation_max_age_minutes: 60 }, stages: null, tokens_reserved: 0 });
  });

  it.each([
    [['--alerts', '50,abc'], '--alerts: each threshold is an integer percent from 1 to 1000, got "abc"'],
    [['--max-agents-per-phase', '0'], '--max-agents-per-phase: expected a positive integer, got 0'],
    [['--max-concurrent-agents', 'two'], '--max-concurrent-agents: expected a positive integer, got "two"'],
    [['--stage-shares', 'deploy=10'], '--stage-shares: "deploy" is not a stage (discover, design, build, ship, reflect)'],
    [['--stage-shares', 'build=150'], '--stage-shares: the share of build is a percent above 0 and at most 100, got 150'],
    [['--reservation-max-age=-5'], '--reservation-max-age: expected a positive integer, got "-5"'],
  ])('a bad value is exit 2 with one line naming the option: %s', (args, message) => {
    const dir = tempProject();
    const r = runCli(['create', 'x', ...args], { cwd: dir });
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(message);
  });
});

describe('config.json', () => {
  it.each([
    [{ dispatch_policy: 'strict' }, 'dispatch_policy: expected one of soft, hard, off, got "strict"'],
    [{ decisions: 'anyone' }, 'decisions: expected one of user, model, got "anyone"'],
    [{ max_agents_per_sprint: 2.5 }, 'max_agents_per_sprint: expected a positive integer, got 2.5'],
    [{ stage_min_tokens: '10k' }, 'stage_min_tokens: expected an integer ≥ 0, got "10k"'],
  ])('a bad value stops create and advance with exit 2 naming the key: %j', (config, message) => {
    const dir = tempProject();
    expect(runCli(['create', 'x'], { cwd: dir }).code).toBe(0);
    writeFileSync(join(dir, '.sprint-budget/config.json'), JSON.stringify(config));
    for (const cmd of [['create', 'y'], ['advance']]) {
      const r = runCli(cmd, { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`config.json: ${message}`);
    }
  });
});
