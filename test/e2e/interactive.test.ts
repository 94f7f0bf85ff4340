/**
 * The model's override put to the user, interactively: the real `claude` binary in a tmux pane. The
 * project pre-approves every Bash command (`--allowedTools "Bash Agent"`, as the sprint command
 * pre-approves `Bash(sprint-budget:*)`), yet the PreToolUse hook's `ask` brings up Claude Code's
 * confirmation; the user's yes lets the command run, recorded as the user's decision. The same for a
 * change to .sprint-budget/config.json with the Write tool, even where file edits are pre-approved.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeApi, startFakeApi } from '../../scripts/fake-api.mjs';
import { type Project, projectWithSprint } from '../helpers/claude';
import { runCli } from '../helpers/cli';
import { type Pane, interactiveHome, promptAndApprove, startPane } from '../helpers/tmux';

describe("a model's override in an interactive session", () => {
  let api: FakeApi;
  let project: Project;
  let pane: Pane;
  let question: string;

  beforeAll(async () => {
    api = await startFakeApi(
      [
        {
          name: 'main',
          marker: 'E2E-TMUX',
          turns: [
            { tools: [{ name: 'Bash', input: { command: 'sprint-budget override --reason "the model wants more"' } }], usage: { input_tokens: 1_000, output_tokens: 40 } },
            { text: 'Override noted, carrying on.', usage: { input_tokens: 100, output_tokens: 5 } },
          ],
        },
      ],
      { label: 'tmux' },
    );
    project = projectWithSprint(['Interactive e2e sprint', '--budget', '500']);
    interactiveHome(project.home, project.dir, 'sk-test');
    pane = startPane(`sb-e2e-${process.pid}`, { cwd: project.dir, home: project.home, apiUrl: api.url });
    question = await promptAndApprove(pane, 'E2E-TMUX: go on past the budget', /requires confirmation[\s\S]*1\. Yes/, 'Override noted, carrying on.');
  }, 120_000);
  afterAll(() => {
    pane?.close();
    return api?.close();
  });

  it('Claude Code asks the user, with the reason', () => {
    expect(question).toContain('only the user decides to continue past the budget');
  });

  it('after the yes, the override is recorded as the user\'s decision, with the question it answered', () => {
    const state = JSON.parse(runCli(['state', '--json'], { cwd: project.dir }).stdout);
    const kinds = state.events.map((e: { kind: string }) => e.kind);
    expect(kinds.filter((k: string) => k === 'decision_asked' || k === 'override')).toEqual(['decision_asked', 'override']);
    const override = state.events.find((e: { kind: string }) => e.kind === 'override');
    expect(override).toMatchObject({ actor: expect.stringMatching(/^user:session:/), detail: { actor_kind: 'user', confirmed_by: expect.stringMatching(/^toolu_tmux_/) } });
  });
});

describe("a model's change to .sprint-budget/config.json in an interactive session", () => {
  let api: FakeApi;
  let project: Project;
  let pane: Pane;
  let question: string;
  const settings = () => join(project.dir, '.sprint-budget/config.json');

  beforeAll(async () => {
    project = projectWithSprint(['Interactive e2e sprint', '--budget', '500']);
    writeFileSync(settings(), '{"policy":"hard"}\n');
    api = await startFakeApi(
      [
        {
          name: 'main',
          marker: 'E2E-TMUX-SETTINGS',
          turns: [
            { tools: [{ name: 'Read', input: { file_path: settings() } }], usage: { input_tokens: 1_000, output_tokens: 40 } },
            { tools: [{ name: 'Write', input: { file_path: settings(), content: '{"policy":"soft"}\n' } }], usage: { input_tokens: 100, output_tokens: 40 } },
            { text: 'Policy is soft now.', usage: { input_tokens: 100, output_tokens: 5 } },
          ],
        },
      ],
      { label: 'tmux-settings' },
    );
    interactiveHome(project.home, project.dir, 'sk-test');
    pane = startPane(`sb-e2e-settings-${process.pid}`, { cwd: project.dir, home: project.home, apiUrl: api.url, allowedTools: 'Bash Agent Read Write Edit' });
    question = await promptAndApprove(pane, 'E2E-TMUX-SETTINGS: make the policy soft', /only the user decides[\s\S]*1\. Yes/, 'Policy is soft now.');
  }, 120_000);
  afterAll(() => {
    pane?.close();
    return api?.close();
  });

  it('Claude Code asks the user, with the reason, though Write is pre-approved', () => {
    expect(question).toContain("only the user decides to change the budget's settings or ledger in .sprint-budget/");
  });

  it('after the yes, the file is written and the question is on record', () => {
    expect(readFileSync(settings(), 'utf8')).toBe('{"policy":"soft"}\n');
    const state = JSON.parse(runCli(['state', '--json'], { cwd: project.dir }).stdout);
    expect(state.events.find((e: { kind: string }) => e.kind === 'decision_asked')).toMatchObject({ reason: settings(), detail: { decisions: ['settings'] } });
  });
});
