/**
 * The dispatch gate weighs an agent with the estimate its review's triage gave it (docs/spec.md,
 * "Estimates"): the figure the user saw in the triage table, from the same budget file and runs.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { PLUGIN, runCli } from '../helpers/cli';
import { answerOf, payload, runHook, sandbox, writeTranscripts } from '../helpers/hooks';

/** A sprint with 27.4k left whose review's triage weighed fd-safety (dispatched as general-purpose) at 60k. */
function triaged() {
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
  // The first dispatch reserves its estimate: each case is a sprint's first dispatch.
  return (description: string) =>
    answerOf(runHook('pre-tool-use', payload(sb, 'pre-tool-use', { tool_input: { description, prompt: 'review', subagent_type: 'general-purpose' } }), sb))?.hookSpecificOutput
      .additionalContext as string;
}

it("uses the estimate triage gave the agent a dispatch names, from the project's budget file", () => {
  expect(triaged()('fd-safety: review the plan')).toContain('expected to cost about 60k billing tokens');
});

it('a dispatch the review did not triage: the agent\'s own runs, else the default for its kind', () => {
  expect(triaged()('Explore the code')).toContain('expected to cost about 40k billing tokens');
});
