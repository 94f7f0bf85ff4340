/** statusline: the sprint's budget under Claude Code's prompt. It runs after every message: it loads little. */
import { fstatSync, readFileSync } from 'node:fs';
import { installStatusLine, uninstallStatusLine } from '../../app/statusline-install';
import { parseStatusInput, statusFigures } from '../../app/statusline';
import { statusLine } from '../../domain/statusline';
import { childProcess } from '../../platform/builtin';
import { UsageError } from '../../platform/errors';
import { command } from '../framework';
import { printJson, printLine } from '../output';

/** Claude Code's status-line JSON, or '' when stdin is a terminal (run by hand) or unreadable. */
function readStdin(): string {
  try {
    if (fstatSync(0).isCharacterDevice()) return '';
    return readFileSync(0, 'utf8');
  } catch {
    return '';
  }
}

/** The status line the user had: run with the same input, its output shown first. Its failure is its own. */
function previousOutput(cmd: string, input: string): string {
  const r = childProcess().spawnSync('/bin/sh', ['-c', cmd], { input, encoding: 'utf8', timeout: 5_000 });
  return typeof r.stdout === 'string' ? r.stdout.replace(/\s+$/, '') : '';
}

/** Colours: `always` (as installed: Claude Code renders ANSI colours, from a pipe), `never`, or `auto` (a terminal). NO_COLOR wins. */
function useColor(mode: string | undefined, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (mode === undefined || mode === 'auto') {
    try {
      return fstatSync(1).isCharacterDevice();
    } catch {
      return false;
    }
  }
  if (mode === 'always') return true;
  if (mode === 'never') return false;
  throw new UsageError(`--color: expected auto, always or never, got "${mode}"`);
}

export const statusline = command({
  name: 'statusline',
  summary: "One line for Claude Code's status line: sprint, phase, a bar, spent/budget billing tokens, state, dollars.",
  usage: '[--color auto|always|never] [--with CMD] | --install | --uninstall',
  options: {
    color: { type: 'string', value: 'WHEN', description: 'auto (default: when stdout is a terminal), always, never; NO_COLOR wins' },
    with: { type: 'string', value: 'CMD', description: 'another status line command: run first, with the same input; its output first' },
    install: { type: 'boolean', description: "add it to Claude Code's settings (statusLine), a copy of the settings kept; an existing status line is kept and shown first" },
    uninstall: { type: 'boolean', description: 'take it out again, and put back the status line that was there' },
  },
  details: [
    "Reads Claude Code's status-line JSON on stdin (session_id, transcript_path, workspace, ...). Prints nothing",
    '(exit 0) when the session counts toward no active sprint, and for bad or empty input. It reads only what',
    "the session's transcripts gained since they were last read, never a whole history.",
    'Settings: $CLAUDE_CONFIG_DIR/settings.json (default ~/.claude/settings.json); restart Claude Code to see it.',
    'Example: sprint-budget statusline --install',
  ],
  run(ctx) {
    const v = ctx.values;
    if (v.install === true || v.uninstall === true) {
      if (v.install === true && v.uninstall === true) throw new UsageError('statusline: --install or --uninstall, not both');
      if (v.install === true) {
        const r = installStatusLine(ctx.caller.env);
        if (ctx.json) printJson(r);
        else {
          printLine(`${r.refreshed ? 'Status line refreshed' : 'Status line installed'} in ${r.settings}${r.backup ? ` (copy of the settings: ${r.backup})` : ''}`);
          if (r.combined) printLine(`Your status line stays, shown first: ${r.combined}`);
          printLine('Restart Claude Code to see it; `sprint-budget statusline --uninstall` takes it out.');
        }
        return 0;
      }
      const r = uninstallStatusLine(ctx.caller.env);
      if (ctx.json) printJson(r);
      else printLine(`Status line removed from ${r.settings}${r.restored ? '; your previous status line is back' : ''}${r.backup ? ` (copy of the settings: ${r.backup})` : ''}`);
      return 0;
    }
    const color = useColor(v.color, ctx.caller.env);
    const text = readStdin();
    const before = v.with ? previousOutput(v.with, text) : '';
    const input = parseStatusInput(text);
    const figures = input ? statusFigures(input, ctx.caller.env, ctx.caller.db) : null;
    const ours = figures ? statusLine(figures, color) : '';
    if (ctx.json) {
      printJson({ line: ours || null, figures });
      return 0;
    }
    const line = [before, ours].filter((s) => s !== '').join(before.includes('\n') ? '\n' : ' │ ');
    if (line !== '') printLine(line);
    return 0;
  },
});
