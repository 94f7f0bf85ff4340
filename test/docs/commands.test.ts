/**
 * The shell lines the model is told to run must work: every `sprint-budget` invocation in the plugin's
 * commands and in the flux-drive skill names a command and flags that exist, and runs against a real
 * ledger without a usage error. Each invocation runs on a fresh copy of one prepared project, so the
 * documents may order their commands as they like.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { PLUGIN, REPO, runCli, runProcess, tempProject } from '../helpers/cli';

const DOCS = ['commands/sprint.md', 'commands/budget.md', 'skills/flux-drive/SKILL.md', 'skills/flux-drive/SKILL-compact.md'];

interface Invocation {
  doc: string;
  line: number;
  text: string;
  stdin?: string;
}

/** Invocations in ```bash blocks (with a heredoc as stdin) and in inline code spans of the prose. */
function invocations(doc: string): Invocation[] {
  const lines = readFileSync(join(PLUGIN, doc), 'utf8').split('\n');
  const found: Invocation[] = [];
  let fence: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] as string;
    const trimmed = raw.trim();
    if (trimmed.startsWith('```')) {
      fence = fence === null ? trimmed.slice(3) : null;
      continue;
    }
    if (fence !== null) {
      if (fence !== 'bash' || !trimmed.startsWith('sprint-budget ')) continue;
      const heredoc = /^(.*?)\s*<<\s*'?(\w+)'?\s*$/.exec(trimmed);
      if (!heredoc) {
        found.push({ doc, line: i + 1, text: trimmed });
        continue;
      }
      const body: string[] = [];
      let j = i + 1;
      while (j < lines.length && (lines[j] as string).trim() !== heredoc[2]) body.push(lines[j++] as string);
      found.push({ doc, line: i + 1, text: heredoc[1] as string, stdin: body.join('\n') });
      i = j;
      continue;
    }
    for (const m of raw.matchAll(/`(sprint-budget [^`]+)`/g)) found.push({ doc, line: i + 1, text: m[1] as string });
  }
  return found;
}

/** Splits a command line into words, honouring single and double quotes. */
function words(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) out.push(m[1] ?? m[2] ?? (m[3] as string));
  return out;
}

const PLACEHOLDER = /<([a-z][a-z-]*)>/g;

interface Prepared {
  dir: string;
  values: Record<string, string>;
}

/** One project with a sprint (gated, with spend and a triage run), copied fresh for every invocation. */
function prepare(): Prepared {
  const dir = tempProject('sb-docs-');
  const created = runCli(['create', 'Budget line in the closing summary', '--budget', '300k', '--gate', 'planned=plan'], { cwd: dir });
  expect(created.code).toBe(0);
  const id = created.stdout.trim();
  expect(runCli(['record', '--phase', 'brainstorm', '--input', '9000', '--output', '1000', '--source', 'docs-test', '--key', 'k1'], { cwd: dir }).code).toBe(0);
  const triage = runCli(['triage', '--input-type', 'plan', '--agents', '-', '--json'], {
    cwd: dir,
    input: JSON.stringify([{ name: 'fd-architecture', score: 5, stage: 1 }]),
  });
  expect(triage.code).toBe(0);
  const triageId = String((JSON.parse(triage.stdout) as { triage_id: number }).triage_id);
  // The artifact the documents record: it must exist when recorded.
  mkdirSync(join(dir, 'docs/plans'), { recursive: true });
  writeFileSync(join(dir, 'docs/plans/budget-line.md'), '# Plan\n');
  return {
    dir,
    values: {
      id,
      current: 'brainstorm',
      next: 'brainstorm-reviewed',
      phase: 'brainstorm',
      title: 'Add a budget line to the closing summary',
      description: 'The summary shows what the sprint spent against its budget.',
      reason: 'the user said so',
      tokens: '400k',
      type: 'plan',
      path: 'docs/plans/budget-line.md',
      'input-type': 'plan',
      n: '0',
      lines: '120',
      'triage-id': triageId,
    },
  };
}

function fill(word: string, values: Record<string, string>, where: string): string {
  return word.replace(PLACEHOLDER, (_, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`${where}: unknown placeholder <${name}> (add it to the test's values)`);
    return v;
  });
}

const helpCache = new Map<string, string>();
function help(args: string[], cwd: string): string {
  const key = args.join(' ');
  if (!helpCache.has(key)) {
    const r = runCli([...args, '--help'], { cwd });
    expect(r.code, `sprint-budget ${key} --help`).toBe(0);
    helpCache.set(key, r.stdout);
  }
  return helpCache.get(key) as string;
}

/** The flags a command's --help lists, and its subcommands. */
function spec(args: string[], cwd: string): { flags: Set<string>; subcommands: Set<string> } {
  const text = help(args, cwd);
  const section = (title: string) => text.split(`\n${title}:\n`)[1]?.split('\n\n')[0] ?? '';
  return {
    flags: new Set([...section('Options').matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1] as string)),
    subcommands: new Set([...section('Subcommands').matchAll(/^ {2}(\S+)/gm)].map((m) => m[1] as string)),
  };
}

const all = DOCS.flatMap(invocations);
let prepared: Prepared;

beforeAll(() => {
  prepared = prepare();
});

describe('sprint-budget lines in the commands and the skill', () => {
  it('finds the invocations the protocol depends on', () => {
    const texts = all.map((i) => i.text);
    for (const needed of [
      /^sprint-budget create /,
      /^sprint-budget resume <id>$/,
      /^sprint-budget advance <id> --from <current>$/,
      /^sprint-budget override <id> --reason /,
      /^sprint-budget set-budget <tokens> /,
      /^sprint-budget stop <id> --reason /,
      /^sprint-budget advance <id> --to <next> --skip-gate --reason /,
      /^sprint-budget advance <id> --to <next> --confirm$/,
      /^sprint-budget remaining <id>$/,
      /^sprint-budget tokens <id>$/,
      /^sprint-budget triage --input-type /,
      /^sprint-budget triage report /,
    ]) {
      expect(texts.some((t) => needed.test(t)), String(needed)).toBe(true);
    }
  });

  it('starts every shell line that runs sprint-budget with it, so Bash(sprint-budget:*) covers it', () => {
    for (const doc of DOCS) {
      const text = readFileSync(join(PLUGIN, doc), 'utf8');
      for (const block of text.matchAll(/```bash\n([\s\S]*?)```/g)) {
        for (const line of (block[1] as string).split('\n')) {
          if (line.includes('sprint-budget')) expect(line.trim(), doc).toMatch(/^sprint-budget /);
        }
      }
    }
  });

  it.each(all.map((i) => [`${i.doc}:${i.line} ${i.text}`, i] as const))('%s', (_, inv) => {
    const where = `${inv.doc}:${inv.line}`;
    const argv = words(inv.text).slice(1).map((w) => fill(w, prepared.values, where));
    const cwd = mkdtempSync(join(tmpdir(), 'sb-docs-run-'));
    try {
      cpSync(prepared.dir, cwd, { recursive: true });
      const [command, ...rest] = argv as [string, ...string[]];
      if (!command.startsWith('-')) {
        const top = spec([command], cwd);
        const sub = rest[0] !== undefined && top.subcommands.has(rest[0]) ? rest[0] : undefined;
        const { flags } = sub ? spec([command, sub], cwd) : top;
        for (const w of rest) {
          const flag = /^--([a-z][a-z-]*)/.exec(w)?.[1];
          if (flag) expect(flags, `${where}: sprint-budget ${command}${sub ? ` ${sub}` : ''} has no --${flag}`).toContain(flag);
        }
      }
      // A bare `sprint-budget <command>` in prose names the command; naming one that exists is enough.
      if (argv.length === 1 && !command.startsWith('-')) return;
      const r = runCli(argv, { cwd, input: inv.stdin });
      // 0 done, 1 a negative answer (a pause, a stale phase); 2 would be a usage error or a failure.
      expect([0, 1], `${where}: exit ${r.code}\n${r.stderr}`).toContain(r.code);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});

describe('front matter', () => {
  function frontMatter(doc: string): Record<string, unknown> {
    const m = /^---\n([\s\S]*?)\n---\n/.exec(readFileSync(join(PLUGIN, doc), 'utf8'));
    expect(m, `${doc} has front matter`).not.toBeNull();
    return parseYaml((m as RegExpExecArray)[1] as string) as Record<string, unknown>;
  }

  it.each(['commands/sprint.md', 'commands/budget.md'])('%s has description, argument-hint and allowed-tools', (doc) => {
    const fm = frontMatter(doc);
    expect(typeof fm.description).toBe('string');
    expect(typeof fm['argument-hint']).toBe('string');
    expect(String(fm['allowed-tools'])).toContain('Bash(sprint-budget:*)');
    expect(readFileSync(join(PLUGIN, doc), 'utf8')).toContain('$ARGUMENTS');
  });

  it('the skill entry is named flux-drive, describes itself and points to the compact protocol', () => {
    const fm = frontMatter('skills/flux-drive/SKILL.md');
    expect(fm.name).toBe('flux-drive');
    expect(String(fm.description).length).toBeGreaterThan(50);
    expect(readFileSync(join(PLUGIN, 'skills/flux-drive/SKILL.md'), 'utf8')).toContain('${CLAUDE_PLUGIN_ROOT}/skills/flux-drive/SKILL-compact.md');
  });

  it('claude plugin validate reports nothing about the commands and the skill', () => {
    // A stand-in manifest: this checks these files, whatever state the real plugin.json is in.
    const dir = mkdtempSync(join(tmpdir(), 'sb-validate-'));
    try {
      mkdirSync(join(dir, '.claude-plugin'));
      writeFileSync(join(dir, '.claude-plugin/plugin.json'), JSON.stringify({ name: 'sprint-budget', version: '0.0.0', author: { name: 'test' } }));
      for (const part of ['commands', 'skills', 'config']) cpSync(join(PLUGIN, part), join(dir, part), { recursive: true });
      const r = runProcess(join(REPO, 'node_modules/.bin/claude'), ['plugin', 'validate', dir], { timeout: 60_000 });
      const out = `${r.stdout}${r.stderr}`;
      expect(r.code, out).toBe(0);
      expect(out).not.toMatch(/Validating (command|skill):/);
      expect(out).toMatch(/commands: sprint-budget:sprint/);
      expect(out).toMatch(/commands: sprint-budget:budget/);
      expect(out).toMatch(/skills: sprint-budget:flux-drive/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
