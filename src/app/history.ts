/** `sprint-budget ingest`: the whole history of transcripts (or one session's) read into the ledger. */
import { getCursors } from '../ledger/cursors';
import { upsertRecords } from '../ledger/records';
import { interstatPath, readInterstat } from '../interstat/agent-runs';
import { NotFoundError } from '../platform/errors';
import { type TranscriptRef, allTranscripts } from '../transcripts/paths';
import { type IngestResult, ingestTranscripts, sessionRefs } from './ingest';
import { type Caller, inProject } from './project';

export interface IngestRequest {
  /** Claude Code's config dir (where `projects/` is). */
  configDir: string;
  /** Only transcripts modified since then (epoch ms). */
  since?: number;
  /** Only this session's transcripts. */
  session?: string;
  onProgress?: (doneFiles: number, totalFiles: number) => void;
}

export interface IngestOutcome {
  /** This run's totals, and what it could not read. */
  totals: Omit<IngestResult, 'complete'>;
  /** interstat's filled runs copied in (a whole-history read only), or null when it has no database. */
  interstat: { path: string; rows: number; skipped: number } | null;
}

/** `sprint-budget ingest`: every transcript (or one session's) read up to date, then interstat's gaps. */
export function ingestHistory(caller: Caller, req: IngestRequest): IngestOutcome {
  let refs: TranscriptRef[];
  if (req.session === undefined) refs = allTranscripts(req.configDir, req.since);
  else {
    const found = sessionRefs(req.configDir, req.session);
    if (!found) throw new NotFoundError(`no transcript for session ${req.session} under ${req.configDir}`);
    refs = found;
  }
  return inProject(caller, { create: true }, (l) => {
    const { complete: _complete, ...totals } = ingestTranscripts(l, refs, { onProgress: req.onProgress, cursors: getCursors(l) });
    let interstat: IngestOutcome['interstat'] = null;
    if (req.session === undefined) {
      const read = readInterstat(interstatPath(req.configDir));
      if (read) {
        upsertRecords(l, read.records);
        interstat = { path: read.path, rows: read.records.length, skipped: read.skipped };
      }
    }
    return { totals, interstat };
  });
}
