/**
 * e2e 1: a real `claude -p` session with a few tool calls. The sprint's spend equals what the server
 * sent, to the token, split per phase where the model ran `sprint-budget advance` in the middle.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli';
import { type FakeApi, startFakeApi, toolResultText } from '../../scripts/fake-api.mjs';
import { type ClaudeRun, type Project, measured, projectWithSprint, servedBilling, usageRows } from '../helpers/claude';
import { runClaude } from '../helpers/claude';

describe('a session with tool calls and an advance in the middle', () => {
  let api: FakeApi;
  let project: Project;
  let run: ClaudeRun;

  beforeAll(async () => {
    api = await startFakeApi([
      {
        name: 'main',
        marker: 'E2E-SESSION',
        turns: [
          {
            tools: [{ name: 'Bash', input: { command: 'echo "session=$CLAUDE_CODE_SESSION_ID remaining=${FLUX_BUDGET_REMAINING-unset}"' } }],
            usage: { input_tokens: 1200, output_tokens: 50, cache_read_input_tokens: 3000, cache_creation_input_tokens: 200 },
          },
          { tools: [{ name: 'Bash', input: { command: 'sprint-budget advance' } }], usage: { input_tokens: 1300, output_tokens: 60, cache_read_input_tokens: 3100 } },
          { tools: [{ name: 'Bash', input: { command: 'echo step three' } }], usage: { input_tokens: 1400, output_tokens: 70 } },
          { text: 'All done.', usage: { input_tokens: 1500, output_tokens: 80, cache_read_input_tokens: 900 } },
        ],
      },
    ], { label: 'session' });
    // Below the tier's default budget (250k), so the projection from the defaults is over it.
    project = projectWithSprint(['Session e2e sprint', '--budget', '100k']);
    run = await runClaude('E2E-SESSION: run the steps', { cwd: project.dir, home: project.home, apiUrl: api.url });
  });
  afterAll(() => api?.close());

  it('the session ran to the end', () => {
    expect(run.result?.is_error, run.stderr).toBe(false);
    expect(api.served().map((s) => s.step)).toEqual([0, 1, 2, 3]);
  });

  it('the Bash tool sees the session id, and no remaining-budget snapshot that would go stale', () => {
    const out = toolResultText(api.requests, api.served()[0]?.toolUseIds[0] as string);
    expect(out).toBe(`session=${run.result?.session_id} remaining=unset`);
  });

  it('advance ran through the Bash tool, on this session\'s sprint, and the model sees the forecast', () => {
    const out = String(toolResultText(api.requests, api.served()[1]?.toolUseIds[0] as string)).split('\n');
    expect(out[0]).toBe('Phase: brainstorm → brainstorm-reviewed');
    expect(out.slice(1).join('\n')).toMatch(/^Forecast: projected [\d,]+ billing tokens \(p90 [\d,]+\) · over the budget of 100,000 · a projection from default estimates/);
    expect(out).toContain(`budget_forecast|brainstorm-reviewed|projected ${out[1]?.match(/projected ([\d,]+)/)?.[1]?.replace(/,/g, '')}/100000 billing tokens (p90 ${out[1]?.match(/p90 ([\d,]+)/)?.[1]?.replace(/,/g, '')})`);
  });

  it("the sprint's spend is the server's usage to the token, split at the advance", () => {
    const served = api.served();
    const m = measured(project);
    expect(m.billing).toBe(servedBilling(served));
    expect(m.byPhase).toEqual({
      brainstorm: 1200 + 50 + 1300 + 60,
      'brainstorm-reviewed': 1400 + 70 + 1500 + 80,
    });
    // Cache tokens are tracked beside billing tokens, never mixed in.
    expect({ read: m.cacheRead, write: m.cacheWrite }).toEqual({ read: 3000 + 3100 + 900, write: 200 });
    expect(m.byAgentType).toEqual({ main: servedBilling(served) });
  });

  it('the hooks read it from the transcript during the session (each response once, keyed by message id)', () => {
    const rows = usageRows(project);
    expect(rows.map((r) => r.source)).toEqual(['transcript', 'transcript', 'transcript', 'transcript']);
    expect(rows.map((r) => r.key.split(':')[1]).sort()).toEqual(api.served().map((s) => s.messageId).sort());
  });

  it('the CLI reports the same figure', () => {
    const state = JSON.parse(runCli(['state', '--json'], { cwd: project.dir }).stdout) as { tokens_spent: number; phase: string };
    expect(state).toMatchObject({ tokens_spent: servedBilling(api.served()), phase: 'brainstorm-reviewed' });
  });
});
