/** The V8 code cache of the hooks and the CLI (src/platform/cached-run.ts), through the real stubs. */
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PLUGIN, runCli, runProcess, tempProject } from '../helpers/cli';
import { SAMPLE_MAIN_BILLING, SAMPLE_SUB_BILLING, payload, runHook, sandbox, spendOf, writeTranscripts } from '../helpers/hooks';

/** The cache files of one bundle. */
function cacheFiles(data: string, bundle: string): string[] {
  try {
    return readdirSync(join(data, 'v8-cache', bundle)).sort();
  } catch {
    return [];
  }
}

/** A session with transcripts to read, and one Stop hook run as Claude Code starts it, keeping its cache in `data`. */
function stopRun() {
  const sb = sandbox();
  const data = mkdtempSync(join(tmpdir(), 'sb-plugin-data-'));
  const env = { CLAUDE_PLUGIN_DATA: data };
  runHook('session-start', payload(sb, 'session-start'), sb);
  writeTranscripts(sb);
  expect(runHook('stop', payload(sb, 'stop'), sb, { env })).toMatchObject({ code: 0, stderr: '' });
  return { sb, data, env };
}

describe('the code cache', () => {
  it('is written by a hook run, then used as it is: the cache file is left untouched, and the hook does its work', () => {
    const { sb, data, env } = stopRun();
    expect(readdirSync(join(data, 'v8-cache'))).toEqual(['stop.bundle']);
    const [file, ...more] = cacheFiles(data, 'stop.bundle');
    expect(more).toEqual([]);
    // The build (size, mtime, Node), then Node's flags (hooks.json's --liftoff-only).
    expect(file).toMatch(/^\d+-\d+-v\d+\.\d+\.\d+\.f[0-9a-f]{8}\.bin$/);
    const path = join(data, 'v8-cache', 'stop.bundle', file as string);
    const first = { bytes: readFileSync(path), mtime: statSync(path).mtimeMs };

    expect(runHook('stop', payload(sb, 'stop'), sb, { env })).toMatchObject({ code: 0, stderr: '' });
    expect(readFileSync(path).equals(first.bytes)).toBe(true);
    expect(statSync(path).mtimeMs).toBe(first.mtime);
    expect(spendOf(sb).billing).toBe(SAMPLE_MAIN_BILLING + SAMPLE_SUB_BILLING);
  });

  it('a cache V8 rejects (corrupt, or made by another build) is written anew, and the hook still works', () => {
    const sb = sandbox();
    const data = mkdtempSync(join(tmpdir(), 'sb-plugin-data-'));
    const env = { CLAUDE_PLUGIN_DATA: data };
    const uncached = runHook('session-start', payload(sb, 'session-start'), sb, { env });
    const [file] = cacheFiles(data, 'session-start.bundle');
    const path = join(data, 'v8-cache', 'session-start.bundle', file as string);
    writeFileSync(path, 'not a code cache');
    // An older build's cache of the same bundle, left by an update: dropped when a new one is written.
    writeFileSync(join(data, 'v8-cache', 'session-start.bundle', '1-2-v20.0.0.bin'), 'old');

    expect(runHook('session-start', payload(sb, 'session-start'), sb, { env })).toEqual(uncached);
    expect(readFileSync(path, 'utf8')).not.toBe('not a code cache');
    expect(cacheFiles(data, 'session-start.bundle')).toEqual([file]);
  });

  it('is kept per set of Node flags: a hook run by hand, without hooks.json\'s flags, neither replaces nor drops Claude Code\'s', () => {
    const { sb, data, env } = stopRun();
    const [hooks] = cacheFiles(data, 'stop.bundle');
    const path = join(data, 'v8-cache', 'stop.bundle', hooks as string);
    const mtime = statSync(path).mtimeMs;

    const byHand = () =>
      runProcess(process.execPath, [join(PLUGIN, 'dist/hooks/stop.cjs')], { cwd: sb.project, input: JSON.stringify(payload(sb, 'stop')), env: { HOME: sb.home, ...env } });
    expect(byHand().code).toBe(0);
    expect(byHand().code).toBe(0);
    const files = cacheFiles(data, 'stop.bundle');
    expect(files).toHaveLength(2);
    expect(files).toContain(hooks);
    expect(runHook('stop', payload(sb, 'stop'), sb, { env })).toMatchObject({ code: 0, stderr: '' });
    expect(statSync(path).mtimeMs).toBe(mtime);
    expect(cacheFiles(data, 'stop.bundle')).toEqual(files);
  });

  it('is not needed: a directory that cannot be written leaves the hook working, uncached', () => {
    const sb = sandbox();
    runHook('session-start', payload(sb, 'session-start'), sb);
    writeTranscripts(sb);
    const notADir = join(mkdtempSync(join(tmpdir(), 'sb-plugin-data-')), 'file');
    writeFileSync(notADir, '');
    const r = runHook('stop', payload(sb, 'stop'), sb, { env: { CLAUDE_PLUGIN_DATA: notADir } });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(spendOf(sb).billing).toBe(SAMPLE_MAIN_BILLING + SAMPLE_SUB_BILLING);
  });

  it("the CLI's is kept per command, in the user's cache directory when Claude Code gives none", () => {
    const project = tempProject();
    const xdg = mkdtempSync(join(tmpdir(), 'sb-xdg-'));
    const env = { XDG_CACHE_HOME: xdg };
    const dir = join(xdg, 'sprint-budget', 'v8-cache', 'cli.bundle');
    expect(runCli(['create', 'Cached'], { cwd: project, env }).code).toBe(0);
    expect(runCli(['state', '--json'], { cwd: project, env }).code).toBe(0);
    const files = readdirSync(dir).sort();
    expect(files).toHaveLength(2);
    expect(files.map((f) => f.replace(/^\d+-\d+-v\d+\.\d+\.\d+/, ''))).toEqual(['.create.bin', '.state.bin']);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const state = join(dir, files[1] as string);
    const mtime = statSync(state).mtimeMs;
    expect(runCli(['state', '--json'], { cwd: project, env }).code).toBe(0);
    expect(statSync(state).mtimeMs).toBe(mtime);
  });

  it('bin/sprint-budget starts commands with --liftoff-only, as the hooks, and a whole-history `ingest` with other flags (its cache names tell)', () => {
    const project = tempProject();
    const xdg = mkdtempSync(join(tmpdir(), 'sb-xdg-'));
    const bin = (...args: string[]) => runProcess(join(PLUGIN, 'bin/sprint-budget'), args, { cwd: project, env: { XDG_CACHE_HOME: xdg, HOME: project } });
    expect(bin('create', 'Through the bin').code).toBe(0);
    expect(bin('ingest', '--config-dir', join(project, 'no-claude'), '--json').code).toBe(0);
    // One session's lines: what a session appended, as the hooks read it.
    expect(bin('ingest', '--config-dir', join(project, 'no-claude'), '--session', 'none').stderr).toContain('no transcript for session none');
    // <build>.<command>.<hash of Node's flags>.bin
    const names = readdirSync(join(xdg, 'sprint-budget', 'v8-cache', 'cli.bundle')).map((f) => f.replace(/^\d+-\d+-v\d+\.\d+\.\d+\./, ''));
    const flagsOf = (command: string) => names.filter((n) => n.startsWith(`${command}.`)).map((n) => n.split('.')[1]);
    expect(names).toHaveLength(3);
    const [liftoff] = flagsOf('create');
    expect(flagsOf('ingest')).toHaveLength(2);
    expect(flagsOf('ingest')).toContain(liftoff);
    expect(new Set(flagsOf('ingest')).size).toBe(2);
  });
});
