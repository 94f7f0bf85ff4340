/** A sprint's artifacts: what a gate may require before a phase. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Sprint, setArtifact } from '../ledger/sprints';
import { UsageError } from '../platform/errors';
import { type Caller, callerSession, inProject } from './project';
import { resolveSprint } from './resolve';

/** `sprint-budget artifact`: records (or replaces) the sprint's artifact of this type; the file must exist. */
export function recordArtifact(caller: Caller, req: { sprint?: string; type: string; path: string }): Sprint {
  // A gate passes on what is recorded: recording a file that is not there would open it on a promise.
  if (!existsSync(resolve(caller.cwd, req.path))) throw new UsageError(`artifact ${req.type}: there is no ${req.path} (write it first, then record it)`);
  return inProject(caller, {}, (l) => {
    const s = resolveSprint(l, req.sprint, callerSession(caller));
    l.write(() => setArtifact(l, s.id, req.type, req.path, Date.now()));
    return s;
  });
}
