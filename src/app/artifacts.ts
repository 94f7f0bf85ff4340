/** A sprint's artifacts: what a gate may require before a phase. */
import { type Sprint, setArtifact } from '../ledger/sprints';
import { type Caller, callerSession, inProject } from './project';
import { resolveSprint } from './resolve';

/** `sprint-budget artifact`: records (or replaces) the sprint's artifact of this type. */
export function recordArtifact(caller: Caller, req: { sprint?: string; type: string; path: string }): Sprint {
  return inProject(caller, {}, (l) => {
    const s = resolveSprint(l, req.sprint, callerSession(caller));
    l.write(() => setArtifact(l, s.id, req.type, req.path, Date.now()));
    return s;
  });
}
