/** Times as the ledger keeps them (epoch milliseconds) and as people write them (ISO 8601). */

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** `2026-11-01`, `2026-11-01T12:00`, `2026-11-01T12:00:00.5Z`, `2026-11-01T12:00:00+02:00`. */
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * An ISO 8601 date or date-time as epoch milliseconds, or null when the text is not one. A date
 * alone is midnight UTC and a date-time without a zone is UTC: the result never depends on the
 * machine's time zone. Only real calendar values pass (no 2026-02-30, no 24:00).
 */
export function parseIsoDate(text: string): number | null {
  const t = text.trim();
  const m = ISO_DATE.exec(t);
  if (!m) return null;
  const [year, month, day, hour = 0, minute = 0, second = 0] = m.slice(1, 7).map((v) => (v === undefined ? undefined : Number(v)));
  const calendar = new Date(Date.UTC(year as number, (month as number) - 1, day as number));
  if (calendar.getUTCMonth() !== (month as number) - 1 || calendar.getUTCDate() !== day) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const ms = Date.parse(m[4] === undefined ? `${t}T00:00:00Z` : m[7] === undefined ? `${t}Z` : t);
  return Number.isFinite(ms) ? ms : null;
}
