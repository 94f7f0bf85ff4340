/** Validation of command-line values with zod/mini: one clear message per bad value. */
import * as z from 'zod/mini';
import { AmountError, parseTokenAmount } from '../domain/budget';
import { UsageError } from '../lib/errors';
import type { OptionValues } from './framework';

const Digits = z.string().check(z.regex(/^\d+$/));
const Slug = z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/));

export function intValue(name: string, raw: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const r = z.safeParse(Digits, raw.trim());
  const n = r.success ? Number(r.data) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`;
    throw new UsageError(`${name}: expected ${range}, got "${raw}"`);
  }
  return n;
}

export function optInt(values: OptionValues, name: string, min: number, max?: number): number | undefined {
  const v = values[name];
  return typeof v === 'string' ? intValue(`--${name}`, v, min, max) : undefined;
}

export function optString(values: OptionValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function requireString(values: OptionValues, name: string, command: string): string {
  const v = optString(values, name);
  if (v === undefined || v.trim() === '') throw new UsageError(`${command}: --${name} is required`);
  return v;
}

/** A budget: a token amount, or `none` for no budget. */
export function budgetValue(name: string, raw: string): number | null {
  if (raw.trim().toLowerCase() === 'none') return null;
  try {
    return parseTokenAmount(raw);
  } catch (err) {
    if (err instanceof AmountError) throw new UsageError(`${name}: ${err.message}`);
    throw err;
  }
}

/** A name that goes into keys and tables: letters, digits, `.`, `_`, `:`, `-`. */
export function slugValue(name: string, raw: string): string {
  if (!z.safeParse(Slug, raw).success) throw new UsageError(`${name}: "${raw}" is not a valid name (letters, digits, . _ : -)`);
  return raw;
}
