/** doctor: is everything sprint-budget needs in place? One line per check, with its fix. */
import { type Check, runDoctor } from '../../app/doctor';
import { command } from '../framework';
import { printJson, printLine } from '../output';
import { repairForCommand } from '../repair';

const STATUS: Record<Check['status'], string> = { ok: 'ok', warn: 'warn', fail: 'FAIL' };

export const doctor = command({
  name: 'doctor',
  summary: 'Check what sprint-budget needs (Node, SQLite driver, hooks, transcripts, ledger, Claude Code), each with its fix.',
  usage: '[--fix]',
  options: {
    fix: { type: 'boolean', description: 'repair what can be repaired: build the SQLite driver for this Node (waits for it), put the newest backup in the place of a damaged ledger; then check again' },
  },
  details: [
    'Checks: node (version supported), binding (better-sqlite3 loads for this Node\'s ABI), node-flags (`node',
    '--liftoff-only -e 0` runs, as every hook starts), hooks (installed, enabled, not turned off in Claude Code\'s',
    'settings), transcripts (Claude Code\'s transcripts found), ledger (writable), claude-code (the version the hook',
    'payloads were verified against).',
    'Status: ok; warn (worth knowing, nothing to fix); FAIL (the fix says what to do).',
    'Exit codes: 0 nothing to fix, 1 something to fix.',
    '--json: {ok, checks: [{name, status, detail, fix}]}',
  ],
  run(ctx) {
    const report = runDoctor(ctx.caller, ctx.values.fix ? { repairBinding: (err) => repairForCommand(err, { force: true }), restoreLedger: true } : {});
    if (ctx.json) {
      printJson(report);
    } else {
      const w = Math.max(...report.checks.map((c) => c.name.length));
      for (const c of report.checks) printLine(`${STATUS[c.status].padEnd(4)}  ${c.name.padEnd(w)}  ${c.detail}${c.fix ? `. Fix: ${c.fix}` : ''}`);
      const failed = report.checks.filter((c) => c.status === 'fail').length;
      printLine(failed ? `${failed} to fix.` : 'Nothing to fix.');
    }
    return report.ok ? 0 : 1;
  },
});
