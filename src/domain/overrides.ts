/**
 * When a recorded override lets a budget pass (docs/spec.md, "Decisions"). Pure: over a sprint's
 * history, oldest first. An override lets the next advance pass an exceeded budget, and dispatches
 * until the phase after the one it let in; a budget change ends it.
 */

/** The part of a history entry these rules read. */
export interface DecisionEvent {
  kind: string;
  detail: Record<string, unknown> | null;
}

/**
 * Whether an override stands: one was recorded after the last advance (it lets the next advance
 * pass), or the advance that entered the current phase used it (it covers the phase it let in).
 */
export function overrideStands(events: readonly DecisionEvent[]): boolean {
  let standing = false;
  for (const e of events) {
    if (e.kind === 'override') standing = true;
    else if (e.kind === 'advance') standing = e.detail?.override_used === true;
    else if (e.kind === 'set_budget') standing = false;
  }
  return standing;
}

/** An override recorded since the last advance, waiting to let the next one pass. */
export function overridePending(events: readonly DecisionEvent[]): boolean {
  let pending = false;
  for (const e of events) {
    if (e.kind === 'override') pending = true;
    else if (e.kind === 'advance' || e.kind === 'set_budget') pending = false;
  }
  return pending;
}
