/** SubagentStop: read the new lines of the subagent's own transcript, attributed to its type; settle its reservation. */
import { readSubagentTranscript } from '../app/session';
import { sessionOf } from './events';
import { runIngestHook } from './ingest-hook';
import { SubagentStop } from './payloads';

runIngestHook('SubagentStop', SubagentStop, (p) => ({
  type: 'ingest',
  session_id: p.session_id,
  transcript_path: p.transcript_path,
  agent: { id: p.agent_id, type: p.agent_type, path: p.agent_transcript_path },
}), (l, p, refs) => readSubagentTranscript(l, sessionOf(p), refs, p.agent_transcript_path));
