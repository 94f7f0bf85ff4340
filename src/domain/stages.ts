/**
 * Stage budgets (docs/spec.md, "Stage budgets"): the phases grouped into five stages, each with an
 * optional share of the sprint budget. Pure.
 */

export const STAGES = ['discover', 'design', 'build', 'ship', 'reflect'] as const;
export type Stage = (typeof STAGES)[number];

const STAGE_OF: Readonly<Record<string, Stage>> = Object.freeze({
  brainstorm: 'discover',
  executing: 'build',
  shipping: 'ship',
  reflect: 'reflect',
});

/**
 * The stage a phase belongs to: brainstorm → discover, executing → build, shipping → ship, reflect →
 * reflect, the terminal phase → none, and every other phase (brainstorm-reviewed … plan-reviewed, or a
 * custom chain's extra phases) → design.
 */
export function stageOf(phase: string, terminal: string): Stage | null {
  if (phase === terminal) return null;
  return STAGE_OF[phase] ?? 'design';
}

/**
 * Each stage's budget in billing tokens: its share of the budget (shares summing past 100 % are scaled
 * down to 100 %), at least `minTokens`; when the minimums push the sum past the budget, all are scaled
 * down together so they sum to it. Stages without a share have no stage budget.
 */
export function stageBudgets(budget: number, shares: Partial<Record<Stage, number>>, minTokens: number): Partial<Record<Stage, number>> {
  const named = STAGES.filter((s) => shares[s] !== undefined);
  const totalShare = named.reduce((n, s) => n + (shares[s] as number), 0);
  const scale = totalShare > 100 ? 100 / totalShare : 1;
  const raw = named.map((s) => Math.max(minTokens, Math.floor((budget * (shares[s] as number) * scale) / 100)));
  const sum = raw.reduce((a, b) => a + b, 0);
  const fit = sum > budget ? budget / sum : 1;
  const out: Partial<Record<Stage, number>> = {};
  named.forEach((s, i) => {
    out[s] = Math.floor((raw[i] as number) * fit);
  });
  return out;
}

/** `budget_exceeded|<stage>|stage budget depleted`'s figures: a stage's spend against its budget. */
export interface StageSpend {
  stage: Stage;
  phases: string[];
  budget: number | null;
  spent: number;
  remaining: number | null;
  depleted: boolean;
}

/** Each stage of the chain with its spend (billing tokens per phase given) and its budget, if any. */
export function stageSpends(phases: readonly string[], spentByPhase: Readonly<Record<string, number>>, budgets: Partial<Record<Stage, number>>): StageSpend[] {
  const terminal = phases[phases.length - 1] as string;
  const out: StageSpend[] = [];
  for (const stage of STAGES) {
    const members = phases.filter((p) => stageOf(p, terminal) === stage);
    if (members.length === 0) continue;
    const spent = members.reduce((n, p) => n + (spentByPhase[p] ?? 0), 0);
    const budget = budgets[stage] ?? null;
    out.push({
      stage,
      phases: members,
      budget,
      spent,
      remaining: budget === null ? null : Math.max(0, budget - spent),
      depleted: budget !== null && spent >= budget,
    });
  }
  return out;
}
