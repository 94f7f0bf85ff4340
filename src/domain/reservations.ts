/**
 * Reservations for parallel dispatch (docs/spec.md, "Reservations"). Pure. A dispatch that passes the
 * gate reserves its estimate until the subagent's usage is recorded; what remains is the budget less
 * what was spent and what running subagents have reserved.
 */
import { tokensRemaining } from './budget';

/** max(0, budget − spent − reserved), or null without a budget. */
export function remainingAfter(spent: number, reserved: number, budget: number | null): number | null {
  return tokensRemaining(spent + reserved, budget);
}

/** Whether an open reservation made at `at` is past the stated age at `now`. */
export function reservationExpired(at: number, now: number, maxAgeMinutes: number): boolean {
  return now - at > maxAgeMinutes * 60_000;
}
