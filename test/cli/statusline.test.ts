/** `sprint-budget statusline`: the built CLI as Claude Code runs it, status-line JSON on stdin; --install/--uninstall on a real settings file. */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { launcherSource } from '../../src/app/statusline-install';
import { runCli, runProcess, tempProject } from '../helpers/cli';

/** A project with a sprint of `budget`, session `s-1` attached, and 7000/1000 billing tokens of claude-opus-4-8 recorded. */
function project(budget = '10k'): { dir: string; id: string; payload: string } {
  const dir = tempProject();
  const id = runCli(['create', 'Status line sprint', '--budget', budget], { cwd: dir }).stdout.trim();
  expect(runCli(['attach', '--session', 's-1'], { cwd: dir }).code).toBe(0);
  record(dir, 'k1', 7000, 1000, 'claude-opus-4-8');
  return { dir, id, payload: JSON.stringify({ session_id: 's-1', transcript_path: null, cwd: dir, model: { id: 'claude-opus-4-8' }, workspace: { current_dir: dir, project_dir: dir } }) };
}

function record(dir: string, key: string, input: number, output: number, model: string): void {
  const r = runCli(['record', '--phase', 'brainstorm', '--input', String(input), '--output', String(output), '--source', 'test', '--key', key, '--model', model], { cwd: dir });
  expect(r.code, r.stderr).toBe(0);
}

function statusline(input: string, args: string[] = [], env: NodeJS.ProcessEnv = {}) {
  // Claude Code starts it anywhere: the ledger is found from the payload's workspace, not the cwd.
  return runCli(['statusline', ...args], { cwd: tmpdir(), input, env });
}

describe('the line', () => {
  it('sprint, phase, bar, spent/budget billing tokens and percent, state, dollars (hand-computed)', () => {
    const p = project();
    // claude-opus-4-8: 7000 × $5e-06 + 1000 × $2.5e-05 = $0.06.
    expect(statusline(p.payload)).toEqual({ code: 0, stdout: `${p.id} · brainstorm 1/9 · ████████░░ 8k/10k billing tokens 80% · warning · $0.0600\n`, stderr: '' });
  });

  it('colours by state when asked (as installed), plain with NO_COLOR or when stdout is not a terminal', () => {
    const p = project();
    expect(statusline(p.payload, ['--color', 'always']).stdout).toContain('\x1b[33m████████░░\x1b[0m');
    expect(statusline(p.payload, ['--color', 'always']).stdout).toContain('\x1b[33mwarning\x1b[0m');
    expect(statusline(p.payload, ['--color', 'always'], { NO_COLOR: '1' }).stdout).not.toContain('\x1b[');
    expect(statusline(p.payload).stdout).not.toContain('\x1b[');
    record(p.dir, 'k2', 3000, 0, 'claude-opus-4-8');
    expect(statusline(p.payload, ['--color', 'always']).stdout).toContain('\x1b[31mexceeded\x1b[0m');
  });

  it('a model without a price: the priced part as "at least", never $0 for the rest', () => {
    const p = project();
    record(p.dir, 'k3', 500, 0, 'claude-opus-5-5');
    expect(statusline(p.payload).stdout).toContain("8.5k/10k billing tokens 85% · warning · ≥$0.0600");
  });

  it('no budget: spend and "no budget"', () => {
    const p = project('none');
    expect(statusline(p.payload).stdout).toBe(`${p.id} · brainstorm 1/9 · 8k billing tokens · no budget · $0.0600\n`);
  });

  it('nothing, exit 0: bad or empty stdin, a payload without a session, a detached session, a project with no ledger', () => {
    const p = project();
    expect(runCli(['attach', '--session', 's-2'], { cwd: p.dir }).code).toBe(0);
    expect(runCli(['detach', '--session', 's-2'], { cwd: p.dir }).code).toBe(0);
    for (const input of ['', 'not json', '[]', '{"cwd":"/"}', JSON.stringify({ session_id: 's-2', cwd: p.dir }), JSON.stringify({ session_id: 's-1', cwd: tmpdir() })]) {
      expect(statusline(input), input).toEqual({ code: 0, stdout: '', stderr: '' });
    }
  });

  it('a new session SessionStart has not attached yet shows the sprint the hook will attach it to (Claude Code draws the line while the hook runs)', () => {
    const p = project();
    const fresh = JSON.stringify({ ...JSON.parse(p.payload), session_id: 's-new' });
    expect(statusline(fresh).stdout).toBe(`${p.id} · brainstorm 1/9 · ████████░░ 8k/10k billing tokens 80% · warning · $0.0600\n`);
    // The line attaches nothing: that stays the hooks' job.
    const state = JSON.parse(runCli(['state', '--json'], { cwd: p.dir }).stdout);
    expect(JSON.stringify(state)).toContain('"s-1"');
    expect(JSON.stringify(state)).not.toContain('s-new');
  });

  it('runs a previous status line first, with the same input (--with)', () => {
    const p = project();
    expect(statusline(p.payload, ['--with', 'printf "mine:%s" "$(cat | head -c 13)"']).stdout).toBe(`mine:{"session_id" │ ${p.id} · brainstorm 1/9 · ████████░░ 8k/10k billing tokens 80% · warning · $0.0600\n`);
  });

  it('reads what the session\'s transcript gained since it was last read, before the Stop hook does', () => {
    const p = project();
    const transcript = join(p.dir, 's-1.jsonl');
    const line = (id: string, input: number) =>
      JSON.stringify({ type: 'assistant', sessionId: 's-1', timestamp: new Date().toISOString(), requestId: `r-${id}`, message: { id, role: 'assistant', model: 'claude-opus-4-8', content: [], stop_reason: null, usage: { input_tokens: input, output_tokens: 0 } } });
    writeFileSync(transcript, `${line('m1', 500)}\n`);
    const payload = JSON.stringify({ ...JSON.parse(p.payload), transcript_path: transcript });
    expect(statusline(payload).stdout).toContain('8.5k/10k billing tokens 85%');
    writeFileSync(transcript, `${line('m1', 500)}\n${line('m2', 1000)}\n`);
    expect(statusline(payload).stdout).toContain('9.5k/10k billing tokens 95%');
  });
});

describe('--install and --uninstall', () => {
  function claudeDir(settings?: unknown): { env: NodeJS.ProcessEnv; dir: string; settings: string } {
    const dir = mkdtempSync(join(tmpdir(), 'sb-claude-'));
    const path = join(dir, 'settings.json');
    if (settings !== undefined) writeFileSync(path, typeof settings === 'string' ? settings : JSON.stringify(settings, null, 2));
    return { env: { CLAUDE_CONFIG_DIR: dir }, dir, settings: path };
  }
  const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  /** Runs the installed command as Claude Code does: through a shell, the status-line JSON on stdin. */
  const runInstalled = (command: string, input: string) => runProcess('/bin/sh', ['-c', command], { input, cwd: tmpdir() }).stdout;

  it('with no status line: adds it, and the command it writes shows the line; uninstall takes it out', () => {
    const p = project();
    const c = claudeDir();
    const r = runCli(['statusline', '--install', '--json'], { cwd: p.dir, env: c.env });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ settings: c.settings, backup: null, combined: null, refreshed: false });
    const { statusLine } = read(c.settings) as { statusLine: { type: string; command: string } };
    expect(statusLine.type).toBe('command');
    expect(statusLine.command).toContain('--color always');
    expect(runInstalled(statusLine.command, p.payload)).toContain(`${p.id} · brainstorm 1/9 · \x1b[33m████████░░`);
    expect(runCli(['statusline', '--uninstall'], { cwd: p.dir, env: c.env }).code).toBe(0);
    expect(read(c.settings)).toEqual({});
    expect(existsSync(join(c.dir, 'sprint-budget', 'statusline.cjs'))).toBe(false);
  });

  it('keeps an existing status line (its output first) and a copy of the settings; installing again changes nothing else; uninstall restores it', () => {
    const p = project();
    const before = { model: 'opus', statusLine: { type: 'command', command: 'echo mine', padding: 1 } };
    const c = claudeDir(before);
    const original = readFileSync(c.settings, 'utf8');
    const first = JSON.parse(runCli(['statusline', '--install', '--json'], { cwd: p.dir, env: c.env }).stdout) as { backup: string; combined: string };
    expect(first.combined).toBe('echo mine');
    expect(readFileSync(first.backup, 'utf8')).toBe(original);
    const installed = read(c.settings) as { model: string; statusLine: { command: string; padding: number } };
    expect(installed.model).toBe('opus');
    expect(installed.statusLine.padding).toBe(1);
    expect(runInstalled(installed.statusLine.command, p.payload).replace(/\x1b\[[0-9;]*m/g, '')).toBe(`mine │ ${p.id} · brainstorm 1/9 · ████████░░ 8k/10k billing tokens 80% · warning · $0.0600\n`);

    const again = JSON.parse(runCli(['statusline', '--install', '--json'], { cwd: p.dir, env: c.env }).stdout) as { refreshed: boolean; combined: string };
    expect(again).toMatchObject({ refreshed: true, combined: 'echo mine' });
    expect((read(c.settings) as typeof installed).statusLine.command).toBe(installed.statusLine.command);

    // A setting the user changes meanwhile stays.
    writeFileSync(c.settings, JSON.stringify({ ...read(c.settings), theme: 'light' }));
    expect(runCli(['statusline', '--uninstall'], { cwd: p.dir, env: c.env }).code).toBe(0);
    expect(read(c.settings)).toEqual({ ...before, theme: 'light' });
    expect(readdirSync(c.dir).filter((f) => f.endsWith('.bak'))).toHaveLength(3);
  });

  it('never overwrites silently: settings that are not JSON, a status line changed since install', () => {
    const p = project();
    const bad = claudeDir('{ not json');
    const r = runCli(['statusline', '--install'], { cwd: p.dir, env: bad.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('left untouched');
    expect(readFileSync(bad.settings, 'utf8')).toBe('{ not json');

    const c = claudeDir({});
    runCli(['statusline', '--install'], { cwd: p.dir, env: c.env });
    writeFileSync(c.settings, JSON.stringify({ statusLine: { type: 'command', command: 'echo theirs' } }));
    const u = runCli(['statusline', '--uninstall'], { cwd: p.dir, env: c.env });
    expect(u.code).toBe(2);
    expect(u.stderr).toContain('not sprint-budget');
    expect(read(c.settings)).toEqual({ statusLine: { type: 'command', command: 'echo theirs' } });
  });

  it('the launcher finds the newest sprint-budget in the plugin cache once an update has moved the plugin', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-claude-'));
    for (const [version, says] of [['0.9.0', 'old'], ['0.10.1', 'new'], ['0.10.0', 'mid']] as const) {
      mkdirSync(join(dir, 'plugins/cache/market/sprint-budget', version, 'dist'), { recursive: true });
      writeFileSync(join(dir, 'plugins/cache/market/sprint-budget', version, 'dist/cli.cjs'), `process.stdout.write("${says} " + process.argv.slice(2).join(" "));`);
    }
    mkdirSync(join(dir, 'sprint-budget'));
    const launcher = join(dir, 'sprint-budget', 'statusline.cjs');
    writeFileSync(launcher, launcherSource(join(dir, 'gone/dist/cli.cjs')));
    expect(runProcess(process.execPath, [launcher, '--color', 'always']).stdout).toBe('new statusline --color always');
  });
});
