/**
 * What a hook says once per sprint rather than on every call: an unusable setting in the project's
 * config.json (its default applies). Each distinct problem is recorded in the sprint's history the
 * first time and said then, in one line.
 */
import type { Ledger } from '../ledger/db';
import { type Sprint, insertEvent, listEvents } from '../ledger/sprints';

/** The line to show for problems not said before in this sprint, or null. */
export function configNotice(l: Ledger, s: Sprint, problems: readonly string[], at: number): string | null {
  const unsaid = () => {
    const said = new Set(listEvents(l, s.id).flatMap((e) => (e.kind === 'config_problem' && e.reason ? [e.reason] : [])));
    return problems.filter((p) => !said.has(p));
  };
  // Read first: once said, a problem costs no write lock on later calls.
  if (unsaid().length === 0) return null;
  const fresh = l.write(() => {
    const news = unsaid();
    for (const p of news) insertEvent(l, s.id, { kind: 'config_problem', fromPhase: s.phase, at, actor: 'sprint-budget', reason: p });
    return news;
  });
  return fresh.length > 0 ? `sprint-budget: ${fresh.join('; ')}; the default applies` : null;
}
