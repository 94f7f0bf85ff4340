/** Bringing a sprint's spend up to date before a decision (SPEC 9.9): read its sessions' new lines. */
import type { Ledger } from '../ledger/db';
import { sprintAttachments } from '../ledger/sessions';
import type { Sprint } from '../ledger/sprints';
import { type IngestOptions, type IngestResult, type TranscriptRef, ingestTranscripts } from './ingest';
import { claudeConfigDir, findSessionTranscript, sessionTranscripts } from './locate';

export interface RefreshOptions extends IngestOptions {
  env: NodeJS.ProcessEnv;
}

/** The transcripts of every session attached to the sprint (ever: a closed window may have unread lines). */
export function sprintTranscripts(l: Ledger, s: Sprint, env: NodeJS.ProcessEnv): TranscriptRef[] {
  const configDir = claudeConfigDir(env);
  const refs: TranscriptRef[] = [];
  const done = new Set<string>();
  for (const a of sprintAttachments(l, s.id)) {
    if (done.has(a.sessionId)) continue;
    done.add(a.sessionId);
    const main = a.transcriptPath ?? findSessionTranscript(configDir, a.sessionId, s.project);
    if (main) refs.push(...sessionTranscripts(a.sessionId, main));
  }
  return refs;
}

export function refreshSprintUsage(l: Ledger, s: Sprint, opts: RefreshOptions): IngestResult {
  return ingestTranscripts(l, sprintTranscripts(l, s, opts.env), opts);
}
