/**
 * The plugin command `/sprint-budget:budget`, invoked in a real `claude -p` session: its text
 * (commands/budget.md, with $ARGUMENTS filled in) reaches the model, and the model can run what it
 * says through the Bash tool.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLUGIN } from '../helpers/cli';
import { type FakeApi, startFakeApi, toolResultText } from '../../scripts/fake-api.mjs';
import { type ClaudeRun, type Project, projectWithSprint, runClaude } from '../helpers/claude';

/** The command's body lines that no substitution touches (no $VARIABLES, no !`shell` expansions). */
function literalBodyLines(): string[] {
  const text = readFileSync(join(PLUGIN, 'commands/budget.md'), 'utf8');
  const body = text.replace(/^---\n[\s\S]*?\n---\n/, '');
  return body
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 20 && !l.includes('$') && !l.includes('!`'));
}

describe('/sprint-budget:budget', () => {
  let api: FakeApi;
  let project: Project;
  let run: ClaudeRun;

  beforeAll(async () => {
    api = await startFakeApi([
      {
        name: 'main',
        marker: 'Arguments: remaining',
        turns: [
          { tools: [{ name: 'Bash', input: { command: 'sprint-budget remaining' } }], usage: { input_tokens: 900, output_tokens: 30 } },
          { text: '123456 tokens remain.', usage: { input_tokens: 950, output_tokens: 12 } },
        ],
      },
    ], { label: 'command' });
    project = projectWithSprint(['Command e2e sprint', '--budget', '250k']);
    run = await runClaude('/sprint-budget:budget remaining', { cwd: project.dir, home: project.home, apiUrl: api.url });
  });
  afterAll(() => api?.close());

  it("the command's text, with its arguments, is what the model received", () => {
    expect(run.result?.is_error, run.stderr).toBe(false);
    const first = JSON.stringify(api.requests.find((r) => r.body?.messages)?.body?.messages[0]);
    const lines = literalBodyLines();
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(first).toContain(JSON.stringify(line).slice(1, -1));
    expect(first).toContain('Arguments: remaining');
  });

  it("the model ran what the command said, on the session's sprint, with spend up to that response", () => {
    const step0 = api.served().find((s) => s.step === 0);
    expect(toolResultText(api.requests, step0?.toolUseIds[0] as string)).toBe(String(250_000 - (900 + 30)));
  });
});
