import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { type Responses, type SkippedLine, type TranscriptResponse, decodeResponse, scanLines } from '../../src/transcripts/responses';
import { Walk } from '../../src/transcripts/walk';

const SAMPLES = join(import.meta.dirname, '../fixtures/claude-code-2.1.332/transcripts/-home-user-project');
const MAIN = join(SAMPLES, '2f615247-9f0e-4d07-ade0-cad4d6e2665c.jsonl');
const SUB = join(SAMPLES, '2f615247-9f0e-4d07-ade0-cad4d6e2665c/subagents/agent-a946a5f5990bbc7a2.jsonl');

const walk = new Walk();

function scan(text: string | Buffer): { found: TranscriptResponse[]; skipped: SkippedLine[]; consumed: number; lines: number } {
  const buf = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const into: Responses = new Map();
  const skipped: SkippedLine[] = [];
  const r = scanLines(walk, buf, buf.length, 0, into, skipped);
  return { found: [...into.values()], skipped, ...r };
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

  it('reads more responses in one buffer than one scan of the walk takes, each at its own line', () => {
    const n = 1300;
    const text = Array.from({ length: n }, (_, i) => `${i % 3 === 0 ? '{"type":"user"}\n' : ''}${oldLine(`msg_${i}`, i + 1)}`).join('\n');
    const { found, consumed, lines } = scan(`${text}\n`);
    expect(found).toHaveLength(n);
    expect(lines).toBe(n + Math.ceil(n / 3));
    expect(consumed).toBe(Buffer.byteLength(text) + 1);
    const byKey = new Map(found.map((r) => [r.key, r]));
    // Line numbers run on across scans: response i sits after i lines and the user lines before it.
    for (const i of [0, 511, 512, 1024, n - 1]) expect(byKey.get(`msg:msg_${i}:req_1`)).toMatchObject({ output: i + 1, line: i + 1 + Math.floor(i / 3) + 1 });
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

  it('reads the cache writes by lifetime and fast mode, as 2.1.332 writes them', () => {
    const line = JSON.parse(oldLine('msg_c', 12)) as { message: { usage: Record<string, unknown> } };
    line.message.usage = {
      input_tokens: 10,
      cache_creation_input_tokens: 1500,
      cache_read_input_tokens: 7,
      cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 500 },
      output_tokens: 12,
      service_tier: 'standard',
      speed: 'fast',
    };
    const standard = JSON.parse(oldLine('msg_d', 3)) as { message: { usage: Record<string, unknown> } };
    standard.message.usage.speed = 'standard';
    const { found } = scan(`${JSON.stringify(line)}\n${JSON.stringify(standard)}\n`);
    expect(found.map((r) => [r.key, r.cacheWrite, r.cacheWrite5m, r.cacheWrite1h, r.fast])).toEqual([
      ['msg:msg_c:req_1', 1500, 1000, 500, true],
      ['msg:msg_d:req_1', 3, 0, 0, false],
    ]);
  });

  it('falls back to a full decode for a layout it does not expect, and still counts exactly', () => {
    const spaced = JSON.stringify(JSON.parse(oldLine('msg_9', 77)), null, 0).replace('{"parentUuid"', '{ "parentUuid"');
    const { found } = scan(`${spaced}\n`);
    expect(found.map((r) => [r.key, r.output])).toEqual([['msg:msg_9:req_1', 77]]);
  });
});

describe('what is passed over, with a note', () => {
  it('counts out of range: too large (read by the walk or by a full decode), negative, not integers, not numbers; null is 0', () => {
    const withUsage = (id: string, usage: Record<string, unknown>, spaced = false) => {
      const line = oldLine(id, 1).replace(/"usage":\{[^}]*\}/, `"usage":${JSON.stringify(usage)}`);
      return spaced ? line.replace('{"parentUuid"', '{ "parentUuid"') : line;
    };
    const { found, skipped } = scan(
      [
        withUsage('big', { input_tokens: 1_000_000_001, output_tokens: 2 }),
        withUsage('bigSpaced', { input_tokens: 9e18, output_tokens: 2 }, true),
        withUsage('negative', { input_tokens: -5, output_tokens: 2 }),
        withUsage('fraction', { input_tokens: 2.5, output_tokens: 2 }),
        withUsage('text', { input_tokens: 10, output_tokens: '12' }),
        withUsage('max', { input_tokens: 1_000_000_000, output_tokens: 3, cache_read_input_tokens: null }),
      ].join('\n') + '\n',
    );
    expect(found.map((r) => [r.key, r.input, r.output, r.cacheRead])).toEqual([['msg:max:req_1', 1_000_000_000, 3, 0]]);
    const at = (what: string) => `usage counts out of range (${what}; at most 1000000000 each): not counted`;
    expect(skipped).toEqual([
      { line: 1, reason: at('input_tokens 1000000001') },
      { line: 2, reason: at('input_tokens 9000000000000000000') },
      { line: 3, reason: at('input_tokens -5') },
      { line: 4, reason: at('input_tokens 2.5') },
      { line: 5, reason: at('output_tokens "12"') },
    ]);
  });

  it('a line of another layout longer than 1 MiB is not decoded: noted when it may hold a response, passed over silently when it cannot', () => {
    const big = 'x'.repeat(1024 * 1024);
    const response = oldLine('msg_big', 5, { note: big }).replace('{"parentUuid"', '{ "parentUuid"');
    const noUsage = JSON.stringify({ type: 'user', message: { role: 'user', content: big } }).replace('{"type"', '{ "type"');
    const { found, skipped } = scan(`${response}\n${noUsage}\n${oldLine('msg_ok', 4)}\n`);
    expect(found.map((r) => r.key)).toEqual(['msg:msg_ok:req_1']);
    expect(skipped).toEqual([{ line: 1, reason: 'not compact JSON and 1.0 MiB long (more than 1 MiB): not decoded; any response on it is not counted' }]);
  });
});

describe('the walk agrees with a full decode', () => {
  // Values of every kind, with the characters JSON escapes, decoys shaped like the keys the walk
  // looks for, and nested objects where it skips.
  const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.constantFrom('assistant', '"<synthetic>"', '<synthetic>', '],"stop_reason":', 'a\\"b', 'ü🚀'));
  const anything = fc.oneof(text, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 2 }));
  const count = fc.oneof({ weight: 6, arbitrary: fc.nat(2_000_000) }, { weight: 1, arbitrary: anything });
  const decoy = fc.record({ stop_reason: text, usage: fc.record({ input_tokens: fc.nat(), output_tokens: fc.nat() }), role: fc.constant('assistant'), type: fc.constant('assistant') });
  const entries = (pairs: [string, unknown][], omitted: Set<string>) => Object.fromEntries(pairs.filter(([k]) => !omitted.has(k)));
  // The cache writes by lifetime (an object the walk enters) and the speed (a flag), or anything in their place.
  const split = fc.oneof(
    { weight: 4, arbitrary: fc.tuple(count, count, fc.subarray(['ephemeral_5m_input_tokens', 'ephemeral_1h_input_tokens'])).map(([m5, h1, omitted]) => entries([['ephemeral_5m_input_tokens', m5], ['ephemeral_1h_input_tokens', h1]], new Set(omitted))) },
    { weight: 1, arbitrary: anything },
  );
  const speed = fc.oneof(fc.constantFrom('fast', 'standard', 'fastest'), anything);
  const usage = fc
    .tuple(count, count, count, count, anything, split, speed, fc.subarray(['input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens', 'cache_creation', 'speed']))
    .map(([i, o, r, w, extra, cc, sp, omitted]) =>
      entries(
        [['input_tokens', i], ['cache_creation_input_tokens', w], ['cache_read_input_tokens', r], ['cache_creation', cc], ['output_tokens', o], ['server_tool_use', extra], ['speed', sp]],
        new Set(omitted),
      ),
    );
  const message = fc
    .tuple(
      fc.oneof(fc.constantFrom('msg_1', 'msg_2', 'msg_\u00e9'), text, anything),
      fc.constantFrom('assistant', 'assistant', 'user'),
      fc.oneof(fc.constantFrom('claude-opus-5-5', '<synthetic>'), anything),
      fc.array(fc.oneof(fc.jsonValue({ maxDepth: 3 }), decoy), { maxLength: 3 }),
      fc.oneof({ weight: 5, arbitrary: usage }, { weight: 1, arbitrary: anything }),
      fc.subarray(['id', 'role', 'model', 'content', 'usage']),
    )
    .map(([id, role, model, content, u, omitted]) =>
      entries([['id', id], ['type', 'message'], ['role', role], ['model', model], ['content', content], ['stop_reason', 'tool_use'], ['stop_sequence', null], ['usage', u]], new Set(omitted)),
    );
  const line = fc
    .tuple(
      message,
      fc.constantFrom('assistant', 'assistant', 'user', 'attachment'),
      fc.oneof(fc.constantFrom('req_1', 'f0945504-1f4e'), text, anything),
      fc.oneof(fc.constantFrom('2026-11-28T13:08:50.410Z', ''), text, anything),
      fc.oneof(fc.constantFrom('s1', 'a1', 'general-purpose'), text, anything),
      fc.boolean(),
      fc.jsonValue({ maxDepth: 2 }),
      fc.subarray(['requestId', 'requestRef', 'timestamp', 'sessionId', 'agentId', 'attributionAgent', 'isSidechain', 'message', 'type']),
      fc.double({ min: 0, max: 0.999, noNaN: true }),
      // Where a space goes: after the first `at` characters of an occurrence of `find`.
      fc.constantFrom(null, { find: '":', at: 2 }, { find: '":', at: 1 }, { find: ',"', at: 1 }, { find: '{"', at: 1 }, { find: ':t', at: 1 }, { find: ':{', at: 2 }, { find: '[]', at: 1 }),
    )
    .chain(([msg, type, request, ts, name, side, extra, omitted, salt, spaced]) =>
      fc
        .shuffledSubarray(
          [
            ['parentUuid', 'p'],
            ['isSidechain', side],
            ['message', msg],
            ['requestId', request],
            ['requestRef', request],
            ['type', type],
            ['timestamp', ts],
            ['sessionId', name],
            ['agentId', name],
            ['attributionAgent', name],
            ['toolUseResult', extra],
          ] as [string, unknown][],
          { minLength: 11 },
        )
        .map((pairs) => {
          const json = JSON.stringify(entries(pairs, new Set(omitted)));
          // Now and then a layout Claude Code does not write: the walk must give way to a full decode.
          if (spaced === null) return json;
          const i = json.indexOf(spaced.find, (salt * json.length) >>> 0);
          return i < 0 ? json : `${json.slice(0, i + spaced.at)} ${json.slice(i + spaced.at)}`;
        }),
    );

  it('keeps exactly the responses a full decode of every line would keep', () => {
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 8 }), (lines) => {
        const { found, skipped } = scan(`${lines.join('\n')}\n`);
        const reference: Responses = new Map();
        const passedOver: SkippedLine[] = [];
        lines.forEach((l, i) => {
          const r = decodeResponse(l, i + 1);
          if (!r) return;
          if ('skip' in r) {
            passedOver.push({ line: i + 1, reason: r.skip });
            return;
          }
          const had = reference.get(r.key);
          if (!had) reference.set(r.key, r);
          else {
            if (r.output > had.output) had.line = r.line;
            had.input = Math.max(had.input, r.input);
            had.output = Math.max(had.output, r.output);
            had.cacheRead = Math.max(had.cacheRead, r.cacheRead);
            had.cacheWrite = Math.max(had.cacheWrite, r.cacheWrite);
            had.cacheWrite5m = Math.max(had.cacheWrite5m, r.cacheWrite5m);
            had.cacheWrite1h = Math.max(had.cacheWrite1h, r.cacheWrite1h);
            had.fast ||= r.fast;
          }
        });
        expect(found).toEqual([...reference.values()]);
        expect(skipped).toEqual(passedOver);
      }),
      { numRuns: 400 },
    );
  });
});
