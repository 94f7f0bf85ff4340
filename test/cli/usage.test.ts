import { appendFileSync, cpSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyTotals, generateCorpus } from '../../scripts/corpus.mjs';
import { CLI, PLUGIN, runCli, runProcess, tempProject } from '../helpers/cli';

const SAMPLES = join(import.meta.dirname, '../fixtures/claude-code-2.1.332/transcripts');
const SESSION = '2f615247-9f0e-4d07-ade0-cad4d6e2665c';
const MAIN_REL = `-home-user-project/${SESSION}.jsonl`;
const SUB_REL = `-home-user-project/${SESSION}/subagents/agent-a946a5f5990bbc7a2`;

function sampleLines(rel: string): string[] {
  return readFileSync(join(SAMPLES, rel), 'utf8').trimEnd().split('\n');
}

/** The sample's lines with every timestamp moved to `ms`. */
function at(lines: string[], ms: number): string {
  return `${lines.map((l) => l.replace(/"timestamp":"[^"]+"/g, `"timestamp":"${new Date(ms).toISOString()}"`)).join('\n')}\n`;
}

function json<T = Record<string, unknown>>(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): T {
  const r = runCli([...args, '--json'], { cwd, env });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
}

describe('ingest on the real samples', () => {
  it('reads 2 files: main 2 × 1000/40 (cache write 100, read 2000) and subagent 500/20', () => {
    const dir = tempProject();
    const config = join(dir, 'claude');
    cpSync(SAMPLES, join(config, 'projects'), { recursive: true });
    const bytes = statSync(join(SAMPLES, MAIN_REL)).size + statSync(join(SAMPLES, `${SUB_REL}.jsonl`)).size;
    expect(json(['ingest', '--config-dir', config], dir)).toEqual({
      files: 2,
      bytes,
      responses: 3,
      input_tokens: 2500,
      output_tokens: 100,
      cache_creation_input_tokens: 200,
      cache_read_input_tokens: 4000,
      unread: [],
    });
    expect(json(['ingest', '--config-dir', config], dir)).toMatchObject({ bytes: 0, responses: 0 });
    const human = runCli(['ingest', '--config-dir', config], { cwd: dir });
    expect(human.stdout).toMatch(/^Read 2 files/);
  });

  it('--since takes ISO dates only: words and bare numbers are exit 2 with one line', () => {
    const dir = tempProject();
    const config = join(dir, 'claude');
    cpSync(SAMPLES, join(config, 'projects'), { recursive: true });
    for (const since of ['Nov 1', '1', '2026-02-30']) {
      const r = runCli(['ingest', '--config-dir', config, '--since', since], { cwd: dir });
      expect(r.code, since).toBe(2);
      expect(r.stderr).toBe(`sprint-budget: --since: "${since}" is not an ISO date (e.g. 2026-11-01 or 2026-11-01T12:00:00Z)\n`);
    }
    expect(json(['ingest', '--config-dir', config, '--since', '2000-01-01'], dir)).toMatchObject({ files: 2, responses: 3 });
    expect(json(['ingest', '--config-dir', config, '--since', '2999-01-01T00:00:00Z'], dir)).toMatchObject({ files: 0 });
  });

  it('--session reads one session and its subagents only', () => {
    const dir = tempProject();
    const config = join(dir, 'claude');
    cpSync(SAMPLES, join(config, 'projects'), { recursive: true });
    expect(json(['ingest', '--config-dir', config, '--session', SESSION], dir)).toMatchObject({ files: 2, responses: 3, input_tokens: 2500, output_tokens: 100 });
    const missing = runCli(['ingest', '--config-dir', config, '--session', 'no-such-session'], { cwd: dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no transcript for session no-such-session');
  });
});

describe('a first ingest of a large history, through bin/sprint-budget as people run it', () => {
  // 130 MiB of response-dense transcripts (about 55,000 responses: a run-time V8 flag change once
  // crashed V8 from about 120 MiB of these) and hundreds of small sessions, 600+ files in all.
  it('reads 600+ unread files with exact totals and exit 0', () => {
    const dir = tempProject();
    const config = join(dir, 'claude');
    try {
      const parts = [
        generateCorpus(config, { seed: 11, targetBytes: 130 * 1024 * 1024, profile: 'dense' }),
        generateCorpus(config, { seed: 12, targetBytes: 4 * 1024 * 1024, profile: 'many-files' }),
      ];
      const totals = emptyTotals();
      for (const p of parts) for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += p.totals[k];
      expect(totals.files).toBeGreaterThanOrEqual(600);
      const r = runProcess(join(PLUGIN, 'bin/sprint-budget'), ['ingest', '--config-dir', config, '--json', '--db', join(dir, 'ledger.db')], { cwd: dir });
      // A crash is a signal: exit code -1 here, with V8's report on stderr.
      expect({ code: r.code, stderr: r.stderr.slice(0, 300) }).toEqual({ code: 0, stderr: '' });
      expect(JSON.parse(r.stdout)).toEqual({ ...totals, unread: [] });
    } finally {
      rmSync(config, { recursive: true, force: true });
    }
  });
});

/** util-linux `script`: runs a command on a pseudo-terminal, as in a person's shell. */
const hasScript = runProcess('script', ['--version']).code === 0;

describe('the progress bar', () => {
  it.skipIf(!hasScript)('is drawn on a terminal and erased before the summary; never in a pipe', () => {
    const dir = tempProject();
    const config = join(dir, 'claude');
    cpSync(SAMPLES, join(config, 'projects'), { recursive: true });
    const command = `${process.execPath} ${CLI} ingest --config-dir ${config} --db ${join(dir, 'tty.db')}`;
    const tty = runProcess('script', ['-qec', command, '/dev/null'], { cwd: dir });
    expect(tty.code, tty.stdout).toBe(0);
    expect(tty.stdout).toContain('\rReading transcripts [##############################] 100% 2/2');
    expect(tty.stdout).toMatch(/\r\x1b\[KRead 2 files/);
    const piped = runCli(['ingest', '--config-dir', config, '--db', join(dir, 'pipe.db')], { cwd: dir });
    expect(piped.stderr).toBe('');
    expect(piped.stdout).toMatch(/^Read 2 files/);
  });
});

describe('output', () => {
  it('a reader that is gone (`| head -1`, `| true`) ends the command quietly, with its own status', () => {
    const dir = tempProject();
    const config = join(dir, 'claude');
    cpSync(SAMPLES, join(config, 'projects'), { recursive: true });
    const status = join(dir, 'status');
    // `true` has exited before the command writes: every write meets a closed pipe (EPIPE).
    const script = `(sleep 0.3; ${process.execPath} ${CLI} ingest --config-dir ${config}; echo $? > ${status}) | true`;
    const r = runProcess('sh', ['-c', script], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(readFileSync(status, 'utf8')).toBe('0\n');
  });
});

describe('a session attached to a sprint', () => {
  it('counts its responses and its subagent toward the phase current at each response, per agent type', () => {
    const dir = tempProject();
    const config = join(dir, 'claude');
    const env = { CLAUDE_CONFIG_DIR: config };
    const sessionEnv = { ...env, CLAUDE_CODE_SESSION_ID: SESSION };
    expect(runCli(['create', 'measure me', '--budget', '10k'], { cwd: dir, env: sessionEnv }).code).toBe(0);

    const main = sampleLines(MAIN_REL);
    const firstHalf = main.slice(0, 21); // up to and including the first response (line 21)
    const secondHalf = main.slice(21);
    const projectDir = join(config, 'projects', '-home-user-project');
    mkdirSync(join(projectDir, SESSION, 'subagents'), { recursive: true });
    writeFileSync(join(projectDir, `${SESSION}.jsonl`), at(firstHalf, Date.now()));
    writeFileSync(join(projectDir, `${SUB_REL.split('/').slice(1).join('/')}.jsonl`), at(sampleLines(`${SUB_REL}.jsonl`), Date.now()));
    cpSync(join(SAMPLES, `${SUB_REL}.meta.json`), join(projectDir, `${SUB_REL.split('/').slice(1).join('/')}.meta.json`));

    expect(runCli(['advance'], { cwd: dir, env }).code).toBe(0);
    appendFileSync(join(projectDir, `${SESSION}.jsonl`), at(secondHalf, Date.now() + 5));

    const b = json<{ tokens_spent: number; phases: { phase: string; measured: boolean; billing: number; agents: { agent_type: string; input: number; output: number; cache_read: number; cache_write: number; sources: { source: string; records: number }[] }[] }[] }>(
      ['tokens'],
      dir,
      env,
    );
    expect(b.tokens_spent).toBe(2 * 1040 + 520);
    const brainstorm = b.phases.find((p) => p.phase === 'brainstorm');
    const reviewed = b.phases.find((p) => p.phase === 'brainstorm-reviewed');
    expect(brainstorm?.agents).toEqual([
      // The samples' model (claude-opus-5-5) is not in the shipped pricing table: no price, never $0.
      { agent_type: 'main', billing: 1040, input: 1000, output: 40, cache_read: 2000, cache_write: 100, total_only: 0, records: 1, sources: [{ source: 'transcript', records: 1, billing: 1040, total_only: 0 }], cost_usd: null, unpriced: [{ model: 'claude-opus-5-5', billing: 1040 }] },
      { agent_type: 'general-purpose', billing: 520, input: 500, output: 20, cache_read: 0, cache_write: 0, total_only: 0, records: 1, sources: [{ source: 'transcript', records: 1, billing: 520, total_only: 0 }], cost_usd: null, unpriced: [{ model: 'claude-opus-5-5', billing: 520 }] },
    ]);
    expect(reviewed?.agents).toEqual([expect.objectContaining({ agent_type: 'main', input: 1000, output: 40 })]);
    expect(json(['state'], dir, env)).toMatchObject({ tokens_spent: 2600, tokens_remaining: 7400, budget_state: 'ok' });
    // The Dollars column: the samples' model has no price.
    expect(runCli(['tokens'], { cwd: dir, env }).stdout).toMatch(/brainstorm\s+main\s+1,040\s+no price\s+1,000\s+40\s+2,000\s+100\s+transcript \(1\)/);
    // Every figure traces back to the transcript line it was read from.
    const records = json<{ phase: string; agent_type: string; input: number; output: number; origin: string }[]>(['tokens', '--records'], dir, env);
    expect(records.map((r) => [r.phase, r.agent_type, r.input, r.output, r.origin.replace(config, '<config>')])).toEqual([
      ['brainstorm', 'main', 1000, 40, `<config>/projects/-home-user-project/${SESSION}.jsonl:21`],
      ['brainstorm', 'general-purpose', 500, 20, `<config>/projects/-home-user-project/${SESSION}/subagents/agent-a946a5f5990bbc7a2.jsonl:14`],
      ['brainstorm-reviewed', 'main', 1000, 40, `<config>/projects/-home-user-project/${SESSION}.jsonl:25`],
    ]);
  });

  it('responses from before the session was attached do not count', () => {
    const dir = tempProject();
    const config = join(dir, 'claude');
    cpSync(SAMPLES, join(config, 'projects'), { recursive: true }); // written 2026-11-28T13:08, before now
    const env = { CLAUDE_CONFIG_DIR: config };
    expect(runCli(['create', 'late'], { cwd: dir, env: { ...env, CLAUDE_CODE_SESSION_ID: SESSION } }).code).toBe(0);
    expect(json(['state'], dir, env)).toMatchObject({ tokens_spent: 0 });
  });
});

describe('estimates', () => {
  it('stand in for a phase with no measured data, labelled, and disappear when data arrives', () => {
    const dir = tempProject();
    runCli(['create', 'x'], { cwd: dir });
    type B = { tokens_spent: number; projected_total: number; phases: { phase: string; measured: boolean; estimate: { tokens: number; basis: string } | null }[] };
    const before = json<B>(['tokens'], dir);
    expect(before.tokens_spent).toBe(0);
    // Complexity 3's default budget, 250k, shared by phase: brainstorm's 30k of the 420k of weights, to the 1,000 below.
    expect(before.phases[0]).toMatchObject({ phase: 'brainstorm', measured: false, estimate: { tokens: 17_000, basis: 'default' } });
    expect(runCli(['tokens'], { cwd: dir }).stdout).toContain('estimate (default)');
    runCli(['record', '--phase', 'brainstorm', '--input', '100', '--output', '5', '--source', 'test', '--key', 'k'], { cwd: dir });
    const after = json<B>(['tokens'], dir);
    expect(after.tokens_spent).toBe(105);
    expect(after.phases[0]).toMatchObject({ measured: true, estimate: null });
  });

  it('are the forecast\'s: tokens projects the same total as state and report, and a finished phase carries none', () => {
    const dir = tempProject();
    runCli(['create', 'x', '--budget', '40k', '--complexity', '2'], { cwd: dir });
    runCli(['record', '--phase', 'brainstorm', '--input', '9000', '--output', '500', '--source', 'test', '--key', 'k1'], { cwd: dir });
    expect(runCli(['advance'], { cwd: dir }).code).toBe(0);
    expect(runCli(['advance'], { cwd: dir }).code).toBe(0);
    type B = { projected_total: number; phases: { phase: string; status: string; estimate: unknown }[] };
    const tokens = json<B>(['tokens'], dir);
    const state = json<{ forecast: { projected_p50: number } }>(['state'], dir);
    const report = json<{ forecast: { projected_p50: number } }>(['report'], dir);
    expect(tokens.projected_total).toBe(state.forecast.projected_p50);
    expect(report.forecast.projected_p50).toBe(state.forecast.projected_p50);
    // brainstorm-reviewed ran and measured nothing: done, no estimate, nothing projected for it.
    expect(tokens.phases[1]).toMatchObject({ phase: 'brainstorm-reviewed', status: 'done', estimate: null });
    // Spent 9,500 + the shares of complexity 2's 100k for strategized … done: 85,000.
    expect(tokens.projected_total).toBe(94_500);
    expect(runCli(['tokens'], { cwd: dir }).stdout).toContain('Projected: 94.5k (measured + ~85k forecast for the phases still to run)');
  });
});
