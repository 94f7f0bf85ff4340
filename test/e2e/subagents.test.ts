/**
 * e2e 2: a session that dispatches two subagents of different types (a built-in one and a project
 * agent), each making two API calls. Each is attributed to its type with exactly the server's
 * numbers, and counted once although PostToolUse, SubagentStop and the transcript all report it.
 * This file checks what each report holds, so every hook runs synchronously: in -p mode Claude
 * Code cancels async hooks still running when the session ends (the spend stays exact either way:
 * session.test.ts runs the committed hooks.json).
 */
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeApi, type Served, startFakeApi } from '../../scripts/fake-api.mjs';
import { hooksAllSynchronous, pluginWithHooks } from '../../scripts/plugin-variant.mjs';
import { type ClaudeRun, type Project, measured, projectWithSprint, runClaude, servedBilling, usageRows } from '../helpers/claude';

const dispatch = (type: string, prompt: string) => ({
  name: 'Agent',
  input: { description: `${type} task`, prompt, subagent_type: type, run_in_background: false },
});

describe('two subagents of different types', () => {
  let api: FakeApi;
  let project: Project;
  let run: ClaudeRun;
  let served: Served[];

  beforeAll(async () => {
    api = await startFakeApi([
      {
        name: 'alpha',
        marker: 'E2E-SUB-ALPHA',
        turns: [
          { tools: [{ name: 'Bash', input: { command: 'echo alpha' } }], usage: { input_tokens: 300, output_tokens: 11, cache_read_input_tokens: 50 } },
          { text: 'alpha done', usage: { input_tokens: 310, output_tokens: 12 } },
        ],
      },
      {
        name: 'beta',
        marker: 'E2E-SUB-BETA',
        turns: [
          { tools: [{ name: 'Bash', input: { command: 'echo beta' } }], usage: { input_tokens: 410, output_tokens: 22 } },
          { text: 'beta done', usage: { input_tokens: 420, output_tokens: 23 } },
        ],
      },
      {
        name: 'main',
        marker: 'E2E-DELEGATE',
        turns: [
          {
            tools: [dispatch('general-purpose', 'E2E-SUB-ALPHA: check alpha'), dispatch('fd-quality', 'E2E-SUB-BETA: review beta')],
            usage: { input_tokens: 1000, output_tokens: 40 },
          },
          { text: 'Both reported.', usage: { input_tokens: 1100, output_tokens: 45 } },
        ],
      },
    ], { label: 'subagents' });
    project = projectWithSprint(['Subagent e2e sprint', '--budget', '1M']);
    // A project agent, as flux-drive's fd-* reviewers are.
    mkdirSync(join(project.dir, '.claude/agents'), { recursive: true });
    writeFileSync(
      join(project.dir, '.claude/agents/fd-quality.md'),
      '---\nname: fd-quality\ndescription: Reviews code quality (e2e test agent)\ntools: Bash\n---\nYou review code quality.\n',
    );
    const plugin = pluginWithHooks(hooksAllSynchronous(), realpathSync(mkdtempSync(join(tmpdir(), 'sb-sync-'))), 'sync');
    run = await runClaude('E2E-DELEGATE: ask two agents', { cwd: project.dir, home: project.home, apiUrl: api.url, pluginDir: plugin.dir });
    served = api.served();
  });
  afterAll(() => api?.close());

  it('both subagents ran, two API calls each', () => {
    expect(run.result?.is_error, run.stderr).toBe(false);
    expect(served.filter((s) => s.script === 'alpha').map((s) => s.step).sort()).toEqual([0, 1]);
    expect(served.filter((s) => s.script === 'beta').map((s) => s.step).sort()).toEqual([0, 1]);
  });

  it("each is attributed to its own type with exactly the server's numbers", () => {
    expect(measured(project).byAgentType).toEqual({
      'general-purpose': servedBilling(served, 'alpha'),
      'fd-quality': servedBilling(served, 'beta'),
      main: servedBilling(served, 'main'),
    });
    expect(measured(project).billing).toBe(servedBilling(served));
  });

  it("all three reports arrived, and the ledger counts the transcript's detail instead of the summary", () => {
    const rows = usageRows(project);
    const summaries = rows.filter((r) => r.kind === 'summary');
    // PostToolUse recorded each subagent's own report (hook-agent:<agent id>) ...
    expect(summaries.map((r) => [r.source, r.agent_type]).sort()).toEqual([
      ['hook', 'fd-quality'],
      ['hook', 'general-purpose'],
    ]);
    // ... and SubagentStop / the transcript read every response under the same agent ids.
    for (const s of summaries) {
      expect(s.key).toBe(`hook-agent:${s.agent_id}`);
      const detail = rows.filter((r) => r.kind === 'response' && r.agent_id === s.agent_id);
      expect(detail.map((r) => r.source)).toEqual(['transcript', 'transcript']);
    }
    // What counts is the transcript's responses only.
    expect(measured(project).bySource).toEqual({ transcript: servedBilling(served) });
  });

  it("the Agent tool's usage report is the subagent's last API call, not the sum of its calls", () => {
    const byType = Object.fromEntries(usageRows(project).filter((r) => r.kind === 'summary').map((r) => [r.agent_type, [r.input_tokens, r.output_tokens]]));
    expect(byType).toEqual({ 'general-purpose': [310, 12], 'fd-quality': [420, 23] });
  });
});
