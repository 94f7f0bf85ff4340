/** Validation of command-line values: one clear message per bad value, exit 2. */
import { AmountError, parseTokenAmount } from '../domain/budget';
import { isSessionId } from '../domain/text';
import { parseIsoDate } from '../domain/time';
import { UsageError } from '../platform/errors';

const DIGITS = /^\d+$/;
const SLUG = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

export function intValue(name: string, raw: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = DIGITS.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`;
    throw new UsageError(`${name}: expected ${range}, got "${raw}"`);
  }
  return n;
}

/** An optional integer option. */
export function optInt(name: string, raw: string | undefined, min: number, max?: number): number | undefined {
  return raw === undefined ? undefined : intValue(name, raw, min, max);
}

/** A string option that must be given and not blank. */
export function required(name: string, raw: string | undefined, command: string): string {
  if (raw === undefined || raw.trim() === '') throw new UsageError(`${command}: ${name} is required`);
  return raw;
}

/** A budget: a token amount, or `none` for no budget. */
export function budgetValue(name: string, raw: string): number | null {
  if (raw.trim().toLowerCase() === 'none') return null;
  if (raw.trim().startsWith('-')) throw new UsageError(`${name}: a budget must be positive, got "${raw}" (use "none" for no budget)`);
  try {
    return parseTokenAmount(raw);
  } catch (err) {
    if (err instanceof AmountError) throw new UsageError(`${name}: ${err.message}`);
    throw err;
  }
}

/** A name that goes into keys and tables: letters, digits, `.`, `_`, `:`, `-`. */
export function slugValue(name: string, raw: string): string {
  if (!SLUG.test(raw)) throw new UsageError(`${name}: "${raw}" is not a valid name (letters, digits, . _ : -)`);
  return raw;
}

/** An ISO 8601 date or date-time (UTC unless it names a zone), as epoch milliseconds. */
export function isoDateValue(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const ms = parseIsoDate(raw);
  if (ms === null) throw new UsageError(`${name}: "${raw}" is not an ISO date (e.g. 2026-11-01 or 2026-11-01T12:00:00Z)`);
  return ms;
}

/** A Claude Code session id (one path segment: it names transcript files). */
export function sessionIdValue(raw: string): string {
  if (!isSessionId(raw)) throw new UsageError(`--session: "${raw}" is not a session id (letters, digits, . _ -)`);
  return raw;
}
