/**
 * The dispatch gate weighs an agent with the estimate its review's triage gave it (docs/spec.md,
 * "Estimates"): the figure the user saw in the triage table, from the same budget file and runs.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { PLUGIN, runCli } from '../helpers/cli';
import { answerOf, payload, runHook, sandbox, writeTranscripts } from '../helpers/hooks';

it("uses the estimate triage gave the agent a dispatch names, from the project's budget file", () => {
  const sb = sandbox({ budget: '30k' });
  runHook('session-start', payload(sb, 'session-start'), sb);
  writeTranscripts(sb); // 2,600 spent: 27.4k remain
  mkdirSync(join(sb.project, '.claude'));
  const shipped = readFileSync(join(PLUGIN, 'config/flux-drive/budget.yaml'), 'utf8');
  writeFileSync(join(sb.project, '.claude/flux-drive-budget.yaml'), shipped.replace('review: 40000', 'review: 60000'));
  const lens = [{ name: 'fd-safety', score: 5, stage: 1, agent_type: 'general-purpose' }];
  const t = runCli(['triage', '--input-type', 'plan', '--agents', '-', '--json'], { cwd: sb.project, input: JSON.stringify(lens), env: { HOME: sb.home } });
  expect(t.code, t.stderr).toBe(0);
  expect((JSON.parse(t.stdout) as { agents: { estimate: number }[] }).agents[0]?.estimate).toBe(60_000);

  const dispatch = (description: string, tool_use_id: string) =>
    answerOf(runHook('pre-tool-use', payload(sb, 'pre-tool-use', { tool_use_id, tool_input: { description, prompt: 'review', subagent_type: 'general-purpose' } }), sb));
  expect(dispatch('fd-safety: review the plan', 'toolu_a')?.hookSpecificOutput.additionalContext).toContain('expected to cost about 60k billing tokens');
  // A dispatch the review did not triage: the agent's own runs, else the default for its kind.
  expect(dispatch('Explore the code', 'toolu_b')?.hookSpecificOutput.additionalContext).toContain('expected to cost about 40k billing tokens');
});
