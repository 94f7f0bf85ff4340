/**
 * The spend controls end to end: the real `claude` binary (-p mode) against the scripted API, the
 * plugin loaded from this checkout. Each scenario's figures are the server's own usage numbers.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeApi, type Served, startFakeApi, toolResultText } from '../../scripts/fake-api.mjs';
import { type ClaudeRun, type Project, projectWithSprint, runClaude, sprintEvents } from '../helpers/claude';
import { runCli } from '../helpers/cli';

const dispatch = (prompt: string) => ({
  name: 'Agent',
  input: { description: 'review', prompt, subagent_type: 'general-purpose', run_in_background: false },
});
const bash = (command: string) => ({ name: 'Bash', input: { command } });
const config = (p: Project, c: Record<string, unknown>) => writeFileSync(join(p.dir, '.sprint-budget/config.json'), JSON.stringify(c));
const mainSteps = (api: FakeApi) => api.served().filter((s) => s.script === 'main');

describe('five parallel dispatches against one budget (budget 100k, 20k spent, 40k each, hard policy)', () => {
  let api: FakeApi;
  let project: Project;
  let run: ClaudeRun;
  let first: Served;

  beforeAll(async () => {
    api = await startFakeApi(
      [
        { name: 'sub', marker: 'E2E-PAR-SUB', turns: [{ text: 'sub done', usage: { input_tokens: 300, output_tokens: 10 } }] },
        {
          name: 'main',
          marker: 'E2E-PAR',
          turns: [
            { tools: [1, 2, 3, 4, 5].map((i) => dispatch(`E2E-PAR-SUB part ${i}`)), usage: { input_tokens: 19_960, output_tokens: 40 } },
            { text: 'Done.', usage: { input_tokens: 100, output_tokens: 5 } },
          ],
        },
      ],
      { label: 'par' },
    );
    project = projectWithSprint(['Parallel e2e sprint', '--budget', '100k']);
    config(project, { dispatch_policy: 'hard' });
    run = await runClaude('E2E-PAR: review in five parts at once', { cwd: project.dir, home: project.home, apiUrl: api.url });
    first = mainSteps(api)[0] as Served;
  });
  afterAll(() => api?.close());

  it('two subagents run; three are stopped with the pause line and never reach the API', () => {
    expect(first.toolUseIds).toHaveLength(5);
    expect(api.served().filter((s) => s.script === 'sub')).toHaveLength(2);
    const denied = run.result?.permission_denials?.map((d) => d.tool_use_id) ?? [];
    expect(denied).toHaveLength(3);
    for (const id of denied) {
      expect(toolResultText(api.requests, id)).toContain('budget_exceeded|brainstorm|100000/100000 billing tokens (80000 reserved by running subagents)');
    }
    const ran = first.toolUseIds.filter((id) => !denied.includes(id));
    for (const id of ran) expect(toolResultText(api.requests, id)).toContain('sub done');
  });

  it('the history has three denials; both reservations are settled by the subagents\' reports', () => {
    expect(sprintEvents(project).filter((k) => k === 'dispatch_denied')).toHaveLength(3);
    const state = JSON.parse(runCli(['state', '--json'], { cwd: project.dir }).stdout);
    expect(state.tokens_reserved).toBe(0);
    expect(state.tokens_spent).toBe(20_000 + 2 * 310 + 105);
  });
});

describe('in-phase stop under hard: the main loop ends after the tool call that crossed the budget', () => {
  let api: FakeApi;
  let project: Project;

  beforeAll(async () => {
    api = await startFakeApi(
      [
        {
          name: 'main',
          marker: 'E2E-LOOP',
          turns: [
            { tools: [bash('echo one')], usage: { input_tokens: 6_000, output_tokens: 40 } },
            { tools: [bash('echo two')], usage: { input_tokens: 6_100, output_tokens: 41 } },
            { text: 'Done.', usage: { input_tokens: 6_200, output_tokens: 42 } },
          ],
        },
      ],
      { label: 'loop' },
    );
    project = projectWithSprint(['Loop e2e sprint', '--budget', '5000']);
    config(project, { dispatch_policy: 'hard' });
    await runClaude('E2E-LOOP: work', { cwd: project.dir, home: project.home, apiUrl: api.url });
  });
  afterAll(() => api?.close());

  it('no request follows the first tool call; the stop and the alerts are in the history', () => {
    expect(mainSteps(api).map((s) => s.step)).toEqual([0]);
    expect(sprintEvents(project)).toEqual(['create', 'budget_alert', 'budget_alert', 'budget_alert', 'loop_stop']);
  });
});

describe('a fan-out cap (max_agents_per_phase 1): two dispatches in one message, one runs', () => {
  let api: FakeApi;
  let project: Project;
  let run: ClaudeRun;

  beforeAll(async () => {
    api = await startFakeApi(
      [
        { name: 'sub', marker: 'E2E-CAP-SUB', turns: [{ text: 'sub done', usage: { input_tokens: 200, output_tokens: 10 } }] },
        {
          name: 'main',
          marker: 'E2E-CAP',
          turns: [
            { tools: [dispatch('E2E-CAP-SUB a'), dispatch('E2E-CAP-SUB b')], usage: { input_tokens: 1_000, output_tokens: 40 } },
            { text: 'Done.', usage: { input_tokens: 1_100, output_tokens: 41 } },
          ],
        },
      ],
      { label: 'cap' },
    );
    project = projectWithSprint(['Cap e2e sprint', '--budget', '1M', '--max-agents-per-phase', '1']);
    run = await runClaude('E2E-CAP: two reviews', { cwd: project.dir, home: project.home, apiUrl: api.url });
  });
  afterAll(() => api?.close());

  it('the second is stopped with agent_cap|<phase>|1/1 agents (asked under soft; -p has nobody to ask)', () => {
    expect(api.served().filter((s) => s.script === 'sub')).toHaveLength(1);
    const denied = run.result?.permission_denials?.map((d) => d.tool_use_id) ?? [];
    expect(denied).toHaveLength(1);
    expect(toolResultText(api.requests, denied[0] as string)).toContain('agent_cap|brainstorm|1/1 agents (per phase)');
    expect(sprintEvents(project)).toContain('dispatch_capped');
  });
});

describe('a stage budget: the advance pauses when the stage has spent its share', () => {
  let api: FakeApi;
  let project: Project;

  beforeAll(async () => {
    api = await startFakeApi(
      [
        {
          name: 'main',
          marker: 'E2E-STAGE',
          turns: [
            { tools: [bash('sprint-budget advance; echo "exit=$?"')], usage: { input_tokens: 12_000, output_tokens: 40 } },
            { text: 'Paused.', usage: { input_tokens: 100, output_tokens: 5 } },
          ],
        },
      ],
      { label: 'stage' },
    );
    project = projectWithSprint(['Stage e2e sprint', '--budget', '100k', '--stage-shares', 'discover=10,build=60']);
    await runClaude('E2E-STAGE: brainstorm, then advance', { cwd: project.dir, home: project.home, apiUrl: api.url });
  });
  afterAll(() => api?.close());

  it('stdout is budget_exceeded|discover|stage budget depleted, exit 1; the sprint stays in brainstorm', () => {
    const step0 = mainSteps(api)[0] as Served;
    expect(toolResultText(api.requests, step0.toolUseIds[0] as string)).toBe('budget_exceeded|discover|stage budget depleted\nexit=1');
    expect(JSON.parse(runCli(['state', '--json'], { cwd: project.dir }).stdout)).toMatchObject({ phase: 'brainstorm', stages: [{ stage: 'discover', budget: 10_000, spent: 12_040 + 105, depleted: true }, {}, {}, {}, {}] });
  });
});

describe("the model's override is put to the user", () => {
  const script = (label: string) =>
    startFakeApi(
      [
        {
          name: 'main',
          marker: 'E2E-DECIDE',
          turns: [
            { tools: [bash('sprint-budget override --reason "the model wants more"; echo "exit=$?"')], usage: { input_tokens: 1_000, output_tokens: 40 } },
            { text: 'Done.', usage: { input_tokens: 100, output_tokens: 5 } },
          ],
        },
      ],
      { label },
    );

  it('in -p mode (nobody to ask) the command never runs: the question is recorded, no override', async () => {
    const api = await script('decide');
    try {
      const project = projectWithSprint(['Decide e2e sprint', '--budget', '500']);
      const run = await runClaude('E2E-DECIDE: go on', { cwd: project.dir, home: project.home, apiUrl: api.url });
      const id = (mainSteps(api)[0] as Served).toolUseIds[0] as string;
      expect(run.result?.permission_denials?.map((d) => d.tool_use_id)).toEqual([id]);
      expect(toolResultText(api.requests, id)).toContain('sprint-budget: only the user decides to continue past the budget (override)');
      expect(sprintEvents(project).filter((k) => k === 'decision_asked' || k === 'override')).toEqual(['decision_asked']);
    } finally {
      await api.close();
    }
  });

  it('granted deliberately (SPRINT_BUDGET_DECISIONS=model), the override runs and is recorded as the model\'s', async () => {
    const api = await script('decide-model');
    try {
      const project = projectWithSprint(['Decide e2e sprint', '--budget', '500']);
      await runClaude('E2E-DECIDE: go on', { cwd: project.dir, home: project.home, apiUrl: api.url, env: { SPRINT_BUDGET_DECISIONS: 'model' } });
      const id = (mainSteps(api)[0] as Served).toolUseIds[0] as string;
      expect(toolResultText(api.requests, id)).toMatch(/override recorded in brainstorm[\s\S]*exit=0/);
      const state = JSON.parse(runCli(['state', '--json'], { cwd: project.dir }).stdout);
      const override = state.events.find((e: { kind: string }) => e.kind === 'override');
      expect(override).toMatchObject({ actor: expect.stringMatching(/^model:session:/), detail: { actor_kind: 'model' } });
    } finally {
      await api.close();
    }
  });
});

describe("the model's change to .sprint-budget/ is put to the user", () => {
  const settings = (p: Project) => join(p.dir, '.sprint-budget/config.json');
  const script = (p: Project, label: string) =>
    startFakeApi(
      [
        {
          name: 'main',
          marker: 'E2E-SETTINGS',
          turns: [
            // Claude Code refuses to write a file the session has not read, before any hook: read it first.
            { tools: [{ name: 'Read', input: { file_path: settings(p) } }], usage: { input_tokens: 1_000, output_tokens: 40 } },
            { tools: [{ name: 'Write', input: { file_path: settings(p), content: '{"decisions":"model"}\n' } }], usage: { input_tokens: 100, output_tokens: 40 } },
            { tools: [{ name: 'Edit', input: { file_path: settings(p), old_string: '"policy"', new_string: '"decisions":"model","policy"' } }], usage: { input_tokens: 100, output_tokens: 20 } },
            { tools: [{ name: 'Write', input: { file_path: join(p.dir, 'notes.md'), content: 'plan\n' } }], usage: { input_tokens: 100, output_tokens: 20 } },
            { text: 'Done.', usage: { input_tokens: 100, output_tokens: 5 } },
          ],
        },
      ],
      { label },
    );

  it('in -p mode the Write and the Edit of config.json never run (asked, nobody to answer); other files are written', async () => {
    const project = projectWithSprint(['Settings e2e sprint', '--budget', '50k']);
    writeFileSync(settings(project), '{"policy":"soft"}\n');
    const api = await script(project, 'settings');
    try {
      const run = await runClaude('E2E-SETTINGS: go on', { cwd: project.dir, home: project.home, apiUrl: api.url, allowedTools: 'Bash Agent Write Edit Read' });
      const [write, edit, notes] = mainSteps(api).slice(1, 4).map((s) => s.toolUseIds[0] as string);
      expect(run.result?.permission_denials?.map((d) => d.tool_use_id)).toEqual([write, edit]);
      expect(toolResultText(api.requests, write as string)).toContain("sprint-budget: only the user decides to change the budget's settings or ledger in .sprint-budget/");
      expect(readFileSync(settings(project), 'utf8')).toBe('{"policy":"soft"}\n');
      expect(readFileSync(join(project.dir, 'notes.md'), 'utf8')).toBe('plan\n');
      expect(toolResultText(api.requests, notes as string)).toContain('File created successfully');
      expect(sprintEvents(project).filter((k) => k === 'decision_asked')).toHaveLength(2);
    } finally {
      await api.close();
    }
  });

  it('from a session started in a subfolder of the project, the file is found the same way', async () => {
    const project = projectWithSprint(['Settings e2e sprint', '--budget', '50k']);
    writeFileSync(settings(project), '{"policy":"soft"}\n');
    const sub = join(project.dir, 'packages/app');
    mkdirSync(sub, { recursive: true });
    const api = await script(project, 'settings-sub');
    try {
      const run = await runClaude('E2E-SETTINGS: go on', { cwd: sub, home: project.home, apiUrl: api.url, allowedTools: 'Bash Agent Write Edit Read' });
      expect(run.result?.permission_denials?.map((d) => d.tool_name)).toEqual(['Write', 'Edit']);
      expect(readFileSync(settings(project), 'utf8')).toBe('{"policy":"soft"}\n');
    } finally {
      await api.close();
    }
  });
});
