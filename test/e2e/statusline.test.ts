/**
 * e2e: the status line in a real terminal. The real `claude` binary runs interactively in tmux
 * against the scripted API, with `sprint-budget statusline --install` in its settings next to a status
 * line the user already had; the line is read from the screen (tmux capture-pane), colours included.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLedger } from '../../src/ledger/db';
import { runCli } from '../helpers/cli';
import { type Project, projectWithSprint } from '../helpers/claude';
import { type Pane, hasTmux, interactiveHome, startPane } from '../helpers/tmux';
import { type FakeApi, startFakeApi } from '../../scripts/fake-api.mjs';

// Skipped only where tmux is missing outside CI (.ci/run installs it and sets CI).
describe.skipIf(!hasTmux && !process.env.CI)('the status line in an interactive session (tmux)', () => {
  let api: FakeApi;
  let project: Project;
  let pane: Pane;

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
    interactiveHome(project.home, project.dir, 'sk-test');
    mkdirSync(join(project.home, '.claude'), { recursive: true });
    writeFileSync(join(project.home, '.claude', 'settings.json'), JSON.stringify({ statusLine: { type: 'command', command: 'echo mine-first' } }));
    const installed = runCli(['statusline', '--install'], { cwd: project.dir, env: { HOME: project.home } });
    expect(installed.code, installed.stderr).toBe(0);

    pane = startPane(`sb-statusline-${process.pid}`, { cwd: project.dir, home: project.home, apiUrl: api.url, args: ['--model', 'claude-opus-4-8'] });
  });
  afterAll(async () => {
    pane?.close();
    await api?.close();
  });

  it('shows the sprint before any spend, after the status line the user had', async () => {
    // SessionStart's line names the sprint too: wait for the status line itself. Claude Code may draw it
    // before SessionStart has attached the session, and draws it again only after a message.
    const line = await pane.waitFor(`mine-first │ ${project.sprintId}`, 45_000);
    expect(line).toMatch(new RegExp(`mine-first │ ${project.sprintId} · brainstorm 1/9 · ░{10} 0/10k billing tokens 0% · ok`));
    // The user sees which sprint the session counts toward (SessionStart's line).
    await pane.waitFor(`SessionStart:startup says: sprint-budget: This session counts toward sprint ${project.sprintId} "Status line in a real terminal"`, 45_000);
  }, 120_000);

  it('after a message: the spend the server reported, the percent, the state and the dollars, in colour', async () => {
    pane.type('STATUS-LINE: say hello');
    pane.key('Enter');
    const screen = await pane.waitFor('2.5k/10k');
    expect(api.served()).toHaveLength(1);
    expect(screen).toMatch(new RegExp(`mine-first │ ${project.sprintId} · brainstorm 1/9 · ██░{8} 2\\.5k/10k billing tokens 25% · ok · \\$0\\.0325`));
    // The bar and the state in green (ok): the colours reach the screen through Claude Code.
    const coloured = await pane.waitFor('2.5k/10k', 60_000, true);
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
