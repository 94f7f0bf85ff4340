/**
 * e2e: resuming a sprint by id in a second session (`/sprint-budget:sprint <id>` in a real `claude -p`).
 * The second session starts on the project's newest sprint (SessionStart attaches it there); the
 * command's `sprint-budget resume <id>` moves it to the sprint it resumes, from then on. Each sprint's
 * spend is what the server sent while the session counted toward it, to the token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli';
import { type FakeApi, startFakeApi, toolResultText } from '../../scripts/fake-api.mjs';
import { type ClaudeRun, type Project, measured, projectWithSprint, runClaude } from '../helpers/claude';

describe('a sprint resumed by id in a second session', () => {
  let api: FakeApi;
  let a: Project;
  let b: string;
  let first: ClaudeRun;
  let second: ClaudeRun;

  beforeAll(async () => {
    a = projectWithSprint(['Sprint A, resumed later', '--budget', '250k']);
    api = await startFakeApi(
      [
        {
          name: 'first',
          marker: 'E2E-RESUME-FIRST',
          turns: [
            { tools: [{ name: 'Bash', input: { command: 'echo working on A' } }], usage: { input_tokens: 1000, output_tokens: 50 } },
            { text: 'Done for today.', usage: { input_tokens: 1100, output_tokens: 60 } },
          ],
        },
        {
          name: 'second',
          marker: `Arguments: ${a.sprintId}`,
          turns: [
            { tools: [{ name: 'Bash', input: { command: `sprint-budget resume ${a.sprintId}` } }], usage: { input_tokens: 1200, output_tokens: 70 } },
            { tools: [{ name: 'Bash', input: { command: 'echo back on A' } }], usage: { input_tokens: 1300, output_tokens: 80 } },
            { text: 'Resumed.', usage: { input_tokens: 1400, output_tokens: 90 } },
          ],
        },
      ],
      { label: 'resume' },
    );
    first = await runClaude('E2E-RESUME-FIRST: work on the sprint', { cwd: a.dir, home: a.home, apiUrl: api.url });
    // Meanwhile another sprint starts: the project's newest, where a new session is attached at start.
    const created = runCli(['create', 'Sprint B, the newest', '--budget', '250k'], { cwd: a.dir });
    expect(created.code, created.stderr).toBe(0);
    b = created.stdout.trim();
    second = await runClaude(`/sprint-budget:sprint ${a.sprintId}`, { cwd: a.dir, home: a.home, apiUrl: api.url });
  });
  afterAll(() => api?.close());

  it('both sessions ran to the end', () => {
    expect(first.result?.is_error, first.stderr).toBe(false);
    expect(second.result?.is_error, second.stderr).toBe(false);
    expect(api.served().map((s) => `${s.script}:${s.step}`)).toEqual(['first:0', 'first:1', 'second:0', 'second:1', 'second:2']);
  });

  it('the command resumed the sprint it named, and said where the session counted before', () => {
    const out = toolResultText(api.requests, api.served().find((s) => s.script === 'second' && s.step === 0)?.toolUseIds[0] as string);
    expect(out).toContain(`Sprint ${a.sprintId} · Sprint A, resumed later`);
    expect(out).toContain(`(this session) attached`);
    expect(out).toContain(`now counts toward ${a.sprintId} (it counted toward ${b} until now)`);
  });

  it("each sprint's spend is what the server sent while the session counted toward it", () => {
    // A: the whole first session, and the second session from the resume on.
    expect(measured(a).billing).toBe(1000 + 50 + 1100 + 60 + (1300 + 80) + (1400 + 90));
    // B: the response that ran the resume, made while the second session still counted toward B.
    expect(measured({ ...a, sprintId: b }).billing).toBe(1200 + 70);
  });

  it('state names the sessions attached to each sprint', () => {
    const stateOf = (id: string) => JSON.parse(runCli(['state', id, '--json'], { cwd: a.dir }).stdout) as { active_sessions: string[] };
    expect(stateOf(a.sprintId).active_sessions).toEqual([first.result?.session_id, second.result?.session_id]);
    expect(stateOf(b).active_sessions).toEqual([]);
  });
});
