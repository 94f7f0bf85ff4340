/**
 * The captured Claude Code 2.1.332 run (test/fixtures/claude-code-2.1.332) as the reader sees it:
 * the whole tree, and the transcripts listed from it with whose responses each holds.
 */
import { cpSync, mkdtempSync, readdirSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { expect, it } from 'vitest';
import { allTranscripts, subagentType } from '../../src/transcripts/paths';

const FIXTURES = join(import.meta.dirname, '../fixtures/claude-code-2.1.332');
const SESSION = '2f615247-9f0e-4d07-ade0-cad4d6e2665c';
const AGENT = 'a946a5f5990bbc7a2';

it('holds one hook payload per event and one session with one subagent, nothing else', () => {
  const files = readdirSync(FIXTURES, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(FIXTURES, join(e.parentPath, e.name)))
    .sort();
  expect(files).toEqual([
    ...['PostToolUse', 'PreToolUse', 'SessionEnd', 'SessionStart', 'Stop', 'SubagentStart', 'SubagentStop', 'UserPromptSubmit'].map((e) => `hooks/${e}.json`),
    `transcripts/-home-user-project/${SESSION}.jsonl`,
    `transcripts/-home-user-project/${SESSION}/subagents/agent-${AGENT}.jsonl`,
    `transcripts/-home-user-project/${SESSION}/subagents/agent-${AGENT}.meta.json`,
  ]);
});

it('lists the main transcript and the subagent, each with its session, agent and type', () => {
  const config = realpathSync(mkdtempSync(join(tmpdir(), 'sb-fixture-')));
  cpSync(join(FIXTURES, 'transcripts'), join(config, 'projects'), { recursive: true });
  const project = join(config, 'projects', '-home-user-project');
  expect(allTranscripts(config)).toEqual([
    { path: join(project, `${SESSION}.jsonl`), sessionId: SESSION, agentId: null, agentType: 'main' },
    // The type is read from the .meta.json once the file has lines to read.
    { path: join(project, SESSION, 'subagents', `agent-${AGENT}.jsonl`), sessionId: SESSION, agentId: AGENT, agentType: null },
  ]);
  expect(subagentType(join(project, SESSION, 'subagents', `agent-${AGENT}.jsonl`))).toBe('general-purpose');
});
