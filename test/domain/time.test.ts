import { describe, expect, it } from 'vitest';
import { isoTime, parseIsoDate } from '../../src/domain/time';

describe('ISO dates', () => {
  it('reads dates and date-times as UTC unless they name a zone', () => {
    expect(parseIsoDate('2026-11-01')).toBe(Date.UTC(2026, 10, 1));
    expect(parseIsoDate('2026-11-01T12:30')).toBe(Date.UTC(2026, 10, 1, 12, 30));
    expect(parseIsoDate('2026-11-01T12:30:15.5Z')).toBe(Date.UTC(2026, 10, 1, 12, 30, 15, 500));
    expect(parseIsoDate('2026-11-01T12:30:00+02:00')).toBe(Date.UTC(2026, 10, 1, 10, 30));
    expect(parseIsoDate(' 2026-11-01 ')).toBe(Date.UTC(2026, 10, 1));
  });

  it('refuses what Date.parse would guess at: words, bare numbers, impossible calendar values', () => {
    for (const text of ['Nov 1', '1', '2026', '2026-11', '11/01/2026', '2026-02-30', '2026-13-01', '2026-11-01T24:00', '2026-11-01T12:60', 'yesterday', '']) {
      expect(parseIsoDate(text), text).toBeNull();
    }
  });

  it('prints epoch milliseconds back as ISO', () => {
    expect(isoTime(Date.UTC(2026, 10, 1, 9))).toBe('2026-11-01T09:00:00.000Z');
  });
});
