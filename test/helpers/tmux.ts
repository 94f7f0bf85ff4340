/**
 * The real `claude` binary in an interactive session, in a tmux pane: typed into with send-keys, read
 * with capture-pane. For what `-p` mode cannot show: a question put to the user, and their answer.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execaSync } from 'execa';
import { CLAUDE, offlineClaudeEnv } from '../../scripts/offline-claude.mjs';
import { PLUGIN, runProcess } from './cli';

/** Whether tmux is installed (.ci/run installs it; a test that needs it is skipped without it). */
export const hasTmux = runProcess('tmux', ['-V']).code === 0;

export interface Pane {
  name: string;
  /** What the pane shows; with `escapes`, its colours as escape sequences too. */
  screen(escapes?: boolean): string;
  type(text: string): void;
  key(...keys: string[]): void;
  /** Waits until the screen shows `text` (or matches it); throws with the screen after `ms`. */
  waitFor(text: string | RegExp, ms?: number, escapes?: boolean): Promise<string>;
  close(): void;
}

// A user's terminal, not a CI job: with CI set, Claude Code drops the colours a status line prints.
const notCi = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => Object.fromEntries(Object.entries(env).filter(([k]) => k !== 'CI'));
const tmux = (...args: string[]) => execaSync('tmux', args, { env: notCi(process.env), extendEnv: false }).stdout;

/** A HOME where Claude Code starts without its first-run screens: onboarding done, the project trusted, the test key approved. */
export function interactiveHome(home: string, project: string, apiKey: string): void {
  writeFileSync(
    join(home, '.claude.json'),
    JSON.stringify({
      hasCompletedOnboarding: true,
      customApiKeyResponses: { approved: [apiKey.slice(-20)], rejected: [] },
      projects: { [project]: { hasTrustDialogAccepted: true, hasCompletedProjectOnboarding: true } },
    }),
  );
}

/** Starts `claude --plugin-dir plugin/ --allowedTools "Bash Agent" [args]` in a new tmux session. */
export function startPane(name: string, opts: { cwd: string; home: string; apiUrl: string; env?: NodeJS.ProcessEnv; args?: string[]; allowedTools?: string }): Pane {
  const env = notCi(offlineClaudeEnv(opts.home, opts.apiUrl, opts.env));
  const envArgs = Object.entries(env).flatMap(([k, v]) => (v === undefined ? [] : ['-e', `${k}=${v}`]));
  tmux('new-session', '-d', '-s', name, '-x', '200', '-y', '50', '-c', opts.cwd, ...envArgs, CLAUDE, '--plugin-dir', PLUGIN, '--allowedTools', opts.allowedTools ?? 'Bash Agent', ...(opts.args ?? []));
  const screen = (escapes = false) => tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', name);
  return {
    name,
    screen,
    type: (text) => tmux('send-keys', '-t', name, '-l', text),
    key: (...keys) => tmux('send-keys', '-t', name, ...keys),
    async waitFor(text, ms = 60_000, escapes = false) {
      const until = Date.now() + ms;
      for (;;) {
        const s = screen(escapes);
        if (typeof text === 'string' ? s.includes(text) : text.test(s)) return s;
        if (Date.now() > until) throw new Error(`tmux ${name}: no ${String(text)} on the screen:\n${s}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    close: () => {
      try {
        tmux('kill-session', '-t', name);
      } catch {
        // Already gone.
      }
    },
  };
}

/**
 * Types a prompt, waits for Claude Code's `question`, answers its first choice (Yes) and waits for
 * `done`; returns the screen that showed the question. The dialog may draw before it takes keys:
 * while the question is still up, the key it missed is sent again (it answers that one question, once).
 */
export async function promptAndApprove(pane: Pane, prompt: string, question: RegExp, done: string): Promise<string> {
  await pane.waitFor('❯');
  pane.type(prompt);
  pane.key('Enter');
  const asked = await pane.waitFor(question);
  const answered = () => pane.waitFor(done, 5_000).then(() => true, () => false);
  pane.key('Enter');
  for (let again = 0; again < 3 && !(await answered()); again++) if (question.test(pane.screen())) pane.key('Enter');
  await pane.waitFor(done);
  return asked;
}
