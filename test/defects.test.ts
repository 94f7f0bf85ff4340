/**
 * The sixteen defects of docs/spec.md ("Defects that must stay impossible"), each with the test that
 * fails if it comes back: an index that points at tests elsewhere (checked to exist, by file and
 * name) and holds those that had none (1, 10, 14) or only a weak one (16).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/cli/main';
import { type AnyCommand, COMMON_OPTIONS } from '../src/cli/framework';
import { PLUGIN, REPO, runCli, tempProject } from './helpers/cli';

const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;

/** Where each defect's test lives: `file` (from the repository root) holds a test named `test`. */
const INDEX: { defect: number; what: string; tests: { file: string; test: string }[] }[] = [
  { defect: 1, what: 'Calling commands that do not exist.', tests: [{ file: 'test/defects.test.ts', test: 'every sprint-budget command shown to a user or a model exists, with the flags it is given' }, { file: 'test/docs/commands.test.ts', test: 'finds the invocations the protocol depends on' }] },
  { defect: 2, what: 'Reading wrong JSON keys, so that spend is always 0.', tests: [{ file: 'test/transcripts/responses.test.ts', test: 'main transcript: two responses of 1000/40, cache write 100, cache read 2000' }, { file: 'test/e2e/session.test.ts', test: "the sprint's spend is the server's usage to the token, split at the advance" }] },
  { defect: 3, what: 'Checking the budget in another store than the one written to.', tests: [{ file: 'test/hooks/gate.test.ts', test: 'hard: denies with the pause line, after reading the transcript up to now, and records it once' }, { file: 'test/cli/lifecycle.test.ts', test: 'finds the ledger by walking up, creates it at the git root, honours --db and SPRINT_BUDGET_DB' }] },
  { defect: 4, what: 'An edge-triggered "exceeded" that reports OK on every later check.', tests: [{ file: 'test/cli/lifecycle.test.ts', test: 'budget_exceeded is level-triggered: every advance past the budget pauses, until an override' }] },
  { defect: 5, what: 'Double counting.', tests: [{ file: 'test/app/attribution.test.ts', test: 'the summary stands in until the transcript is read, then the transcript replaces it' }, { file: 'test/cli/lifecycle.test.ts', test: 'the same record key written by 8 processes at once counts once' }, { file: 'test/transcripts/older-layouts.test.ts', test: 'count once each, as the subagent, beside the main responses; a second read adds nothing' }] },
  { defect: 6, what: 'Mid-session blindness.', tests: [{ file: 'test/e2e/session.test.ts', test: 'the hooks read it from the transcript during the session (each response once, keyed by message id)' }, { file: 'test/hooks/tracking.test.ts', test: "PostToolUse counts the subagent's own report at once; its transcript then replaces it" }] },
  { defect: 7, what: 'Subagent tokens not joined to the agent type that spent them.', tests: [{ file: 'test/e2e/subagents.test.ts', test: "each is attributed to its own type with exactly the server's numbers" }, { file: 'test/cli/triage.test.ts', test: "counts only the review's own dispatches: not other general-purpose work, nor another sprint's sessions" }] },
  { defect: 8, what: '"0" meaning both "no budget" and "nothing left".', tests: [{ file: 'test/cli/lifecycle.test.ts', test: '--budget none is a null budget, never 0; remaining says none' }, { file: 'test/cli/triage.test.ts', test: 'FLUX_BUDGET_REMAINING=0 defers every optional agent instead of falling back to the type budget' }] },
  { defect: 9, what: 'A one-phase lag.', tests: [{ file: 'test/cli/lifecycle.test.ts', test: 'counts the phase being left before checking (no one-phase lag, defect 9)' }] },
  { defect: 10, what: "Reading a missing value's placeholder text as data.", tests: [{ file: 'test/defects.test.ts', test: 'a placeholder where a value should be is refused, never read as a value' }, { file: 'test/transcripts/responses.test.ts', test: 'reads the older shape: placeholder outputs on early lines share one key, and the largest is kept' }] },
  { defect: 11, what: 'Treating an error as "under budget", or any error as "exceeded".', tests: [{ file: 'test/hooks/gate.test.ts', test: 'hard: the dispatch is denied, with a line saying the budget could not be checked' }, { file: 'test/hooks/gate.test.ts', test: 'soft: the user is asked; off: it passes, and the user is told it was not checked' }, { file: 'test/cli/triage.test.ts', test: 'refuses a FLUX_BUDGET_REMAINING it cannot read instead of guessing (exit 2)' }] },
  { defect: 12, what: 'Lost updates from read-modify-write of shared state by concurrent processes.', tests: [{ file: 'test/cli/lifecycle.test.ts', test: '8 racing advances move the sprint exactly one phase; the rest get stale_phase, none SQLITE_BUSY' }] },
  { defect: 13, what: 'An override that lives only in one shell\'s environment, and an "adjust budget" with no command behind it.', tests: [{ file: 'test/cli/lifecycle.test.ts', test: 'set-budget adjusts the budget with a reason, visible in the history' }, { file: 'test/cli/triage.test.ts', test: "launch all defers nothing, needs a reason, and is an override in the sprint's history" }] },
  { defect: 14, what: 'Ids interpolated into SQL.', tests: [{ file: 'test/defects.test.ts', test: 'no SQL in src/ is built from anything but constants' }, { file: 'test/defects.test.ts', test: 'ids, keys and titles full of quotes are data, end to end' }] },
  { defect: 15, what: 'Substring keyword matching in the classifier.', tests: [{ file: 'test/domain/complexity.test.ts', test: 'matches whole words only, case-insensitively (defect 15)' }] },
  { defect: 16, what: 'An input/output split invented when only a total is known.', tests: [{ file: 'test/cli/attach.test.ts', test: '--total N is stored and shown as a total, never split into input and output (defect 16)' }, { file: 'test/defects.test.ts', test: 'a total stays a total in every figure that sums it' }] },
];

describe('the index of defects', () => {
  it('names the sixteen defects of docs/spec.md, in its words and order', () => {
    const spec = readFileSync(join(REPO, 'docs/spec.md'), 'utf8');
    const listed = [...spec.slice(spec.indexOf('## Defects that must stay impossible')).matchAll(/^(\d+)\. (.+)$/gm)].map((m) => Number(m[1]));
    expect(listed).toEqual(INDEX.map((d) => d.defect));
  });

  it.each(INDEX.flatMap((d) => d.tests.map((t) => [`defect ${d.defect}: ${t.file} › ${t.test}`, t] as const)))('%s', (_, t) => {
    const text = readFileSync(join(REPO, t.file), 'utf8');
    expect(text, `${t.file} has a test named "${t.test}"`).toContain(t.test);
  });
});

// ---------------------------------------------------------------------------------------------
// Defect 1: every command shown to a user or to the model names a real command and real flags.

interface Invocation {
  where: string;
  text: string;
}

/** `sprint-budget …` in code spans and in the lines of bash blocks of a Markdown file. */
function markdownInvocations(path: string): Invocation[] {
  const found: Invocation[] = [];
  let fence: string | null = null;
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      const where = `${relative(REPO, path)}:${i + 1}`;
      if (line.trim().startsWith('```')) fence = fence === null ? line.trim().slice(3) : null;
      else if (fence === 'bash' && /^\s*sprint-budget /.test(line)) found.push({ where, text: line.trim() });
      else if (fence === null) for (const m of line.matchAll(/`(sprint-budget [^`]+)`/g)) found.push({ where, text: m[1] as string });
    });
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('walk-wasm.ts'))
    .map((e) => join(e.parentPath, e.name));
}

/** Every string the sources hold (literals, and templates with their substitutions as `X`), with where. */
function sourceStrings(file: string): { where: string; text: string; node: ts.Node; sf: ts.SourceFile }[] {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const out: { where: string; text: string; node: ts.Node; sf: ts.SourceFile }[] = [];
  const visit = (node: ts.Node): void => {
    let text: string | null = null;
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) text = node.text;
    else if (ts.isTemplateExpression(node)) text = node.head.text + node.templateSpans.map((s) => `X${s.literal.text}`).join('');
    if (text !== null) out.push({ where: `${relative(REPO, file)}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}`, text, node, sf });
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** A command line shown in a message: introduced as one (start, `(`, `: ` or a backtick), not "another sprint-budget process". */
const IN_MESSAGE = /(?:^|\(|: |`)(sprint-budget [a-z][^`)\n]*)/g;

async function commandTable(): Promise<Map<string, AnyCommand>> {
  const table = new Map<string, AnyCommand>();
  for (const [name, load] of Object.entries(COMMANDS)) table.set(name, await load());
  return table;
}

function flagsOf(cmd: AnyCommand): Set<string> {
  return new Set([...Object.keys(cmd.options ?? {}), ...Object.keys(COMMON_OPTIONS)]);
}

describe('defect 1', () => {
  it('every sprint-budget command shown to a user or a model exists, with the flags it is given', async () => {
    const table = await commandTable();
    const docs = [
      ...readdirSync(join(PLUGIN, 'commands')).map((f) => join(PLUGIN, 'commands', f)),
      ...readdirSync(join(PLUGIN, 'skills/flux-drive')).filter((f) => f.endsWith('.md')).map((f) => join(PLUGIN, 'skills/flux-drive', f)),
      ...readdirSync(join(REPO, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join(REPO, 'docs', f)),
    ];
    const invocations = [
      ...docs.flatMap(markdownInvocations),
      ...sourceFiles(join(REPO, 'src')).flatMap((f) => sourceStrings(f).flatMap((s) => [...s.text.matchAll(IN_MESSAGE)].map((m) => ({ where: s.where, text: (m[1] as string).trim() })))),
    ];
    expect(invocations.length).toBeGreaterThan(60);
    const wrong: string[] = [];
    for (const inv of invocations) {
      const [, name, ...rest] = inv.text.split(/\s+/);
      // `sprint-budget --help`, `--version`: the program's own options.
      if (name === '--help' || name === '--version') continue;
      const cmd = table.get(name as string);
      if (!cmd) {
        wrong.push(`${inv.where}: no command "${name}" in \`${inv.text}\``);
        continue;
      }
      const sub = cmd.subcommands?.find((s) => s.name === rest[0]);
      const flags = flagsOf(sub ?? cmd);
      for (const w of rest) {
        const flag = /^--([a-z][a-z-]*)/.exec(w)?.[1];
        if (flag && !flags.has(flag)) wrong.push(`${inv.where}: sprint-budget ${name}${sub ? ` ${sub.name}` : ''} has no --${flag}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Defect 10: a placeholder is never read as data.

describe('defect 10', () => {
  it('a placeholder where a value should be is refused, never read as a value', () => {
    const dir = tempProject();
    const id = runCli(['create', 'The only sprint', '--budget', '1000'], { cwd: dir }).stdout.trim();
    // A model that did not fill in its placeholders: never the newest sprint, never a phase, never a number.
    for (const args of [['state', '<id>'], ['advance', id, '--from', '<current>'], ['advance', id, '--to', '<next>'], ['set-budget', 'null', '--reason', 'x'], ['set-budget', '<tokens>', '--reason', 'x'], ['record', '--phase', '<phase>', '--total', '5', '--source', 't', '--key', 'k']]) {
      const r = runCli(args, { cwd: dir });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout, args.join(' ')).toBe('');
    }
    expect(JSON.parse(runCli(['state', id, '--json'], { cwd: dir }).stdout)).toMatchObject({ phase: 'brainstorm', token_budget: 1000, tokens_spent: 0 });
    // Outside a sprint the review's figure comes from the caller: a placeholder there is an error, not "no limit".
    const alone = tempProject();
    const agents = JSON.stringify([{ name: 'fd-architecture', score: 5, stage: 1 }]);
    for (const value of ['', 'null', 'undefined', 'unknown', 'N/A', '<n>', 'NaN']) {
      const r = runCli(['triage', '--input-type', 'plan', '--agents', '-'], { cwd: alone, env: { FLUX_BUDGET_REMAINING: value }, input: agents });
      expect(r.code, JSON.stringify(value)).toBe(2);
    }
    expect(runCli(['triage', '--input-type', 'plan', '--agents', '-', '--sprint-remaining', '<n>'], { cwd: dir, input: agents }).code).toBe(2);
  });
});

// ---------------------------------------------------------------------------------------------
// Defect 14: no id goes into SQL text.

const CONSTANT = /^[A-Z][A-Z0-9_]*$/;

/** The ledger's own `stmt(sql)`, which prepares what its callers give it (each checked where it is written). */
function isStmtPassThrough(e: ts.Expression): boolean {
  if (!ts.isIdentifier(e)) return false;
  for (let n: ts.Node | undefined = e.parent; n; n = n.parent) {
    if (ts.isMethodDeclaration(n) || ts.isFunctionDeclaration(n)) {
      return n.name?.getText() === 'stmt' && n.parameters.some((p) => p.name.getText() === e.text);
    }
  }
  return false;
}

/** Whether an expression given as SQL is built from literals and UPPER_CASE module constants only. */
function constantSql(e: ts.Expression): boolean {
  if (ts.isAsExpression(e) || ts.isParenthesizedExpression(e)) return constantSql(e.expression);
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return true;
  if (ts.isIdentifier(e)) return CONSTANT.test(e.text);
  if (ts.isElementAccessExpression(e)) return ts.isIdentifier(e.expression) && CONSTANT.test(e.expression.text);
  if (ts.isTemplateExpression(e)) return e.templateSpans.every((s) => constantSql(s.expression));
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) return constantSql(e.left) && constantSql(e.right);
  return false;
}

describe('defect 14', () => {
  it('no SQL in src/ is built from anything but constants', () => {
    const built: string[] = [];
    let calls = 0;
    for (const file of sourceFiles(join(REPO, 'src'))) {
      const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node): void => {
        if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && ['stmt', 'prepare', 'exec', 'pragma'].includes(node.expression.name.text)) {
          const sql = node.arguments[0];
          const target = node.expression.expression;
          // `.exec(` of a regular expression is not SQL.
          const regexp =
            ts.isRegularExpressionLiteral(target) ||
            (ts.isNewExpression(target) && ts.isIdentifier(target.expression) && target.expression.text === 'RegExp') ||
            (ts.isIdentifier(target) && CONSTANT.test(target.text) && node.expression.name.text === 'exec');
          if (sql && !regexp && !isStmtPassThrough(sql)) {
            calls++;
            if (!constantSql(sql)) built.push(`${relative(REPO, file)}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${sql.getText(sf).slice(0, 80)}`);
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(sf);
    }
    expect(calls).toBeGreaterThan(40);
    expect(built).toEqual([]);
  });

  it('ids, keys and titles full of quotes are data, end to end', () => {
    const dir = tempProject();
    const title = `O'Brien's "plan"; DROP TABLE sprints; --`;
    const id = runCli(['create', title, '--budget', 'none'], { cwd: dir }).stdout.trim();
    const evil = [`sb-x' OR '1'='1`, `x"); DELETE FROM sprints; --`, `${id}' --`];
    for (const bad of evil) {
      for (const args of [['state', bad], ['advance', bad], ['stop', bad, '--reason', 'x'], ['record', '--sprint', bad, '--phase', 'brainstorm', '--total', '1', '--source', 't', '--key', 'k']]) {
        const r = runCli(args, { cwd: dir });
        expect(r.code, args.join(' ')).toBe(2);
        expect(r.stderr).toContain('unknown sprint');
      }
    }
    const key = `k'); DROP TABLE usage; --`;
    expect(runCli(['record', '--phase', 'brainstorm', '--total', '700', '--source', 'tool', '--key', key], { cwd: dir }).code).toBe(0);
    // A session id names transcript files: one with quotes is refused at the door; what passes is data.
    const quoted = runCli(['attach', '--session', `s' OR 1=1; --"`], { cwd: dir });
    expect(quoted.code).toBe(2);
    expect(quoted.stderr).toContain('is not a session id');
    const session = 's--1.x_';
    expect(runCli(['attach', '--session', session], { cwd: dir }).code).toBe(0);
    expect(runCli(['detach', '--session', session], { cwd: dir }).code).toBe(0);

    const db = new Database(join(dir, '.sprint-budget/ledger.db'), { readonly: true });
    try {
      expect(db.prepare('SELECT id, title, status FROM sprints').all()).toEqual([{ id, title, status: 'active' }]);
      expect(db.prepare('SELECT key, origin FROM usage').all()).toEqual([{ key: `record:${id}:tool:${key}`, origin: `record:tool:${key}` }]);
      expect(db.prepare('SELECT session_id FROM sessions').pluck().all()).toEqual([session]);
    } finally {
      db.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Defect 16: a total is never split, wherever it is summed.

describe('defect 16', () => {
  it('a total stays a total in every figure that sums it', () => {
    const dir = tempProject();
    const id = runCli(['create', 'Totals', '--budget', 'none', '--phases', 'work,done'], { cwd: dir }).stdout.trim();
    const model = ['--model', 'claude-sonnet-4-5'];
    expect(runCli(['record', '--phase', 'work', '--total', '1000', '--source', 'ic', '--key', 'a', ...model], { cwd: dir }).code).toBe(0);
    expect(runCli(['record', '--phase', 'work', '--input', '300', '--output', '20', '--source', 'ic', '--key', 'b', ...model], { cwd: dir }).code).toBe(0);
    const tokens = JSON.parse(runCli(['tokens', '--json'], { cwd: dir }).stdout) as { phases: Record<string, unknown>[]; totals: { cost_usd: number | null; unpriced: unknown[] } };
    // Dollars: the split is priced; a total has no split to price, so it is "no price", never $0.
    expect(tokens.totals.cost_usd).toBeGreaterThan(0);
    expect(tokens.totals.unpriced).toEqual([{ model: 'claude-sonnet-4-5', billing: 1000 }]);
    const phase = tokens.phases[0];
    expect(phase).toMatchObject({ billing: 1320, input: 300, output: 20, total_only: 1000 });
    expect(phase?.agents).toEqual([expect.objectContaining({ billing: 1320, input: 300, output: 20, total_only: 1000, sources: [{ source: 'ic', records: 2, billing: 1320, total_only: 1000 }] })]);
    expect(runCli(['advance', id], { cwd: dir }).code).toBe(0);
    const state = JSON.parse(runCli(['state', id, '--json'], { cwd: dir }).stdout) as { tokens_spent: number; tokens: object; events: { kind: string; detail: { closed?: object } }[] };
    expect(state.tokens_spent).toBe(1320);
    expect(state.tokens).toEqual({ input: 300, output: 20, cache_read: 0, cache_write: 0, total_only: 1000 });
    expect(state.events.find((e) => e.kind === 'advance')?.detail.closed).toMatchObject({ billing: 1320, input: 300, output: 20, total_only: 1000 });
  });
});
