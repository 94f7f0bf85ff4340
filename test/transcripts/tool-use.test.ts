/** Waiting for the response that asked for a tool call to reach the transcript (Claude Code flushes its writes every 100 ms). */
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { awaitToolUse } from '../../src/transcripts/tool-use';
import { appendLater } from '../helpers/transcripts';

const transcript = (text: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'sb-tool-use-')), 'session.jsonl');
  writeFileSync(path, text);
  return path;
};
const block = (id: string) => `{"type":"assistant","message":{"id":"msg_1","content":[{"type":"tool_use","id":"${id}","name":"Agent"}]}}\n`;

describe('awaitToolUse', () => {
  it('is there already: found without waiting', () => {
    const path = transcript(`{"type":"user"}\n${block('toolu_a')}`);
    expect(awaitToolUse(path, 'toolu_a', 0)).toBe(true);
  });

  it('written while it waits (by another process, as Claude Code does): found when it lands', async () => {
    const path = transcript('{"type":"user"}\n');
    // Started first: this thread blocks while it waits.
    const writer = appendLater(path, block('toolu_late'), 300);
    await new Promise((r) => setTimeout(r, 50));
    expect(readFileSync(path, 'utf8')).not.toContain('toolu_late');
    expect(awaitToolUse(path, 'toolu_late', 5000)).toBe(true);
    await writer;
  });

  it('only its own id, whole: another call, or an id it begins, is not it', () => {
    const path = transcript(block('toolu_ab'));
    expect(awaitToolUse(path, 'toolu_a', 100)).toBe(false);
    appendFileSync(path, block('toolu_a'));
    expect(awaitToolUse(path, 'toolu_a', 100)).toBe(true);
  });

  it('never written, or no file: false, after the wait at most', () => {
    const path = transcript('{"type":"user"}\n');
    const t0 = Date.now();
    expect(awaitToolUse(path, 'toolu_never', 200)).toBe(false);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(200);
    expect(awaitToolUse(join(tmpdir(), 'no-such-transcript.jsonl'), 'toolu_x', 2000)).toBe(false);
  });
});
