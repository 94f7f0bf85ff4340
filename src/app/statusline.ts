/**
 * `sprint-budget statusline`: Claude Code runs it after every message with the session's status-line
 * JSON on stdin (docs/spec.md, "Status line"). It reads only what this session's transcripts gained
 * since their cursors (the Stop hook's read, so a long turn shows live figures), never a whole
 * history; when another process holds the ledger's write lock it shows the ledger as recorded rather
 * than wait. Anything it cannot use — no JSON, no session, no ledger, no sprint — is no line at all.
 */
import { budgetState } from '../domain/budget';
import { mergeDollars, noDollars } from '../domain/pricing';
import type { StatusFigures } from '../domain/statusline';
import { billingTokens } from '../domain/tokens';
import { type Ledger, isBusy, openLedger, LedgerBusyError } from '../ledger/db';
import { locateLedger } from '../ledger/locate';
import { sprintOfSession } from '../ledger/sessions';
import { sessionTranscripts } from '../transcripts/paths';
import { ingestTranscripts } from './ingest';
import { loadPricing, sprintCostLines } from './pricing';

/** The fields of Claude Code's status-line input read here (the rest: model, cost, context_window, ...). */
export interface StatusInput {
  session_id: string;
  transcript_path: string | null;
  /** Where to look for the ledger: the workspace's project dir, else its current dir, else cwd. */
  dir: string;
}

/** Status-line JSON → what is read of it, or null when it is not the status-line input of a session. */
export function parseStatusInput(text: string): StatusInput | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  if (!raw || typeof raw !== 'object') return null;
  const p = raw as Record<string, unknown>;
  const ws = (p.workspace && typeof p.workspace === 'object' ? p.workspace : {}) as Record<string, unknown>;
  const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
  const session = str(p.session_id);
  const dir = str(ws.project_dir) ?? str(ws.current_dir) ?? str(p.cwd);
  if (!session || !dir) return null;
  return { session_id: session, transcript_path: str(p.transcript_path), dir };
}

/** A status line waits at most this long for another writer before showing what is recorded. */
export const STATUS_BUSY_TIMEOUT_MS = 250;

/** The figures of the session's sprint, up to date; null when the session counts toward no active sprint. */
export function statusFigures(input: StatusInput, env: NodeJS.ProcessEnv, db?: string): StatusFigures | null {
  const loc = locateLedger(input.dir, db, env);
  if (loc.origin === 'new') return null;
  let l: Ledger;
  try {
    l = openLedger(loc.path, { busyTimeoutMs: STATUS_BUSY_TIMEOUT_MS });
  } catch (err) {
    if (err instanceof LedgerBusyError) return null;
    throw err;
  }
  try {
    // A session SessionStart has not attached yet (Claude Code draws the line while the hook runs)
    // shows the sprint the hook will attach it to: the line is drawn again only after a message.
    const found = sprintOfSession(l, input.session_id);
    const s = found?.sprint;
    if (!s || s.status !== 'active') return null;
    const main = input.transcript_path ?? found?.open?.transcriptPath ?? null;
    if (main) {
      try {
        ingestTranscripts(l, sessionTranscripts(input.session_id, main));
      } catch (err) {
        // Another writer holds the lock: the hooks will record it; show what is recorded now.
        if (!isBusy(err)) throw err;
      }
    }
    // One pass over the sprint's records gives both the spend and its dollars.
    const pricing = loadPricing(env);
    const dollars = noDollars();
    let spent = 0;
    for (const line of sprintCostLines(l, s, pricing?.table ?? null)) {
      spent += billingTokens(line);
      mergeDollars(dollars, line.dollars);
    }
    return {
      sprint: s.id,
      phase: s.phase,
      phaseIndex: s.phases.indexOf(s.phase) + 1,
      phases: s.phases.length,
      spent,
      budget: s.tokenBudget,
      state: budgetState(spent, s.tokenBudget, s.warnPct),
      dollars: pricing ? dollars : null,
    };
  } finally {
    l.close();
  }
}
