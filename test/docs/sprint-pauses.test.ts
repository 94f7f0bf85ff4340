/**
 * Every pause path of /sprint-budget:sprint as the model reads it (plugin/commands/sprint.md, "Advancing"):
 * for each pause line the document handles, each choice's shell lines are taken from the document and run
 * in order against a real ledger, with the placeholders bound as the document says (`<current>` and
 * `<next>` from the pause line it got). Read literally, each path must end where the choice means to.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePause } from '../../src/domain/protocol';
import { PLUGIN, runCli, tempProject } from '../helpers/cli';

const DOC = readFileSync(join(PLUGIN, 'commands/sprint.md'), 'utf8');
const ADVANCING = DOC.slice(DOC.indexOf('## Advancing'), DOC.indexOf('\n## ', DOC.indexOf('## Advancing') + 1));

/** The shell lines of the ```bash blocks in `text`, in order. */
function shellLines(text: string): string[] {
  return [...text.matchAll(/```bash\n([\s\S]*?)```/g)].flatMap((m) => (m[1] as string).split('\n').map((l) => l.trim()).filter(Boolean));
}

interface PauseSection {
  type: string;
  /** The placeholder the document puts in the line's phase field: `current` or `next`. */
  placeholder: string;
  /** Choice (bold or plain label of a sub-bullet) → its shell lines. */
  choices: Map<string, string[]>;
}

/** The pause types of "Advancing", each with its choices and their shell lines, as written. */
function pauseSections(): PauseSection[] {
  const bullets = [...ADVANCING.matchAll(/^ {2}- `(\w+)\|<(\w+)>\|/gm)];
  return bullets.map((b, i) => {
    const body = ADVANCING.slice(b.index, bullets[i + 1]?.index ?? ADVANCING.indexOf('\n- **Stop sprint**'));
    const subs = [...body.matchAll(/^ {4}- ([^:\n]+):/gm)];
    const choices = new Map(subs.map((c, j) => [(c[1] as string).trim(), shellLines(body.slice(c.index, subs[j + 1]?.index ?? body.length))]));
    if (subs.length === 0) choices.set('(as written)', shellLines(body));
    return { type: b[1] as string, placeholder: b[2] as string, choices };
  });
}

const STOP_LINES = shellLines(ADVANCING.slice(ADVANCING.indexOf('\n- **Stop sprint**')));
const ADVANCE_LINE = shellLines(ADVANCING.slice(0, ADVANCING.indexOf('- **Exit 0**')))[0] as string;

/** Splits a command line into words, honouring double quotes. */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? (m[2] as string));
}

/** A sprint that pauses with `type` on its first advance. */
function pausingSprint(type: string): { dir: string; id: string } {
  const dir = tempProject('sb-pauses-');
  const args: Record<string, string[]> = {
    budget_exceeded: ['--budget', '1000'],
    gate_blocked: ['--gate', 'brainstorm-reviewed=brainstorm'],
    manual_pause: ['--manual'],
    stale_phase: [],
  };
  const r = runCli(['create', `Pause path ${type}`, ...(args[type] as string[])], { cwd: dir });
  expect(r.code, r.stderr).toBe(0);
  const id = r.stdout.trim();
  if (type === 'budget_exceeded') expect(runCli(['record', '--phase', 'brainstorm', '--total', '1500', '--source', 't', '--key', 'k'], { cwd: dir }).code).toBe(0);
  return { dir, id };
}

/** Runs one document line with its placeholders filled; returns what the CLI said. */
function run(line: string, dir: string, values: Record<string, string>) {
  const argv = words(line)
    .slice(1)
    .map((w) =>
      w.replace(/<([a-z]+)>/g, (_, name: string) => {
        const v = values[name];
        if (v === undefined) throw new Error(`sprint.md: no value for <${name}> in "${line}"`);
        return v;
      }),
    );
  return runCli(argv, { cwd: dir });
}

function state(dir: string, id: string): { phase: string; status: string } {
  return JSON.parse(runCli(['state', id, '--json'], { cwd: dir }).stdout) as { phase: string; status: string };
}

const sections = pauseSections();

describe('sprint.md, the pause paths as written', () => {
  it('handles every pause type of the protocol, each with its choices', () => {
    expect(ADVANCE_LINE).toBe('sprint-budget advance <id> --from <current>');
    expect(sections.map((s) => [s.type, s.placeholder])).toEqual([
      ['budget_exceeded', 'current'],
      ['gate_blocked', 'next'],
      ['manual_pause', 'next'],
      ['stale_phase', 'phase'],
    ]);
    expect(STOP_LINES).toEqual(['sprint-budget stop <id> --reason "<reason>"']);
  });

  const paths = sections.filter((s) => s.type !== 'stale_phase').flatMap((s) => [...s.choices].map(([choice, lines]) => [s, choice, lines] as const));
  it.each(paths.map(([s, choice, lines]) => [`${s.type} → ${choice}`, s, choice, lines] as const))('%s', (_, section, choice, lines) => {
    const { dir, id } = pausingSprint(section.type);
    const paused = run(ADVANCE_LINE, dir, { id, current: 'brainstorm' });
    expect(paused.code, paused.stderr).toBe(1);
    const pause = parsePause(paused.stdout.trim());
    expect(pause?.type).toBe(section.type);
    // The document names what the line's phase field is: bind that placeholder from it.
    const values: Record<string, string> = { id, current: 'brainstorm', [section.placeholder]: pause?.phase as string, reason: 'the user said so', tokens: '400k' };
    if (section.type === 'gate_blocked') {
      values.type = /missing artifact (\S+)/.exec(pause?.detail ?? '')?.[1] as string;
      values.path = 'docs/brainstorm.md';
      mkdirSync(join(dir, 'docs'));
      writeFileSync(join(dir, values.path), '# Brainstorm\n');
    }
    const steps = choice.startsWith('Stop sprint') ? STOP_LINES : lines;
    expect(steps.length, `${section.type} → ${choice} has commands to run`).toBeGreaterThan(0);
    for (const line of steps) {
      const r = run(line, dir, values);
      expect(r.code, `${line}\n${r.stdout}${r.stderr}`).toBe(0);
    }
    expect(state(dir, id)).toEqual(
      expect.objectContaining(choice.startsWith('Stop sprint') ? { status: 'stopped', phase: 'brainstorm' } : { status: 'active', phase: 'brainstorm-reviewed' }),
    );
  });

  it('stale_phase: the line it says to run reads the state, and the sprint stays where it is', () => {
    const { dir, id } = pausingSprint('stale_phase');
    expect(run(ADVANCE_LINE, dir, { id, current: 'brainstorm' }).code).toBe(0);
    // A model that missed the move advances from the old phase.
    const stale = run(ADVANCE_LINE, dir, { id, current: 'brainstorm' });
    expect(stale.code).toBe(1);
    expect(stale.stdout).toBe('stale_phase|brainstorm|Phase already advanced to brainstorm-reviewed\n');
    const lines = [...(sections.find((s) => s.type === 'stale_phase')?.choices.values() ?? [])].flat();
    expect(lines).toEqual(['sprint-budget state <id>']);
    for (const line of lines) expect(run(line, dir, { id }).code).toBe(0);
    expect(state(dir, id).phase).toBe('brainstorm-reviewed');
  });
});
