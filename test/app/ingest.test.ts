import { appendFileSync, copyFileSync, mkdirSync, readFileSync, realpathSync, mkdtempSync, renameSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateCorpus } from '../../scripts/corpus.mjs';
import { type Ledger, openLedger } from '../../src/ledger/db';
import { attachSession } from '../../src/ledger/sessions';
import { IngestWriter, ingestTranscripts } from '../../src/app/ingest';
import { type FileReading, readTranscript } from '../../src/transcripts/reading';
import { type TranscriptRef, allTranscripts } from '../../src/transcripts/paths';
import { Walk } from '../../src/transcripts/walk';

function tmp(prefix: string): string {
  return realpathSync(mkdtempSync(join(tmpdir(), prefix)));
}

function ledger(): Ledger {
  return openLedger(join(tmp('sb-ledger-'), 'ledger.db'), { create: true });
}

/** Attach every session of a corpus from the beginning of time, so all its rows are stored. */
function attachAll(l: Ledger, sessions: string[]): void {
  l.db.prepare(`INSERT INTO sprints (id, title, project, phases, phase, complexity, complexity_source, token_budget, warn_pct, created_at, updated_at)
    VALUES ('sb-test01', 't', '/p', '["a","done"]', 'a', 3, 'explicit', NULL, 80, 0, 0)`).run();
  l.write(() => {
    for (const s of sessions) attachSession(l, { sessionId: s, sprintId: 'sb-test01', at: 0, via: 'test' });
  });
}

function storedByType(l: Ledger): Record<string, { input: number; output: number; cacheRead: number; cacheWrite: number; responses: number }> {
  const rows = l.db
    .prepare(
      `SELECT agent_type AS t, COUNT(*) AS responses, SUM(input_tokens) AS input, SUM(output_tokens) AS output,
         SUM(cache_read_tokens) AS cacheRead, SUM(cache_write_tokens) AS cacheWrite FROM usage GROUP BY agent_type`,
    )
    .all() as { t: string; responses: number; input: number; output: number; cacheRead: number; cacheWrite: number }[];
  return Object.fromEntries(rows.map(({ t, ...rest }) => [t, rest]));
}

describe('ingest equals the generated corpus to the token', () => {
  const dir = tmp('sb-corpus-');
  const corpus = generateCorpus(dir, { seed: 11, targetBytes: 6 * 1024 * 1024 });

  it('totals, per agent type, and twice equals once', () => {
    const l = ledger();
    attachAll(l, Object.keys(corpus.bySession));
    const first = ingestTranscripts(l, allTranscripts(dir));
    expect({ ...first, complete: undefined }).toEqual({ ...corpus.totals, complete: undefined, unread: [] });
    expect(storedByType(l)).toEqual(corpus.byAgentType);
    const second = ingestTranscripts(l, allTranscripts(dir));
    expect(second).toMatchObject({ bytes: 0, responses: 0, input_tokens: 0, output_tokens: 0 });
    expect(storedByType(l)).toEqual(corpus.byAgentType);
    // Forgetting every cursor and reading it all again still counts each response once.
    l.db.exec('DELETE FROM cursors');
    expect(ingestTranscripts(l, allTranscripts(dir))).toMatchObject({ responses: corpus.totals.responses, output_tokens: corpus.totals.output_tokens });
    expect(storedByType(l)).toEqual(corpus.byAgentType);
  });

  it('stores the main responses of attached sessions only, and every subagent response', () => {
    const l = ledger();
    const r = ingestTranscripts(l, allTranscripts(dir));
    expect(r.responses).toBe(corpus.totals.responses);
    const stored = storedByType(l);
    expect(stored.main).toBeUndefined();
    const { main: _main, ...subagents } = corpus.byAgentType;
    expect(stored).toEqual(subagents);
  });

  it('files cut at random byte offsets and read after every append give the same totals as one read', () => {
    const small = tmp('sb-small-');
    const c = generateCorpus(small, { seed: 5, targetBytes: 400 * 1024 });
    const texts = c.files.map((f) => ({ rel: relative(small, f), bytes: readFileSync(f) }));
    const metas = c.files.map((f) => f.replace(/\.jsonl$/, '.meta.json'));
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 0, max: 1000 }), (cuts, salt) => {
        const live = tmp('sb-live-');
        const l = ledger();
        attachAll(l, Object.keys(c.bySession));
        for (const m of metas) {
          try {
            mkdirSync(dirname(join(live, relative(small, m))), { recursive: true });
            copyFileSync(m, join(live, relative(small, m)));
          } catch {
            // Main transcripts have no .meta.json.
          }
        }
        const offsets = texts.map((t, i) => [...new Set(cuts.map((x) => Math.floor(((x + (salt * (i + 1)) / 997) % 1) * t.bytes.length)))].sort((a, b) => a - b));
        const rounds = Math.max(...offsets.map((o) => o.length)) + 1;
        const written = texts.map(() => 0);
        for (let round = 0; round < rounds; round++) {
          texts.forEach((t, i) => {
            const target = round < (offsets[i] as number[]).length ? ((offsets[i] as number[])[round] as number) : t.bytes.length;
            if (target <= (written[i] as number)) return;
            const path = join(live, t.rel);
            mkdirSync(dirname(path), { recursive: true });
            appendFileSync(path, t.bytes.subarray(written[i], target));
            written[i] = target;
          });
          ingestTranscripts(l, allTranscripts(live));
        }
        expect(storedByType(l)).toEqual(c.byAgentType);
        l.close();
      }),
      { numRuns: 15 },
    );
  });
});

describe('files that change under the reader', () => {
  const line = (id: string, input: number, output: number) =>
    `${JSON.stringify({ parentUuid: null, isSidechain: false, sessionId: 'sess-x', message: { id, type: 'message', role: 'assistant', model: 'm', content: [], usage: { input_tokens: input, output_tokens: output } }, requestId: `r-${id}`, type: 'assistant', timestamp: '2026-11-01T00:00:00.000Z' })}\n`;

  function setup() {
    const dir = tmp('sb-change-');
    const path = join(dir, 'projects', '-p', 'sess-x.jsonl');
    mkdirSync(dirname(path), { recursive: true });
    const l = ledger();
    attachAll(l, ['sess-x']);
    const total = () => (l.db.prepare('SELECT SUM(input_tokens) AS i, SUM(output_tokens) AS o, COUNT(*) AS n FROM usage').get() as { i: number; o: number; n: number });
    return { dir, path, l, total, ingest: () => ingestTranscripts(l, allTranscripts(dir)) };
  }

  it('a line longer than the read buffer is read whole, the lines around it too', () => {
    const t = setup();
    // A response whose content holds a 1.5 MiB tool input, and a 600 KiB line with no usage.
    const huge = `${JSON.stringify({ parentUuid: null, isSidechain: false, sessionId: 'sess-x', message: { id: 'big', type: 'message', role: 'assistant', model: 'm', content: [{ type: 'tool_use', input: { text: 'x'.repeat(1536 * 1024) } }], usage: { input_tokens: 7, output_tokens: 3 } }, requestId: 'r-big', type: 'assistant', timestamp: '2026-11-01T00:00:00.000Z' })}\n`;
    const noise = `${JSON.stringify({ type: 'user', message: { role: 'user', content: 'y'.repeat(600 * 1024) } })}\n`;
    writeFileSync(t.path, line('a', 10, 1) + noise + huge + line('b', 20, 2));
    expect(t.ingest()).toMatchObject({ responses: 3, input_tokens: 37, output_tokens: 6 });
    expect(t.total()).toEqual({ i: 37, o: 6, n: 3 });
    expect(t.l.db.prepare("SELECT origin FROM usage WHERE key = 'msg:big:r-big'").get()).toEqual({ origin: `${t.path}:3` });
    appendFileSync(t.path, line('c', 5, 5));
    expect(t.ingest()).toMatchObject({ responses: 1, input_tokens: 5 });
  });

  it('a truncated file is read again from the start without counting twice', () => {
    const t = setup();
    writeFileSync(t.path, line('a', 10, 1) + line('b', 20, 2));
    t.ingest();
    truncateSync(t.path, 0);
    writeFileSync(t.path, line('a', 10, 1));
    t.ingest();
    appendFileSync(t.path, line('c', 30, 3));
    t.ingest();
    expect(t.total()).toEqual({ i: 60, o: 6, n: 3 });
  });

  it('a replaced file (new inode) is read from the start', () => {
    const t = setup();
    writeFileSync(t.path, line('a', 10, 1) + line('b', 20, 2));
    t.ingest();
    writeFileSync(`${t.path}.new`, line('a', 10, 1) + line('b', 20, 2) + line('d', 40, 4));
    renameSync(`${t.path}.new`, t.path);
    const r = t.ingest();
    expect(r.responses).toBe(3);
    expect(t.total()).toEqual({ i: 70, o: 7, n: 3 });
  });

  it('a file rewritten in place to the same length is noticed by the bytes before the cursor', () => {
    const t = setup();
    writeFileSync(t.path, line('a', 10, 1) + line('b', 20, 2));
    t.ingest();
    writeFileSync(t.path, line('e', 50, 5) + line('f', 60, 6));
    // A rewrite gets a new mtime; set one, as two writes within one clock tick could share it.
    utimesSync(t.path, new Date(), new Date(Date.now() + 5000));
    t.ingest();
    expect(t.total()).toEqual({ i: 140, o: 14, n: 4 });
  });

  it('a deadline stops between files and the next run finishes the work', () => {
    const t = setup();
    writeFileSync(t.path, line('a', 10, 1));
    const r = ingestTranscripts(t.l, allTranscripts(t.dir), { deadline: Date.now() - 1 });
    expect(r.complete).toBe(false);
    expect(t.ingest().complete).toBe(true);
    expect(t.total()).toEqual({ i: 10, o: 1, n: 1 });
  });
});

describe('one response in two sessions', () => {
  it("is stored for the attached one even when the other's file is read first", () => {
    const dir = tmp('sb-two-');
    const project = join(dir, 'projects', '-p');
    mkdirSync(project, { recursive: true });
    const line = `${JSON.stringify({ type: 'assistant', message: { id: 'm1', role: 'assistant', model: 'm', content: [], usage: { input_tokens: 3, output_tokens: 2 } }, requestId: 'r1', timestamp: '2026-11-01T00:00:00.000Z' })}\n`;
    // A resumed session repeats lines of the session it resumed.
    writeFileSync(join(project, 'a-not-attached.jsonl'), line);
    writeFileSync(join(project, 'b-attached.jsonl'), line);
    const l = ledger();
    attachAll(l, ['b-attached']);
    expect(ingestTranscripts(l, allTranscripts(dir))).toMatchObject({ files: 2, responses: 1, input_tokens: 3, output_tokens: 2 });
    expect(l.db.prepare('SELECT key, session_id AS s FROM usage').all()).toEqual([{ key: 'msg:m1:r1', s: 'b-attached' }]);
  });
});

describe('a session attached while a run reads', () => {
  it('is read again by the next run: its responses were passed over as unattached', () => {
    const dir = tmp('sb-late-');
    const project = join(dir, 'projects', '-p');
    mkdirSync(project, { recursive: true });
    writeFileSync(
      join(project, 'late.jsonl'),
      `${JSON.stringify({ type: 'assistant', sessionId: 'late', message: { id: 'm1', role: 'assistant', model: 'm', content: [], usage: { input_tokens: 3, output_tokens: 2 } }, requestId: 'r1', timestamp: '2026-11-01T00:00:00.000Z' })}\n`,
    );
    const l = ledger();
    const [ref] = allTranscripts(dir);
    // The run began before the session was attached: the reading keeps no record of it.
    const writer = new IngestWriter(l);
    const reading = readTranscript(new Walk(), ref as TranscriptRef, null, writer.attached);
    expect(reading).toMatchObject({ records: [], passed: ['late'] });
    expect([...(reading as FileReading).responses.keys()]).toEqual(['msg:m1:r1']);
    attachAll(l, ['late']);
    writer.add(reading as FileReading);
    expect(writer.result(true)).toMatchObject({ responses: 1, input_tokens: 3 });
    expect(l.db.prepare('SELECT COUNT(*) AS n FROM cursors').get()).toEqual({ n: 0 });
    expect(ingestTranscripts(l, allTranscripts(dir))).toMatchObject({ responses: 1 });
    expect(l.db.prepare('SELECT key, session_id AS s FROM usage').all()).toEqual([{ key: 'msg:m1:r1', s: 'late' }]);
  });
});

describe('what is listed', () => {
  it('a directory named like a transcript is passed over, and what is beside it is read', () => {
    const dir = tmp('sb-odd-');
    const project = join(dir, 'projects', '-p');
    mkdirSync(join(project, 'odd.jsonl'), { recursive: true });
    writeFileSync(join(project, 's1.jsonl'), `${JSON.stringify({ type: 'assistant', message: { id: 'm1', role: 'assistant', model: 'm', content: [], usage: { input_tokens: 3, output_tokens: 2 } }, timestamp: '2026-11-01T00:00:00.000Z' })}\n`);
    const r = ingestTranscripts(ledger(), allTranscripts(dir));
    expect(r).toMatchObject({ files: 1, responses: 1, input_tokens: 3, output_tokens: 2 });
  });
});

describe('subagent types', () => {
  const sub = (id: string, attribution?: string) =>
    `${JSON.stringify({ isSidechain: true, agentId: 'a1', sessionId: 's1', message: { id, role: 'assistant', model: 'm', content: [], usage: { input_tokens: 7, output_tokens: 3 } }, ...(attribution ? { attributionAgent: attribution } : {}), type: 'assistant', timestamp: '2026-11-01T00:00:00.000Z' })}\n`;

  function typesAfterReading(lines: string, meta: object | null): string[] {
    const dir = tmp('sb-types-');
    const subDir = join(dir, 'projects', '-p', 's1', 'subagents');
    mkdirSync(subDir, { recursive: true });
    writeFileSync(join(dir, 'projects', '-p', 's1.jsonl'), '');
    writeFileSync(join(subDir, 'agent-a1.jsonl'), lines);
    if (meta) writeFileSync(join(subDir, 'agent-a1.meta.json'), JSON.stringify(meta));
    const l = ledger();
    ingestTranscripts(l, allTranscripts(dir));
    return (l.db.prepare('SELECT agent_type FROM usage').all() as { agent_type: string }[]).map((r) => r.agent_type);
  }

  it('come from the line (2.1.332), else from the .meta.json beside the transcript, else "subagent"', () => {
    expect(typesAfterReading(sub('m1', 'Explore'), { agentType: 'Explore' })).toEqual(['Explore']);
    expect(typesAfterReading(sub('m2'), { agentType: 'fd-quality' })).toEqual(['fd-quality']);
    expect(typesAfterReading(sub('m3'), null)).toEqual(['subagent']);
  });
});
