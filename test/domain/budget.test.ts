import { describe, expect, it } from 'vitest';
import { AmountError, budgetState, defaultBudget, parseTokenAmount, tokensRemaining } from '../../src/domain/budget';
import { agentEstimate, agentKind, dispatchedAgentName } from '../../src/domain/estimates';
import { budgetExceeded, budgetWarningLine, formatPause, gateBlocked, manualPause, parsePause, stalePhase } from '../../src/domain/protocol';
import { DEFAULT_PHASES, isTerminal, nextPhase, parsePhaseChain } from '../../src/domain/phases';

describe('default budgets', () => {
  it('maps tiers 1..5 and an unknown tier to 3, never to the largest budget', () => {
    expect([1, 2, 3, 4, 5].map(defaultBudget)).toEqual([50_000, 100_000, 250_000, 500_000, 1_000_000]);
    for (const unknown of [undefined, null, 0, 6, 2.5, '4', 'abc']) expect(defaultBudget(unknown)).toBe(250_000);
  });
});

describe('budget state', () => {
  it('is none without a budget, and level-triggered exceeded on every read at or past it', () => {
    expect(budgetState(10, null, 80)).toBe('none');
    expect(budgetState(79, 100, 80)).toBe('ok');
    expect(budgetState(80, 100, 80)).toBe('warning');
    expect(budgetState(100, 100, 80)).toBe('exceeded');
    expect(budgetState(150, 100, 80)).toBe('exceeded');
    expect(budgetState(150, 100, 80)).toBe('exceeded');
  });

  it('remaining is null without a budget and 0 when used up: never the same value (defect 8)', () => {
    expect(tokensRemaining(10, null)).toBeNull();
    expect(tokensRemaining(150, 100)).toBe(0);
    expect(tokensRemaining(40, 100)).toBe(60);
  });

  it('parses token amounts and rejects what is not one', () => {
    expect(parseTokenAmount('250000')).toBe(250_000);
    expect(parseTokenAmount('250,000')).toBe(250_000);
    expect(parseTokenAmount('250k')).toBe(250_000);
    expect(parseTokenAmount('1.5M')).toBe(1_500_000);
    for (const bad of ['abc', '', '-5', '0', '1.5', '12x', '1e5']) expect(() => parseTokenAmount(bad)).toThrow(AmountError);
  });
});

describe('pause protocol', () => {
  it('formats each pause type as type|phase|detail and parses it back', () => {
    const pauses = [budgetExceeded('planned', 1080, 500), gateBlocked('planned', 'missing artifact plan'), manualPause('executing'), stalePhase('brainstorm', 'planned', DEFAULT_PHASES), stalePhase('planned', 'brainstorm', DEFAULT_PHASES)];
    expect(pauses.map(formatPause)).toEqual([
      'budget_exceeded|planned|1080/500 billing tokens',
      'gate_blocked|planned|missing artifact plan',
      'manual_pause|executing|auto_advance=false',
      'stale_phase|brainstorm|Phase already advanced to planned',
      'stale_phase|planned|Phase is still brainstorm',
    ]);
    for (const p of pauses) expect(parsePause(formatPause(p))).toEqual(p);
    expect(parsePause('Phase: a → b')).toBeNull();
    expect(parsePause('gate_blocked|x|a|b')).toEqual({ type: 'gate_blocked', phase: 'x', detail: 'a|b' });
  });

  it('the warning line carries the percentage', () => {
    expect(budgetWarningLine('executing', 850, 1000)).toBe('budget_warning|executing|850/1000 billing tokens (85%)');
  });
});

describe('phases', () => {
  it('parses a chain and walks it', () => {
    expect(parsePhaseChain('a, b ,done')).toEqual(['a', 'b', 'done']);
    expect(() => parsePhaseChain('done')).toThrow();
    expect(() => parsePhaseChain('a,a,done')).toThrow();
    expect(() => parsePhaseChain('a,B,done')).toThrow();
    expect(nextPhase(['a', 'done'], 'a')).toBe('done');
    expect(nextPhase(['a', 'done'], 'done')).toBeNull();
  });

  it('a chain ends with done, which nothing follows wherever it stands', () => {
    expect(() => parsePhaseChain('a,b,c')).toThrow(/ends with "done"/);
    expect(() => parsePhaseChain('a,done,b')).toThrow(/ends with "done"/);
    // A chain stored before chains had to end with done: done still ends the sprint.
    const legacy = ['a', 'done', 'b'];
    expect(isTerminal(legacy, 'done')).toBe(true);
    expect(nextPhase(legacy, 'done')).toBeNull();
    expect(isTerminal(legacy, 'a')).toBe(false);
  });
});

describe('estimates', () => {
  it("uses the default until 3 measured runs, then their mean, and says which", () => {
    expect(agentEstimate('fd-safety')).toEqual({ tokens: 40_000, basis: 'default', runs: 0 });
    expect(agentEstimate('fd-safety', [100, 200])).toMatchObject({ basis: 'default' });
    expect(agentEstimate('fd-safety', [100, 200, 600])).toEqual({ tokens: 300, basis: 'measured', runs: 3 });
  });

  it('prices agents by kind from their names', () => {
    expect(agentKind('fd-correctness')).toBe('review');
    expect(agentKind('interflux:fd-safety')).toBe('review');
    expect(agentKind('fd-systems')).toBe('cognitive');
    expect(agentKind('repo-researcher')).toBe('research');
    expect(agentKind('perf-analyzer')).toBe('research');
    expect(agentKind('oracle-council')).toBe('oracle');
    expect(agentKind('my-custom-agent')).toBe('generated');
    expect(agentEstimate('oracle').tokens).toBe(80_000);
    expect(agentEstimate('repo-researcher').tokens).toBe(15_000);
  });

  it('reads the agent a dispatch was made for from the first word of its description', () => {
    expect(dispatchedAgentName('fd-safety: review the plan')).toBe('fd-safety');
    expect(dispatchedAgentName('  Interflux:FD-Quality review')).toBe('fd-quality');
    expect(dispatchedAgentName('fd-systems')).toBe('fd-systems');
    expect(dispatchedAgentName('Explore the codebase')).toBe('explore');
    expect(dispatchedAgentName('"quoted" start')).toBeNull();
    expect(dispatchedAgentName('')).toBeNull();
    expect(dispatchedAgentName(undefined)).toBeNull();
  });
});
