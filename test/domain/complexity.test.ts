import { describe, expect, it } from 'vitest';
import { classify, tokenize } from '../../src/domain/complexity';

const words = (n: number, word = 'widget') => Array.from({ length: n }, () => word).join(' ');

describe('complexity classifier', () => {
  it('an explicit complexity always wins, even over a trivial text', () => {
    expect(classify('fix typo', { explicit: 5 })).toMatchObject({ complexity: 5, rule: 'explicit' });
    expect(() => classify('x', { explicit: 6 })).toThrow(RangeError);
  });

  it('empty text or fewer than 5 words is 3', () => {
    expect(classify('')).toMatchObject({ complexity: 3, rule: 'short' });
    expect(classify('rename the thing now')).toMatchObject({ complexity: 3, rule: 'short', words: 4 });
  });

  it('a trivial keyword under 20 words is 1', () => {
    expect(classify('rename the config loader module please')).toMatchObject({ complexity: 1, rule: 'trivial' });
    expect(classify('Bump the lodash version in package json')).toMatchObject({ complexity: 1, rule: 'trivial' });
    // 20 words or more: the keyword no longer decides.
    expect(classify(`rename ${words(19)}`).rule).toBe('words');
  });

  it('more than one research keyword is 5', () => {
    expect(classify('explore and investigate caching strategies for the api')).toMatchObject({ complexity: 5, rule: 'research' });
    // One research keyword is not enough.
    expect(classify('explore caching strategies for the api layer').rule).toBe('words');
  });

  it('word count sets the base: <30 → 2, <100 → 3, else 4', () => {
    expect(classify(words(29)).complexity).toBe(2);
    expect(classify(words(30)).complexity).toBe(3);
    expect(classify(words(99)).complexity).toBe(3);
    expect(classify(words(100)).complexity).toBe(4);
  });

  it('more than 2 ambiguity words add 1, more than 2 simplicity words take 1', () => {
    expect(classify(`${words(10)} or vs either`).complexity).toBe(3);
    expect(classify(`${words(10)} or vs`).complexity).toBe(2);
    expect(classify(`${words(40)} just simple like`).complexity).toBe(2);
    expect(classify(`${words(40)} just simple`).complexity).toBe(3);
  });

  it('file count 1 takes 1, 10 or more adds 1, and the result is clamped to 1..5', () => {
    expect(classify(words(40), { files: 1 }).complexity).toBe(2);
    expect(classify(words(40), { files: 10 }).complexity).toBe(4);
    expect(classify(words(40), { files: 9 }).complexity).toBe(3);
    expect(classify(`${words(120)} or vs either`, { files: 12 }).complexity).toBe(5);
    expect(classify(`${words(10)} just simple like`, { files: 1 }).complexity).toBe(1);
  });

  it('matches whole words only, case-insensitively (defect 15)', () => {
    // "for", "information", "format-ish" words must not count as "or" / "format".
    const text = `${words(10)} for information before forward`;
    expect(classify(text).signals.ambiguity).toBe(0);
    expect(classify('formatter reformatted platform typography bumpy words').rule).toBe('words');
    expect(classify('RENAME the Module in the codebase').rule).toBe('trivial');
    expect(tokenize('trade-off, either/or.')).toEqual(['trade-off', 'either', 'or']);
    expect(classify(`${words(10)} trade-off tradeoff alternative`).signals.ambiguity).toBe(3);
  });
});
