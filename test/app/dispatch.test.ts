/**
 * The dispatch gate's one transaction, shown deterministically: two real connections to one ledger
 * file, and the second gate started at the exact point where the first has checked the budget and not
 * yet reserved. Parallel hook processes (test/hooks/controls.test.ts) cannot hit that point on
 * purpose: their start-up staggers them.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type DispatchDecision, gateDispatch } from '../../src/app/dispatch';
import { DEFAULT_CONTROLS } from '../../src/domain/controls';
import { type Ledger, isBusy, openLedger } from '../../src/ledger/db';
import { reservedTokens } from '../../src/ledger/reservations';
import { type Sprint, latestActiveSprint } from '../../src/ledger/sprints';
import { runCli, tempProject } from '../helpers/cli';

/** A project whose sprint has 100k billing tokens of budget and 60k spent: room for one 40k dispatch. */
function project(): string {
  const dir = tempProject();
  expect(runCli(['create', 'Race', '--budget', '100k'], { cwd: dir }).code).toBe(0);
  const r = runCli(['record', '--phase', 'brainstorm', '--input', '60000', '--output', '0', '--source', 'test', '--key', 'k1'], { cwd: dir });
  expect(r.code, r.stderr).toBe(0);
  return join(dir, '.sprint-budget/ledger.db');
}

const dispatch = (toolUseId: string) => ({ sessionId: 'session-1', toolUseId, agentType: 'general-purpose', at: Date.now() });
const gate = (l: Ledger, s: Sprint, id: string): DispatchDecision => gateDispatch(l, s, dispatch(id), 'hard', DEFAULT_CONTROLS);

describe('the dispatch gate decides and reserves in one transaction', () => {
  it('a second gate cannot decide between the first one\'s check and its reservation; after it, it sees the reservation', () => {
    const path = project();
    const first = openLedger(path);
    const second = openLedger(path, { busyTimeoutMs: 0 });
    try {
      const sprint = latestActiveSprint(first) as Sprint;
      let between: unknown = 'not reached';
      // The first gate's ledger, the same in all but this: just before it writes its reservation, the
      // second gate runs on its own connection.
      const interrupted: Ledger = {
        ...first,
        stmt(sql) {
          if (between === 'not reached' && sql.includes('INSERT INTO reservations')) {
            try {
              between = gate(second, sprint, 'toolu_second');
            } catch (err) {
              between = err;
            }
          }
          return first.stmt(sql);
        },
      };
      expect(gate(interrupted, sprint, 'toolu_first').action).toBe('allow');
      // Had the check and the reservation been apart, the second gate would have seen 40k free and passed too.
      expect(isBusy(between), `the second gate decided: ${JSON.stringify(between)}`).toBe(true);
      const after = gate(second, sprint, 'toolu_second');
      expect(after).toMatchObject({ action: 'deny', line: 'budget_exceeded|brainstorm|100000/100000 billing tokens (40000 reserved by running subagents)' });
      expect(reservedTokens(first, sprint.id)).toBe(40_000);
    } finally {
      first.close();
      second.close();
    }
  });
});
