/** The V8 code cache of the hooks and the CLI (src/platform/cached-run.ts), through the real stubs. */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
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

/** Node 22.1 and later keep the cache themselves (module.enableCompileCache): this file checks the one kept on Node 20. */
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const nodeKeepsIt = major > 22 || (major === 22 && minor >= 1);

describe.skipIf(nodeKeepsIt)('the code cache', () => {
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

/**
 * Compiled code is run as it is read: a cache that is damaged, or that someone else could have put
 * there, must never run (issue 13, item 9). On Node 20 the cache is the runner's own (a file per
 * bundle); from 22.1 it is Node's compile cache, whose reads Node reports under
 * NODE_DEBUG_NATIVE=COMPILE_CACHE. The same properties hold for both.
 */
describe('a cache that cannot be trusted', () => {
  /** The directory that holds the Stop hook's cache on this Node. */
  const stopCacheDir = (data: string) => join(data, 'v8-cache', nodeKeepsIt ? 'node-compile-cache' : 'stop.bundle');
  /** Every file in it, at any depth (Node's compile cache keeps one directory per Node build). */
  const filesUnder = (dir: string): string[] => {
    try {
      return readdirSync(dir, { recursive: true, encoding: 'utf8' })
        .map((f) => join(dir, f))
        .filter((f) => statSync(f).isFile())
        .sort();
    } catch {
      return [];
    }
  };
  const readsCache = (r: { stderr: string }) => /\[compile cache\] reading cache from/.test(r.stderr);
  const debugEnv = nodeKeepsIt ? { NODE_DEBUG_NATIVE: 'COMPILE_CACHE' } : {};

  /** One cached Stop run, and the path of its cache file. */
  function cachedStop() {
    const run = stopRun();
    const [path, ...more] = filesUnder(stopCacheDir(run.data));
    expect(more).toEqual([]);
    return { ...run, dir: stopCacheDir(run.data), path: path as string };
  }

  it('damaged anywhere (bytes flipped at random): never loaded, written anew, and every run works', () => {
    const { sb, env, path } = cachedStop();
    const good = readFileSync(path);
    let seed = 7;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    for (let round = 0; round < 10; round++) {
      const bytes = Buffer.from(good);
      for (let i = 0; i < 8; i++) {
        const at = 100 + (next() % (bytes.length - 100));
        bytes.writeUInt8(bytes.readUInt8(at) ^ 0xff, at);
      }
      writeFileSync(path, bytes);
      const r = runHook('stop', payload(sb, 'stop'), sb, { env });
      expect({ round, ...r }).toEqual({ round, code: 0, stdout: '', stderr: '' });
      expect(readFileSync(path).equals(bytes)).toBe(false);
    }
    expect(spendOf(sb).billing).toBe(SAMPLE_MAIN_BILLING + SAMPLE_SUB_BILLING);
  });

  it('in a directory others can write: refused, so a cache planted there never runs; the hook runs uncached', () => {
    const { sb, env, dir, path } = cachedStop();
    if (!nodeKeepsIt) {
      // A cache for other code of the same length as the bundle: V8 would run it in the bundle's place.
      const bundle = join(PLUGIN, 'dist/hooks/stop.bundle.cjs');
      const length = `(function (exports, require, module, __filename, __dirname) {${readFileSync(bundle, 'utf8')}\n})`.length;
      const head = "(function(){process.getBuiltinModule('node:fs').writeSync(2,'PLANTED\\n')/*";
      const foreign = `${head}${'x'.repeat(length - head.length - 4)}*/})`;
      const make = runProcess(process.execPath, [
        '--liftoff-only',
        '-e',
        `const vm=require('node:vm'),fs=require('node:fs');const s=new vm.Script(process.argv[1],{filename:process.argv[2]});s.runInThisContext()();const d=s.createCachedData();fs.writeFileSync(process.argv[3],Buffer.concat([d,d]))`,
        foreign,
        bundle,
        path,
      ]);
      expect(make.stderr).toBe('PLANTED\n');
    }
    const planted = readFileSync(path);
    // Read while the directory is the user's alone (Node says so under its debug switch)...
    if (nodeKeepsIt) expect(readsCache(runHook('stop', payload(sb, 'stop'), sb, { env: { ...env, ...debugEnv } }))).toBe(true);
    chmodSync(dir, 0o777);
    const r = runHook('stop', payload(sb, 'stop'), sb, { env: { ...env, ...debugEnv } });
    // ...and neither read nor replaced once others could have written it.
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(statSync(dir).mode & 0o777).toBe(0o777);
    expect(filesUnder(dir)).toEqual([path]);
    if (!nodeKeepsIt) expect(readFileSync(path).equals(planted)).toBe(true);
  });

  it('a symlinked cache directory is refused: nothing in its target is read, written or deleted', () => {
    const sb = sandbox();
    const data = mkdtempSync(join(tmpdir(), 'sb-plugin-data-'));
    const target = mkdtempSync(join(tmpdir(), 'sb-elsewhere-'));
    writeFileSync(join(target, 'precious.bin'), 'not a cache');
    mkdirSync(join(data, 'v8-cache'), { mode: 0o700 });
    symlinkSync(target, stopCacheDir(data));
    const r = runHook('stop', payload(sb, 'stop'), sb, { env: { CLAUDE_PLUGIN_DATA: data, ...debugEnv } });
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(readdirSync(target)).toEqual(['precious.bin']);
  });

  it("a cache directory made here is the user's alone (0700), its files 0600", () => {
    const sb = sandbox();
    const data = join(mkdtempSync(join(tmpdir(), 'sb-plugin-data-')), 'not-yet');
    const r = runHook('stop', payload(sb, 'stop'), sb, { env: { CLAUDE_PLUGIN_DATA: data } });
    expect(r.code).toBe(0);
    for (const d of [data, join(data, 'v8-cache'), stopCacheDir(data)]) expect(statSync(d).mode & 0o777).toBe(0o700);
    const files = filesUnder(stopCacheDir(data));
    expect(files).toHaveLength(1);
    for (const f of files) expect(statSync(f).mode & 0o777).toBe(0o600);
  });
});
