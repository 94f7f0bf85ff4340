/**
 * One bad input never stops the counting (issue 13, items 1-4): a transcript that cannot be opened,
 * a line too large to decode, counts out of range, a FIFO where a transcript should be. Each is
 * skipped and said once, with its path and why; everything else is counted; no command fails or hangs.
 * Driven through the real bundles (hooks and CLI) on a real ledger.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, mkdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, cleanEnv, runCli } from '../helpers/cli';
import { SAMPLE_MAIN_BILLING, SAMPLE_SESSION, SAMPLE_SUB_BILLING, type Sandbox, answerOf, payload, runHook, sandbox, spendOf, writeTranscripts } from '../helpers/hooks';
import { responseLine } from '../helpers/transcripts';

const BOTH = SAMPLE_MAIN_BILLING + SAMPLE_SUB_BILLING;

function cli(sb: Sandbox, args: string[], opts: { env?: NodeJS.ProcessEnv } = {}) {
  return runCli(args, { cwd: sb.project, env: { HOME: sb.home, ...opts.env } });
}

function stateOf(sb: Sandbox): Record<string, any> {
  const r = cli(sb, ['state', sb.sprintId as string, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, any>;
}

/** A session attached to the sprint, its sample transcripts written, and the directory of its subagents. */
function session(opts: { budget?: string } = {}): Sandbox & { subagents: string } {
  const sb = sandbox(opts);
  expect(runHook('session-start', payload(sb, 'session-start'), sb).code).toBe(0);
  writeTranscripts(sb);
  return { ...sb, subagents: dirname(sb.subagentTranscript) };
}

describe('a transcript that cannot be read', () => {
  it('is skipped with its path and reason, once; the others are counted and every command works', () => {
    const sb = session();
    // Sorted before and after the real subagent transcript: a symlink loop (ELOOP) and a directory.
    const loop = join(sb.subagents, 'agent-0loop.jsonl');
    symlinkSync(loop, loop);
    const dir = join(sb.subagents, 'agent-zdir.jsonl');
    mkdirSync(dir);

    const stop = runHook('stop', payload(sb, 'stop'), sb);
    expect(stop.code).toBe(0);
    expect(spendOf(sb).billing).toBe(BOTH);
    // Said to the user once, by the hook that met it first.
    const said = answerOf(stop)?.systemMessage as string;
    expect(said).toContain(`cannot read ${loop} (ELOOP`);
    expect(said).toContain(`cannot read ${dir} (not a regular file: a directory)`);
    expect(answerOf(runHook('stop', payload(sb, 'stop'), sb))).toBeNull();

    const state = stateOf(sb);
    expect(state.tokens_spent).toBe(BOTH);
    expect(state.unread).toEqual([
      { path: loop, line: null, reason: expect.stringMatching(/^ELOOP/), since: expect.any(String) },
      { path: dir, line: null, reason: 'not a regular file: a directory', since: expect.any(String) },
    ]);
    expect(cli(sb, ['state']).stdout).toMatch(/Unread +2 transcripts could not be read: .*agent-0loop\.jsonl \(ELOOP/);
    const ingest = cli(sb, ['ingest', '--json']);
    expect(ingest.code, ingest.stderr).toBe(0);
    expect(JSON.parse(ingest.stdout).unread).toEqual([
      { path: loop, line: null, reason: expect.stringMatching(/^ELOOP/) },
      { path: dir, line: null, reason: 'not a regular file: a directory' },
    ]);
    expect(cli(sb, ['ingest']).stderr).toContain(`skipped ${loop}: ELOOP`);
    expect(cli(sb, ['advance', '--from', 'brainstorm']).code).toBe(0);

    // Retried on every read: once the file can be read it counts, and the note goes.
    rmSync(loop);
    writeFileSync(loop, responseLine({ sessionId: SAMPLE_SESSION, id: 'msg_late', input: 300, output: 7, agentId: '0loop' }));
    const after = stateOf(sb);
    expect(after.tokens_spent).toBe(BOTH + 307);
    expect(after.unread.map((u: { path: string }) => u.path)).toEqual([dir]);
    expect(cli(sb, ['stop', '--reason', 'done here']).code).toBe(0);
  });

  it('permission denied (a transcript written by another user): the hook run as the user skips that file alone', () => {
    // Tests run as root, whom permissions do not stop: the hook is run as `nobody` (setpriv).
    if (process.getuid?.() !== 0 || spawnSync('setpriv', ['--version']).status !== 0) return;
    const sb = session();
    const locked = join(sb.subagents, 'agent-0root.jsonl');
    writeFileSync(locked, responseLine({ sessionId: SAMPLE_SESSION, id: 'msg_root', input: 5, output: 5, agentId: '0root' }), { mode: 0o600 });
    // Everything else belongs to `nobody`, as a user's own files do.
    for (const p of [sb.project, sb.home]) execFileSync('chown', ['-R', '65534:65534', p]);
    chownSync(locked, 0, 0);
    chmodSync(locked, 0o600);
    const asNobody = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, 'state', '--json'], {
      cwd: sb.project,
      env: cleanEnv({ HOME: sb.home }),
      encoding: 'utf8',
    });
    expect(asNobody.status, asNobody.stderr).toBe(0);
    const state = JSON.parse(asNobody.stdout) as Record<string, any>;
    expect(state.tokens_spent).toBe(BOTH);
    expect(state.unread).toEqual([{ path: locked, line: null, reason: expect.stringMatching(/^EACCES/), since: expect.any(String) }]);
  });
});

describe('a line too large to decode', () => {
  it('a deeply nested line of another layout is skipped with a note; the rest of the file is read', () => {
    const sb = session();
    // 20 MiB of nesting in an assistant line that is not compact JSON: a full decode costs seconds.
    const depth = 10 * 1024 * 1024;
    const nested = `{"type": "assistant", "message": {"id": "msg_deep", "role": "assistant", "usage": {"input_tokens": 1, "output_tokens": 1}, "x": ${'['.repeat(depth)}${']'.repeat(depth)}}}\n`;
    appendFileSync(sb.transcript, nested);
    appendFileSync(sb.transcript, responseLine({ sessionId: SAMPLE_SESSION, id: 'msg_after', input: 11, output: 2 }));
    const lines = readFileSync(sb.transcript, 'utf8').split('\n').length - 1;

    expect(runHook('stop', payload(sb, 'stop'), sb).code).toBe(0);
    const state = stateOf(sb);
    expect(state.tokens_spent).toBe(BOTH + 13);
    expect(state.unread).toEqual([
      { path: sb.transcript, line: lines - 1, reason: 'not compact JSON and 20.0 MiB long (more than 1 MiB): not decoded; any response on it is not counted', since: expect.any(String) },
    ]);
  });
  it('a 600 MiB line (more than a string can hold) is passed over; the lines after it are read', () => {
    const sb = session();
    // A sparse file: 600 MiB of NUL bytes on one line, costing no disk.
    const before = readFileSync(sb.transcript).length;
    truncateSync(sb.transcript, before + 600 * 1024 * 1024);
    appendFileSync(sb.transcript, `\n${responseLine({ sessionId: SAMPLE_SESSION, id: 'msg_after_huge', input: 70, output: 3 })}`);
    const lines = 30 + 2;
    expect(runHook('stop', payload(sb, 'stop'), sb)).toMatchObject({ code: 0 });
    const state = stateOf(sb);
    expect(state.tokens_spent).toBe(BOTH + 73);
    expect(state.unread).toEqual([
      { path: sb.transcript, line: lines - 1, reason: 'longer than 64.0 MiB (600.0 MiB): not read; any response on it is not counted', since: expect.any(String) },
    ]);
  });
});

describe('counts out of range', () => {
  it('two responses of 9e18 input tokens are reported, not stored; every figure stays exact and every command works', () => {
    const sb = session({ budget: '1000000' });
    for (const id of ['msg_huge1', 'msg_huge2']) appendFileSync(sb.transcript, responseLine({ sessionId: SAMPLE_SESSION, id, input: 9e18, output: 1 }));
    appendFileSync(sb.transcript, responseLine({ sessionId: SAMPLE_SESSION, id: 'msg_ok', input: 100, output: 1 }));
    expect(runHook('stop', payload(sb, 'stop'), sb).code).toBe(0);

    const state = stateOf(sb);
    expect(state.tokens_spent).toBe(BOTH + 101);
    expect(state.unread.map((u: { reason: string }) => u.reason)).toEqual([
      'usage counts out of range (input_tokens 9000000000000000000; at most 1000000000 each): not counted',
      'usage counts out of range (input_tokens 9000000000000000000; at most 1000000000 each): not counted',
    ]);
    for (const args of [['set-budget', '2000000', '--reason', 'y'], ['stop', '--reason', 'x']]) {
      const r = cli(sb, args);
      expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 0, stderr: '' });
    }
  });

  it('a tool cannot record one, and a subagent report carrying one is not stored', () => {
    const sb = sandbox();
    expect(runHook('session-start', payload(sb, 'session-start'), sb).code).toBe(0);
    const r = cli(sb, ['record', '--phase', 'brainstorm', '--input', '9000000000000000000', '--output', '1', '--source', 't', '--key', 'k']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('sprint-budget: --input: expected an integer from 0 to 1000000000, got "9000000000000000000"\n');
    const post = payload(sb, 'post-tool-use') as { tool_response: { usage: Record<string, number> } };
    post.tool_response.usage.input_tokens = 9e18;
    expect(runHook('post-tool-use', post as unknown as Record<string, unknown>, sb).code).toBe(0);
    expect(stateOf(sb).tokens_spent).toBe(0);
  });
});

describe('a FIFO where a transcript should be', () => {
  function fifo(path: string): void {
    mkdirSync(dirname(path), { recursive: true });
    execFileSync('mkfifo', [path]);
  }

  it('attach --transcript refuses it with a line', () => {
    const sb = sandbox();
    const path = join(sb.home, 'pipe.jsonl');
    fifo(path);
    const r = spawnSync(process.execPath, [CLI, 'attach', '--session', 's-fifo', '--transcript', path], { cwd: sb.project, env: cleanEnv({ HOME: sb.home }), encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`sprint-budget: --transcript: ${path} is not a regular file (a FIFO)\n`);
  });

  it('from a hook payload: never opened, noted, and no hook or command waits on it', () => {
    const sb = session({ budget: '1000000' });
    const pipe = join(sb.subagents, 'agent-0pipe.jsonl');
    fifo(pipe);
    // Another session of the same sprint, whose main transcript is a FIFO.
    const other = join(dirname(sb.transcript), 'other-session.jsonl');
    fifo(other);
    const otherStart = runHook('session-start', payload(sb, 'session-start', { session_id: 'other-session', transcript_path: other }), sb);
    expect(otherStart.code).toBe(0);

    const timeout = 20_000;
    for (const hook of ['stop', 'pre-tool-use', 'session-end'] as const) {
      const r = spawnSync(process.execPath, [join(CLI, '..', 'hooks', `${hook}.cjs`)], {
        cwd: sb.project,
        input: JSON.stringify(payload(sb, hook)),
        env: cleanEnv({ HOME: sb.home, CLAUDE_CODE_SESSION_ID: SAMPLE_SESSION }),
        encoding: 'utf8',
        timeout,
      });
      expect({ hook, status: r.status, signal: r.signal }).toEqual({ hook, status: 0, signal: null });
    }
    const r = spawnSync(process.execPath, [CLI, 'state', '--json'], { cwd: sb.project, env: cleanEnv({ HOME: sb.home }), encoding: 'utf8', timeout });
    expect(r.status, r.stderr).toBe(0);
    const state = JSON.parse(r.stdout) as Record<string, any>;
    expect(state.tokens_spent).toBe(BOTH);
    expect(state.unread.map((u: { path: string; reason: string }) => [u.path, u.reason])).toEqual([
      [pipe, 'not a regular file: a FIFO'],
      [other, 'not a regular file: a FIFO'],
    ]);
  });

  it('as the project\'s config.json: the gate answers at once with the default policy and says why', () => {
    const sb = sandbox({ budget: '1000000' });
    fifo(join(sb.project, '.sprint-budget', 'config.json'));
    const r = spawnSync(process.execPath, [join(CLI, '..', 'hooks', 'pre-tool-use.cjs')], {
      cwd: sb.project,
      input: JSON.stringify(payload(sb, 'pre-tool-use')),
      env: cleanEnv({ HOME: sb.home, CLAUDE_CODE_SESSION_ID: SAMPLE_SESSION }),
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect({ status: r.status, signal: r.signal }).toEqual({ status: 0, signal: null });
    expect(r.stdout).toContain('not a regular file: a FIFO');
  });
});
