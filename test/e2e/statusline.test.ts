/**
 * e2e: the status line in a real terminal. The real `claude` binary runs interactively in tmux
 * against the scripted API, with `sprint-budget statusline --install` in its settings next to a status
 * line the user already had; the line is read from the screen (tmux capture-pane), colours included.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLedger } from '../../src/ledger/db';
import { PLUGIN, runCli, runProcess } from '../helpers/cli';
import { CLAUDE, type Project, claudeEnv, projectWithSprint } from '../helpers/claude';
import { type FakeApi, startFakeApi } from '../../scripts/fake-api.mjs';

const hasTmux = runProcess('tmux', ['-V']).code === 0;
const SESSION = `sb-statusline-${process.pid}`;

function tmux(...args: string[]): string {
  const r = runProcess('tmux', args);
  if (r.code !== 0) throw new Error(`tmux ${args[0]}: ${r.stderr}`);
  return r.stdout;
}

/** The screen, polled until `done` holds (the interactive UI draws asynchronously). */
async function screenUntil(done: (screen: string) => boolean, what: string, escapes = false): Promise<string> {
  let screen = '';
  for (let i = 0; i < 240; i++) {
    screen = tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', SESSION);
    if (done(screen)) return screen;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the screen never showed ${what}:\n${screen}`);
}

describe.skipIf(!hasTmux)('the status line in an interactive session (tmux)', () => {
  let api: FakeApi;
  let project: Project;

  beforeAll(async () => {
    api = await startFakeApi(
      [
        {
          name: 'main',
          marker: 'STATUS-LINE',
          // claude-opus-4-8: input 5e-06, output 2.5e-05, 5-minute write 6.25e-06, 1-hour write 1e-05 $/token:
          // 2000 × 5e-06 + 500 × 2.5e-05 + 800 × 6.25e-06 + 500 × 1e-05 = $0.0325.
          turns: [
            {
              text: 'hello there',
              usage: {
                input_tokens: 2000,
                output_tokens: 500,
                cache_creation_input_tokens: 1300,
                cache_creation: { ephemeral_5m_input_tokens: 800, ephemeral_1h_input_tokens: 500 },
              },
            },
          ],
        },
      ],
      { label: 'statusline' },
    );
    project = projectWithSprint(['Status line in a real terminal', '--budget', '10k']);
    // Onboarding done, the project trusted, the test key approved: the session starts straight at the prompt.
    writeFileSync(
      join(project.home, '.claude.json'),
      JSON.stringify({
        hasCompletedOnboarding: true,
        theme: 'dark',
        customApiKeyResponses: { approved: ['sk-test'], rejected: [] },
        projects: { [project.dir]: { hasTrustDialogAccepted: true, hasCompletedProjectOnboarding: true, allowedTools: [] } },
      }),
    );
    mkdirSync(join(project.home, '.claude'), { recursive: true });
    writeFileSync(join(project.home, '.claude', 'settings.json'), JSON.stringify({ statusLine: { type: 'command', command: 'echo mine-first' } }));
    const installed = runCli(['statusline', '--install'], { cwd: project.dir, env: { HOME: project.home } });
    expect(installed.code, installed.stderr).toBe(0);

    const env = claudeEnv(project.home, api.url);
    const vars = ['HOME', 'ANTHROPIC_BASE_URL', 'ANTHROPIC_API_KEY', 'CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC', 'DISABLE_AUTOUPDATER', 'DISABLE_TELEMETRY', 'PATH'];
    tmux(
      'new-session', '-d', '-s', SESSION, '-x', '200', '-y', '40', '-c', project.dir,
      ...vars.flatMap((k) => ['-e', `${k}=${env[k] ?? ''}`]),
      `${CLAUDE} --plugin-dir ${PLUGIN} --model claude-opus-4-8 --allowedTools 'Bash Agent'`,
    );
  });
  afterAll(async () => {
    runProcess('tmux', ['kill-session', '-t', SESSION]);
    await api?.close();
  });

  it('shows the sprint before any spend, after the status line the user had', async () => {
    const screen = await screenUntil((s) => s.includes(project.sprintId), 'the sprint on the status line');
    expect(screen).toMatch(new RegExp(`mine-first │ ${project.sprintId} · brainstorm 1/9 · ░{10} 0/10k billing tokens 0% · ok`));
  });

  it('after a message: the spend the server reported, the percent, the state and the dollars, in colour', async () => {
    tmux('send-keys', '-t', SESSION, 'STATUS-LINE: say hello', 'Enter');
    const screen = await screenUntil((s) => s.includes('2.5k/10k'), 'the spend after the message');
    expect(api.served()).toHaveLength(1);
    expect(screen).toMatch(new RegExp(`mine-first │ ${project.sprintId} · brainstorm 1/9 · ██░{8} 2\\.5k/10k billing tokens 25% · ok · \\$0\\.0325`));
    // The bar and the state in green (ok): the colours reach the screen through Claude Code.
    const coloured = await screenUntil((s) => s.includes('2.5k/10k'), 'the coloured line', true);
    expect(coloured).toContain('\x1b[32m██░░░░░░░░');
    expect(coloured).toContain('\x1b[32mok');
  });

  it('the ledger holds the cache writes by lifetime as the real transcript carries them', () => {
    const l = openLedger(join(project.dir, '.sprint-budget/ledger.db'));
    try {
      const rows = l.db.prepare('SELECT input_tokens, output_tokens, cache_write_tokens, cache_write_5m_tokens, cache_write_1h_tokens, model FROM usage').all();
      expect(rows).toEqual([{ input_tokens: 2000, output_tokens: 500, cache_write_tokens: 1300, cache_write_5m_tokens: 800, cache_write_1h_tokens: 500, model: 'claude-opus-4-8' }]);
    } finally {
      l.close();
    }
  });

  it('uninstall puts the user\'s status line back', () => {
    const r = runCli(['statusline', '--uninstall'], { cwd: project.dir, env: { HOME: project.home } });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(project.home, '.claude', 'settings.json'), 'utf8'))).toEqual({ statusLine: { type: 'command', command: 'echo mine-first' } });
  });
});
