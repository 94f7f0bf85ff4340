import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Responses, type TranscriptResponse, scanLines } from '../../src/usage/transcript';

const SAMPLES = join(import.meta.dirname, '../fixtures/claude-code-2.1.332/transcripts/-home-user-project');
const MAIN = join(SAMPLES, '2f615247-9f0e-4d07-ade0-cad4d6e2665c.jsonl');
const SUB = join(SAMPLES, '2f615247-9f0e-4d07-ade0-cad4d6e2665c/subagents/agent-a946a5f5990bbc7a2.jsonl');

function scan(text: string | Buffer): { found: TranscriptResponse[]; consumed: number; lines: number } {
  const buf = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const into: Responses = new Map();
  const r = scanLines(buf, buf.length, 0, into);
  return { found: [...into.values()], ...r };
}

const oldLine = (id: string, output: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    parentUuid: 'p',
    isSidechain: false,
    userType: 'external',
    cwd: '/home/dev/proj',
    sessionId: 's1',
    version: '1.0.98',
    message: {
      id,
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4',
      content: [{ type: 'text', text: 'has "type":"assistant" and "usage":{"input_tokens":5} in it' }],
      stop_reason: null,
      usage: { input_tokens: 10, cache_creation_input_tokens: 3, cache_read_input_tokens: 7, output_tokens: output, service_tier: 'standard' },
    },
    requestId: 'req_1',
    type: 'assistant',
    uuid: 'u',
    timestamp: '2026-11-01T10:00:00.000Z',
    ...extra,
  });

describe('the real 2.1.332 samples', () => {
  it('main transcript: two responses of 1000/40, cache write 100, cache read 2000', () => {
    const { found, lines } = scan(readFileSync(MAIN));
    expect(lines).toBe(30);
    expect(found.map((r) => [r.key, r.input, r.output, r.cacheWrite, r.cacheRead, r.line])).toEqual([
      ['msg:msg_s_1:f0945504-1f4e-48e7-8deb-d12c764f9140', 1000, 40, 100, 2000, 21],
      ['msg:msg_s_3:39ed1e33-0d0e-4b2e-a6cb-768231ccf78f', 1000, 40, 100, 2000, 25],
    ]);
    expect(found[0]).toMatchObject({ model: 'claude-opus-5-5', sessionId: '2f615247-9f0e-4d07-ade0-cad4d6e2665c', agentId: null, sidechain: false });
    expect(found[0]?.ts).toBe(Date.parse('2026-11-28T13:08:50.410Z'));
  });

  it('subagent transcript: one response of 500/20, its agent id and type', () => {
    const { found } = scan(readFileSync(SUB));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ input: 500, output: 20, agentId: 'a946a5f5990bbc7a2', agentType: 'general-purpose', sidechain: true, line: 14 });
  });
});

describe('line shapes and traps', () => {
  it('reads the older shape: placeholder outputs on early lines share one key, and the largest is kept', () => {
    const { found } = scan(`${oldLine('msg_1', 1)}\n${oldLine('msg_1', 1)}\n${oldLine('msg_1', 312)}\n${oldLine('msg_1', 2)}\n`);
    expect(found.map((r) => [r.key, r.output, r.line])).toEqual([['msg:msg_1:req_1', 312, 3]]);
    expect(found[0]).toMatchObject({ input: 10, cacheWrite: 3, cacheRead: 7 });
  });

  it('skips <synthetic> responses, lines that only nest an assistant-shaped object, and lines without usage', () => {
    const synthetic = oldLine('msg_2', 50).replace('claude-sonnet-4', '<synthetic>');
    const decoy = JSON.stringify({ type: 'user', toolUseResult: { type: 'assistant', message: { id: 'msg_x', role: 'assistant', usage: { input_tokens: 9 } } }, message: { role: 'user', content: 'x' } });
    const blob = JSON.stringify({ type: 'api-request-blob', message: { role: 'assistant', id: 'msg_y', usage: { input_tokens: 9 } } });
    const noUsage = JSON.stringify({ type: 'assistant', message: { id: 'msg_z', role: 'assistant', content: [] } });
    const { found, lines } = scan([synthetic, decoy, blob, noUsage, oldLine('msg_3', 5)].join('\n') + '\n');
    expect(lines).toBe(5);
    expect(found.map((r) => r.key)).toEqual(['msg:msg_3:req_1']);
  });

  it('leaves a partial last line for the next read', () => {
    const text = `${oldLine('msg_1', 9)}\n${oldLine('msg_2', 9).slice(0, 120)}`;
    const { found, consumed, lines } = scan(text);
    expect(found).toHaveLength(1);
    expect(lines).toBe(1);
    expect(consumed).toBe(Buffer.byteLength(oldLine('msg_1', 9)) + 1);
  });

  it('decodes escapes in ids exactly and keeps non-ASCII content from shifting anything', () => {
    // The id is written with a JSON escape (\u00e9) in the line's text.
    const line = oldLine('msg_ID', 4).replace('msg_ID', 'msg_\\u00e9').replace('has \\"type', 'ünïcode 日本語 🚀 has \\"type');
    const { found } = scan(`${line}\n`);
    expect(found[0]?.key).toBe('msg:msg_é:req_1');
  });

  it('is not fooled by content whose tool input nests the keys that follow content', () => {
    const trap = JSON.parse(oldLine('msg_t', 33)) as { message: { content: unknown[] } };
    trap.message.content = [
      { type: 'tool_use', id: 't1', name: 'mcp__cfg__write', input: { list: [1, 2], stop_reason: 'end_turn', usage: { input_tokens: 999999, output_tokens: 999999 } } },
      { type: 'text', text: 'after' },
    ];
    const { found } = scan(`${JSON.stringify(trap)}\n`);
    expect(found.map((r) => [r.key, r.input, r.output])).toEqual([['msg:msg_t:req_1', 10, 33]]);
  });

  it('falls back to a full decode for a layout it does not expect, and still counts exactly', () => {
    const spaced = JSON.stringify(JSON.parse(oldLine('msg_9', 77)), null, 0).replace('{"parentUuid"', '{ "parentUuid"');
    const { found } = scan(`${spaced}\n`);
    expect(found.map((r) => [r.key, r.output])).toEqual([['msg:msg_9:req_1', 77]]);
  });
});
