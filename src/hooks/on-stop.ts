/** Stop: the main agent finished a turn; read the new lines of the session's transcripts. */
import { sessionIngestEvent } from './events';
import { runIngestHook } from './ingest-hook';
import { Stop } from './payloads';

runIngestHook('Stop', Stop, sessionIngestEvent);
