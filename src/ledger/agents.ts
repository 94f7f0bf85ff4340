/**
 * The subagents Claude Code ran, and the name each was dispatched under (its `.meta.json`): a review
 * lens dispatched as `general-purpose` is told from every other `general-purpose` run by its name.
 */
import { bareAgentName, dispatchedAgentName } from '../domain/estimates';
import type { Subagent } from '../transcripts/reading';
import type { Ledger } from './db';

/** Stores what is known of subagents; what a row had is kept (a later read only fills gaps). Call inside a write transaction. */
export function putSubagents(l: Ledger, agents: readonly Subagent[]): void {
  const stmt = l.stmt(
    `INSERT INTO agents (agent_id, session_id, agent_type, name, description, tool_use_id) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (agent_id) DO UPDATE SET session_id = COALESCE(agents.session_id, excluded.session_id),
       name = COALESCE(agents.name, excluded.name), description = COALESCE(agents.description, excluded.description),
       tool_use_id = COALESCE(agents.tool_use_id, excluded.tool_use_id)`,
  );
  for (const a of agents) stmt.run(a.agentId, a.sessionId, a.agentType, dispatchedAgentName(a.description), a.description, a.toolUseId);
}

export interface AgentRun {
  agentId: string;
  sessionId: string | null;
  /** Epoch milliseconds of the run's first record. */
  startedAt: number;
  billing: number;
}

export interface RunWindow {
  /** Runs that started in [since, until). */
  since?: number;
  until?: number | null;
  /** Only runs of sessions ever attached to this sprint. */
  sprint?: string | null;
}

/**
 * The runs of one agent: those of its own subagent type, and those dispatched under its name — never
 * every run of a type it shares (`general-purpose`). Per run (agent id), its transcript responses or
 * its PostToolUse summary, whichever is larger: the rule of a sprint's sums. Oldest first.
 */
export function agentRuns(l: Ledger, agent: { name: string; agentType: string }, window: RunWindow = {}): AgentRun[] {
  const name = bareAgentName(agent.name);
  // The subagent type is the agent's own only when it is the agent (`fd-safety` for fd-safety).
  const ownType = bareAgentName(agent.agentType) === name ? agent.agentType : agent.name;
  return l
    .stmt(
      `SELECT u.agent_id AS agentId, MAX(u.session_id) AS sessionId, MIN(u.ts) AS startedAt,
         MAX(SUM(CASE WHEN u.kind = 'response' THEN u.input_tokens + u.output_tokens ELSE 0 END),
             COALESCE(MAX(CASE WHEN u.kind = 'summary' THEN u.input_tokens + u.output_tokens END), 0)) AS billing
       FROM usage u
       WHERE u.agent_id IS NOT NULL
         AND (u.agent_type IN (@given, @ownType) OR u.agent_id IN (SELECT agent_id FROM agents WHERE name = @name))
       GROUP BY u.agent_id
       HAVING MIN(u.ts) >= @since AND MIN(u.ts) < @until
         AND (@sprint IS NULL OR MAX(u.session_id) IN (SELECT session_id FROM sessions WHERE sprint_id = @sprint))
       ORDER BY startedAt, agentId`,
    )
    .all({
      given: agent.name,
      ownType,
      name,
      since: window.since ?? 0,
      until: window.until ?? Number.MAX_SAFE_INTEGER,
      sprint: window.sprint ?? null,
    }) as AgentRun[];
}
