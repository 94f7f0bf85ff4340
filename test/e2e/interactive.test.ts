/**
 * The model's override put to the user, interactively: the real `claude` binary in a tmux pane. The
 * project pre-approves every Bash command (`--allowedTools "Bash Agent"`, as the sprint command
 * pre-approves `Bash(sprint-budget:*)`), yet the PreToolUse hook's `ask` brings up Claude Code's
 * confirmation; the user's yes lets the command run, recorded as the user's decision.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeApi, startFakeApi } from '../../scripts/fake-api.mjs';
import { type Project, projectWithSprint } from '../helpers/claude';
import { runCli } from '../helpers/cli';
import { type Pane, interactiveHome, startPane } from '../helpers/tmux';

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
    await pane.waitFor('❯');
    pane.type('E2E-TMUX: go on past the budget');
    pane.key('Enter');
    question = await pane.waitFor(/requires confirmation[\s\S]*1\. Yes/);
    // The first choice, Yes. The dialog may draw before it takes keys: while the same question is still
    // up, the key it missed is sent again (it answers that one question, once).
    const answered = () => pane.waitFor('Override noted, carrying on.', 5_000).then(() => true, () => false);
    pane.key('Enter');
    for (let again = 0; again < 3 && !(await answered()); again++) if (pane.screen().includes('Do you want to proceed?')) pane.key('Enter');
    await pane.waitFor('Override noted, carrying on.');
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
