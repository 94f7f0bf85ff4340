/**
 * e2e 3: a sprint with a tiny budget and the hard policy. The next Agent dispatch is stopped with the
 * structured line (the subagent never reaches the API), `advance` pauses with `budget_exceeded|...`
 * and exit 1, and the main loop stops after that tool call (in-phase enforcement). The user overrides
 * from the command line; in the next session the same dispatch passes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeApi, type Served, startFakeApi, toolResultText } from '../../scripts/fake-api.mjs';
import { type ClaudeRun, type Project, measured, projectWithSprint, runClaude, servedBilling, sprintEvents } from '../helpers/claude';
import { runCli } from '../helpers/cli';

const dispatch = (prompt: string) => ({
  name: 'Agent',
  input: { description: 'review', prompt, subagent_type: 'general-purpose', run_in_background: false },
});

describe('a sprint over its budget, hard policy', () => {
  let api: FakeApi;
  let project: Project;
  let run: ClaudeRun;
  let first: Served[];
  let second: Served[];
  let override: { code: number; stdout: string };
  let advance: { code: number; stdout: string };

  beforeAll(async () => {
    api = await startFakeApi([
      { name: 'sub', marker: 'E2E-GATE-SUB', turns: [{ text: 'sub done', usage: { input_tokens: 200, output_tokens: 10 } }] },
      {
        name: 'first',
        marker: 'E2E-GATE-1',
        turns: [
          { tools: [dispatch('E2E-GATE-SUB before the override')], usage: { input_tokens: 1000, output_tokens: 40 } },
          { tools: [{ name: 'Bash', input: { command: 'sprint-budget advance; echo "exit=$?"' } }], usage: { input_tokens: 1100, output_tokens: 41 } },
          { text: 'never asked for: the loop stopped', usage: { input_tokens: 1, output_tokens: 1 } },
        ],
      },
      {
        name: 'second',
        marker: 'E2E-GATE-2',
        turns: [
          { tools: [dispatch('E2E-GATE-SUB after the override')], usage: { input_tokens: 1300, output_tokens: 43 } },
          { text: 'Done.', usage: { input_tokens: 1400, output_tokens: 44 } },
        ],
      },
    ], { label: 'gate' });
    project = projectWithSprint(['Gate e2e sprint', '--budget', '1000']);
    writeFileSync(join(project.dir, '.sprint-budget/config.json'), JSON.stringify({ dispatch_policy: 'hard' }));
    run = await runClaude('E2E-GATE-1: review with a subagent', { cwd: project.dir, home: project.home, apiUrl: api.url });
    advance = runCli(['advance'], { cwd: project.dir });
    override = runCli(['override', '--reason', 'e2e: finish the review'], { cwd: project.dir });
    await runClaude('E2E-GATE-2: review with a subagent', { cwd: project.dir, home: project.home, apiUrl: api.url });
    first = api.served().filter((s) => s.script === 'first');
    second = api.served().filter((s) => s.script === 'second');
  });
  afterAll(() => api?.close());

  it('the dispatch is denied with budget_exceeded|<phase>|<spent>/<budget>, spent counted up to that response', () => {
    const result = toolResultText(api.requests, first[0]?.toolUseIds[0] as string);
    expect(result).toContain('budget_exceeded|brainstorm|1040/1000 billing tokens');
    expect(run.result?.permission_denials?.map((d) => d.tool_use_id)).toEqual([first[0]?.toolUseIds[0]]);
    // The denied subagent never reached the API.
    const subPrompts = api.requests.filter((r) => r.served?.script === 'sub').map((r) => JSON.stringify(r.body?.messages[0]));
    expect(subPrompts).toHaveLength(1);
    expect(subPrompts[0]).toContain('after the override');
  });

  it('the main loop stops after the next tool call (its result never reaches the API); advance pauses with the same line and exit 1', () => {
    expect(first.map((s) => s.step)).toEqual([0, 1]);
    expect(toolResultText(api.requests, first[1]?.toolUseIds[0] as string)).toBeNull();
    expect(advance).toMatchObject({ code: 1, stdout: 'budget_exceeded|brainstorm|2181/1000 billing tokens\n' });
  });

  it('after the user\'s override the dispatch passes, and the history says what happened', () => {
    expect(override.code).toBe(0);
    expect(toolResultText(api.requests, second[0]?.toolUseIds[0] as string)).toContain('sub done');
    expect(sprintEvents(project).filter((k) => !k.startsWith('budget_alert'))).toEqual(['create', 'dispatch_denied', 'loop_stop', 'override']);
  });

  it("the dispatch that passed carried the gate's warning into the model's context", () => {
    const next = api.requests.find((r) => r.served?.script === 'second' && r.served.step === 1);
    expect(JSON.stringify(next?.body?.messages)).toContain(
      'a general-purpose subagent is expected to cost about 40k billing tokens (default estimate), and the budget is exceeded (passed by an override)',
    );
  });

  it("everything the server sent is counted, the subagent's too", () => {
    expect(measured(project)).toMatchObject({
      billing: servedBilling(api.served()),
      byAgentType: { main: servedBilling(api.served(), 'first') + servedBilling(api.served(), 'second'), 'general-purpose': servedBilling(api.served(), 'sub') },
    });
  });
});

describe('a sprint over its budget, soft policy (the default), in -p mode', () => {
  let api: FakeApi;
  let project: Project;
  let run: ClaudeRun;

  beforeAll(async () => {
    api = await startFakeApi([
      { name: 'sub', marker: 'E2E-SOFT-SUB', turns: [{ text: 'sub done', usage: { input_tokens: 200, output_tokens: 10 } }] },
      {
        name: 'main',
        marker: 'E2E-SOFT',
        turns: [
          { tools: [dispatch('E2E-SOFT-SUB review')], usage: { input_tokens: 1000, output_tokens: 40 } },
          { text: 'Stopped.', usage: { input_tokens: 1100, output_tokens: 41 } },
        ],
      },
    ], { label: 'soft' });
    project = projectWithSprint(['Soft gate e2e sprint', '--budget', '1000']);
    run = await runClaude('E2E-SOFT: review with a subagent', { cwd: project.dir, home: project.home, apiUrl: api.url });
  });
  afterAll(() => api?.close());

  it('the question is recorded; with nobody to answer it, the dispatch does not run and no approval is recorded', () => {
    const toolUseId = api.served().find((s) => s.script === 'main' && s.step === 0)?.toolUseIds[0] as string;
    expect(toolResultText(api.requests, toolUseId)).toContain('budget_exceeded|brainstorm|1040/1000 billing tokens');
    expect(run.result?.permission_denials?.map((d) => d.tool_use_id)).toEqual([toolUseId]);
    expect(api.served().filter((s) => s.script === 'sub')).toEqual([]);
    expect(sprintEvents(project)).toEqual(['create', 'dispatch_asked']);
  });
});
