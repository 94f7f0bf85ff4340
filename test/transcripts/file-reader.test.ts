/** Reading one transcript file: what is refused, what is passed over, where a deadline stops it. */
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, realpathSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NotRegularFileError } from '../../src/platform/files';
import { MAX_LINE_BYTES, readNewLines } from '../../src/transcripts/file-reader';
import type { Responses } from '../../src/transcripts/responses';
import { Walk } from '../../src/transcripts/walk';
import { responseLine } from '../helpers/transcripts';

const walk = new Walk();

function tmp(): string {
  return realpathSync(mkdtempSync(join(tmpdir(), 'sb-reader-')));
}

const line = (id: string, input: number) => responseLine({ sessionId: 's1', id, input, output: 1 });

describe('only regular files', () => {
  it('a FIFO is refused at once, never waited on', () => {
    const path = join(tmp(), 'pipe.jsonl');
    execFileSync('mkfifo', [path]);
    // Were the reader to wait for a writer, this one comes after 5 s (and the refusal below fails).
    const writer = spawn('sh', ['-c', `sleep 5; exec 3>"${path}"`], { stdio: 'ignore' });
    try {
      expect(() => readNewLines(walk, path, null, new Map())).toThrow(new NotRegularFileError('a FIFO'));
    } finally {
      writer.kill();
    }
  });

  it('a directory is refused with what it is', () => {
    expect(() => readNewLines(walk, tmp(), null, new Map())).toThrow('not a regular file: a directory');
  });
});

describe('a line longer than any read whole', () => {
  it('is passed over with a note; the lines around it are read, and the cursor goes past it', () => {
    const path = join(tmp(), 't.jsonl');
    writeFileSync(path, line('a', 10));
    // A line of NUL bytes (a sparse file: nothing is written to disk) one MiB longer than the limit.
    const before = statSync(path).size;
    truncateSync(path, before + MAX_LINE_BYTES + 1024 * 1024);
    appendFileSync(path, `\n${line('b', 20)}`);
    const into: Responses = new Map();
    const read = readNewLines(walk, path, null, into);
    expect([...into.values()].map((r) => [r.key, r.input, r.line])).toEqual([
      ['msg:a:req-a', 10, 1],
      ['msg:b:req-b', 20, 3],
    ]);
    expect(read?.skipped).toEqual([{ line: 2, reason: 'longer than 64.0 MiB (65.0 MiB): not read; any response on it is not counted' }]);
    expect(read?.cursor).toMatchObject({ offset: statSync(path).size, lines: 3 });
    // Appended after it: read from the cursor, the long line not again.
    appendFileSync(path, line('c', 30));
    const next: Responses = new Map();
    const again = readNewLines(walk, path, read?.cursor ?? null, next);
    expect([...next.keys()]).toEqual(['msg:c:req-c']);
    expect(again).toMatchObject({ reset: false, skipped: [] });
  });

  it('whose end is not written yet is left for the next read', () => {
    const path = join(tmp(), 't.jsonl');
    writeFileSync(path, line('a', 10));
    const before = statSync(path).size;
    truncateSync(path, before + MAX_LINE_BYTES + 10);
    const read = readNewLines(walk, path, null, new Map());
    expect(read).toMatchObject({ skipped: [], cursor: { offset: before, lines: 1 } });
  });
});

describe('a deadline', () => {
  it('stops a read between chunks of one file; the cursor keeps what was read, and the next read goes on though the file did not change', () => {
    const path = join(tmp(), 't.jsonl');
    writeFileSync(path, Array.from({ length: 8000 }, (_, i) => line(`m${i}`, i + 1)).join(''));
    const first: Responses = new Map();
    const cut = readNewLines(walk, path, null, first, { deadline: Date.now() - 1 });
    expect(cut).toMatchObject({ partial: true, bytes: 0 });
    const rest: Responses = new Map();
    const done = readNewLines(walk, path, cut?.cursor ?? null, rest);
    expect(done).toMatchObject({ partial: false, unchanged: false, cursor: { offset: statSync(path).size, lines: 8000 } });
    expect(first.size + rest.size).toBe(8000);
  });
});
