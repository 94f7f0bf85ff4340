import { describe, expect, it } from 'vitest';
import { TITLE_MAX, TitleError, isSessionId, plainText, sprintTitle } from '../../src/domain/text';

describe('text that reaches a terminal', () => {
  it('loses escape sequences and control characters; line breaks and tabs become spaces', () => {
    expect(plainText('a\x1b[31mred\x1b[0m\x1b]0;title\x07 b\nc\td\x00e\u202eg')).toBe('ared b c deg');
  });

  it('a title is one plain line, at most TITLE_MAX characters, never empty', () => {
    expect(sprintTitle('  Add   CSV\nexport  ')).toBe('Add CSV export');
    expect(sprintTitle('é'.repeat(TITLE_MAX))).toHaveLength(TITLE_MAX);
    expect(() => sprintTitle('x'.repeat(TITLE_MAX + 1))).toThrow(TitleError);
    expect(() => sprintTitle('\x1b[2J\n')).toThrow(/needs a title/);
  });
});

describe('a session id', () => {
  it('is one path segment: it names transcript files and folders', () => {
    for (const ok of ['2f615247-9f0e-4d07-ade0-cad4d6e2665c', 'late', 'a.b_c-d']) expect(isSessionId(ok), ok).toBe(true);
    for (const bad of ['', '.', '..', '../x', 'a/b', 'a\\b', 'a\0b', 'x'.repeat(129), 'a b']) expect(isSessionId(bad), bad).toBe(false);
  });
});
