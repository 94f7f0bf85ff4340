/** The spool: taking it is atomic, work a dead drainer left is taken over at once, losing a race is no error. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, realpathSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RejectedEvent, spoolAppend, spoolDrain, spoolPending } from '../../src/ledger/spool';

function ledgerPath(): string {
  return join(realpathSync(mkdtempSync(join(tmpdir(), 'sb-spool-'))), 'ledger.db');
}

/** The pid of a process that has ended. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid as number;
}

const spoolFiles = (ledger: string) => readdirSync(join(ledger, '..')).filter((f) => f.startsWith('spool')).sort();

describe('work a drainer left', () => {
  it('is pending, and taken over by the next drain at once, when the drainer that took it is gone', () => {
    const ledger = ledgerPath();
    // A drainer took the spool, then was killed before it applied it.
    writeFileSync(join(ledger, '..', `spool.${deadPid()}.${Date.now()}.0.draining`), `${JSON.stringify({ type: 'usage', n: 1 })}\n`);
    expect(spoolPending(ledger)).toBe(true);
    const applied: unknown[] = [];
    expect(spoolDrain(ledger, (e) => applied.push(e.n))).toMatchObject({ applied: 1, failed: 0 });
    expect(applied).toEqual([1]);
    expect(spoolFiles(ledger)).toEqual([]);
    expect(spoolPending(ledger)).toBe(false);
  });

  it('is left to its drainer while that one lives, unless it was taken long ago', () => {
    const ledger = ledgerPath();
    const drainer = spawn('sleep', ['60']);
    try {
      const taken = join(ledger, '..', `spool.${drainer.pid}.${Date.now()}.0.draining`);
      writeFileSync(taken, `${JSON.stringify({ n: 1 })}\n`);
      const applied: unknown[] = [];
      expect(spoolPending(ledger)).toBe(false);
      spoolDrain(ledger, (e) => applied.push(e.n));
      expect(applied).toEqual([]);
      expect(existsSync(taken)).toBe(true);
      // Taken a day ago: that pid may be another process's by now.
      renameSync(taken, join(ledger, '..', `spool.${drainer.pid}.${Date.now() - 86_400_000}.0.draining`));
      spoolDrain(ledger, (e) => applied.push(e.n));
      expect(applied).toEqual([1]);
    } finally {
      drainer.kill();
    }
  });
});

describe('two drainers', () => {
  it('never take the same file: a file one has taken is not stale to the other, whatever its age', () => {
    const ledger = ledgerPath();
    const stale = join(ledger, '..', `spool.${deadPid()}.1.draining`);
    // An old file, from a version that named taken files without a sequence number, and an old mtime.
    writeFileSync(stale, `${JSON.stringify({ n: 1 })}\n${JSON.stringify({ n: 2 })}\n`);
    utimesSync(stale, new Date(Date.now() - 600_000), new Date(Date.now() - 600_000));
    const applied: unknown[] = [];
    // The second drainer runs while the first applies its first event (a rename keeps the file's old mtime).
    let inner: ReturnType<typeof spoolDrain> | undefined;
    const outer = spoolDrain(ledger, (e) => {
      applied.push(e.n);
      inner ??= spoolDrain(ledger, (e2) => applied.push(`inner ${String(e2.n)}`));
    });
    expect(outer).toMatchObject({ applied: 2, failed: 0 });
    expect(inner).toMatchObject({ applied: 0, failed: 0 });
    expect(applied).toEqual([1, 2]);
    expect(spoolFiles(ledger)).toEqual([]);
  });

  it('a file gone before it is read (another drainer finished it) is no error', () => {
    const ledger = ledgerPath();
    spoolAppend(ledger, { n: 1 });
    const applied: unknown[] = [];
    spoolDrain(ledger, (e) => {
      applied.push(e.n);
      // Everything this drainer holds disappears under it.
      for (const f of spoolFiles(ledger)) if (f.endsWith('.draining')) spawnSync('rm', ['-f', join(ledger, '..', f)]);
    });
    expect(applied).toEqual([1]);
    expect(spoolFiles(ledger)).toEqual([]);
  });
});

describe('events that cannot be applied', () => {
  it('are put back when applying failed, and set aside when they never can be (torn or invalid)', () => {
    const ledger = ledgerPath();
    spoolAppend(ledger, { n: 'later' });
    spoolAppend(ledger, { n: 'never' });
    writeFileSync(join(ledger, '..', 'spool.jsonl'), '{"torn', { flag: 'a' });
    const result = spoolDrain(ledger, (e) => {
      if (e.n === 'later') throw new Error('ledger locked');
      if (e.n === 'never') throw new RejectedEvent('not an event');
    });
    expect(result).toEqual({ applied: 0, failed: 1, rejected: 2, complete: true });
    expect(spoolFiles(ledger)).toEqual(['spool.jsonl', 'spool.rejected.jsonl']);
    expect(readFileSync(join(ledger, '..', 'spool.jsonl'), 'utf8')).toContain('"later"');
    const rejected = readFileSync(join(ledger, '..', 'spool.rejected.jsonl'), 'utf8');
    expect(rejected).toContain('"never"');
    expect(rejected).toContain('{"torn');
  });
});
