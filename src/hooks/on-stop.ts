/** Stop: the main agent finished a turn; read the new lines of the session's transcripts. */
import { runIngestHook } from './ingest-hook';
import { Stop } from './payloads';
import { sessionIngestEvent } from './session';

runIngestHook('Stop', Stop, sessionIngestEvent);
