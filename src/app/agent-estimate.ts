/**
 * What one dispatched agent is expected to cost, as the dispatch gate weighs it: the estimate its
 * review's triage gave it (the figure the user saw in the triage table), so triage and the gate never
 * disagree; outside a triaged review, the agent's own measured mean, else the default for its kind
 * (docs/spec.md, "Estimates").
 */
import { type Estimate, agentEstimate, bareAgentName } from '../domain/estimates';
import { agentRuns } from '../ledger/agents';
import type { Ledger } from '../ledger/db';
import type { Sprint } from '../ledger/sprints';
import { latestSprintTriage, triageRunAgents } from '../ledger/triage-runs';

/** `name`: the agent the dispatch's description names, if any; else the dispatch is known by its subagent type. */
export function dispatchEstimate(l: Ledger, s: Sprint, d: { agentType: string; name: string | null }): Estimate {
  const name = d.name ?? d.agentType;
  const review = latestSprintTriage(l, s.id);
  const triaged = review && triageRunAgents(l, review.id).find((a) => a.action === 'selected' && bareAgentName(a.name) === bareAgentName(name));
  if (triaged) return { tokens: triaged.estimate, basis: triaged.basis, runs: triaged.runs };
  return agentEstimate(name, agentRuns(l, { name, agentType: d.agentType }).map((r) => r.billing));
}
