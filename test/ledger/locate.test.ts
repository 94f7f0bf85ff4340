/** Where the ledger is: found by walking up, never through a symlink unless the user named the path. */
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { locateLedger } from '../../src/ledger/locate';

function project(): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'sb-locate-')));
  mkdirSync(join(dir, '.git'));
  return dir;
}

describe('a symlinked ledger', () => {
  it('found by walking up (the file, or its directory, a symlink; dangling or not) is refused, with how to use it', () => {
    const elsewhere = realpathSync(mkdtempSync(join(tmpdir(), 'sb-elsewhere-')));
    writeFileSync(join(elsewhere, 'ledger.db'), '');
    const cases: [string, (p: string) => void][] = [
      ['the file', (p) => (mkdirSync(join(p, '.sprint-budget')), symlinkSync(join(elsewhere, 'ledger.db'), join(p, '.sprint-budget', 'ledger.db')))],
      ['a dangling file', (p) => (mkdirSync(join(p, '.sprint-budget')), symlinkSync(join(elsewhere, 'nothing.db'), join(p, '.sprint-budget', 'ledger.db')))],
      ['its directory', (p) => symlinkSync(elsewhere, join(p, '.sprint-budget'))],
    ];
    for (const [what, make] of cases) {
      const p = project();
      make(p);
      const sub = join(p, 'src');
      mkdirSync(sub);
      expect(() => locateLedger(sub, undefined, {}), what).toThrow(
        new RegExp(`^${join(p, '.sprint-budget').replaceAll('.', '\\.')}(/ledger\\.db)? is a symlink \\(to .*\\): a ledger found in a project is not followed through one; name it with --db or SPRINT_BUDGET_DB to use it$`),
      );
    }
  });

  it('named by the user (--db, SPRINT_BUDGET_DB) is followed', () => {
    const p = project();
    const elsewhere = realpathSync(mkdtempSync(join(tmpdir(), 'sb-elsewhere-')));
    symlinkSync(elsewhere, join(p, 'ledgers'));
    expect(locateLedger(p, 'ledgers/ledger.db', {})).toEqual({ path: join(p, 'ledgers/ledger.db'), origin: 'flag' });
    expect(locateLedger(p, undefined, { SPRINT_BUDGET_DB: join(p, 'ledgers/ledger.db') })).toEqual({ path: join(p, 'ledgers/ledger.db'), origin: 'env' });
  });

  it('a regular ledger is found as before, and a new one goes to the git root', () => {
    const p = project();
    expect(locateLedger(join(p), undefined, {})).toEqual({ path: join(p, '.sprint-budget/ledger.db'), origin: 'new' });
    mkdirSync(join(p, '.sprint-budget'));
    writeFileSync(join(p, '.sprint-budget/ledger.db'), '');
    mkdirSync(join(p, 'a/b'), { recursive: true });
    expect(locateLedger(join(p, 'a/b'), undefined, {})).toEqual({ path: join(p, '.sprint-budget/ledger.db'), origin: 'found' });
  });
});
