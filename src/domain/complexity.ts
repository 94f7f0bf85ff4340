/** Complexity classifier (docs/spec.md, "Complexity"). Pure: text in, tier and the rule that decided out. */

export type Complexity = 1 | 2 | 3 | 4 | 5;

export const COMPLEXITY_LABELS: Record<Complexity, string> = {
  1: 'trivial',
  2: 'simple',
  3: 'moderate',
  4: 'complex',
  5: 'research',
};

const TRIVIAL = new Set(['rename', 'format', 'typo', 'bump', 'reformat', 'formatting']);
const RESEARCH = new Set(['explore', 'investigate', 'research', 'brainstorm', 'evaluate', 'survey', 'analyze']);
const AMBIGUITY = new Set(['or', 'vs', 'versus', 'alternative', 'tradeoff', 'trade-off', 'either', 'approach', 'option']);
const SIMPLICITY = new Set(['like', 'similar', 'existing', 'just', 'simple', 'straightforward']);

export interface Classification {
  complexity: Complexity;
  label: string;
  /** Which rule decided: explicit, short, trivial, research, words. */
  rule: 'explicit' | 'short' | 'trivial' | 'research' | 'words';
  words: number;
  signals: { trivial: number; research: number; ambiguity: number; simplicity: number };
}

/**
 * Whole words, lowercased. A word is a run of letters/digits, optionally joined by inner hyphens or
 * apostrophes, so "trade-off" is one word and "or" never matches inside "for".
 */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+(?:['\u2019-][\p{L}\p{N}]+)*/gu) ?? [];
}

export function isComplexity(n: unknown): n is Complexity {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 5;
}

export function classify(text: string, opts: { files?: number; explicit?: number } = {}): Classification {
  const words = tokenize(text);
  const count = (set: Set<string>) => words.reduce((n, w) => n + (set.has(w) ? 1 : 0), 0);
  const signals = {
    trivial: count(TRIVIAL),
    research: count(RESEARCH),
    ambiguity: count(AMBIGUITY),
    simplicity: count(SIMPLICITY),
  };
  const result = (complexity: Complexity, rule: Classification['rule']): Classification => ({
    complexity,
    label: COMPLEXITY_LABELS[complexity],
    rule,
    words: words.length,
    signals,
  });

  if (opts.explicit !== undefined) {
    if (!isComplexity(opts.explicit)) throw new RangeError(`complexity must be an integer from 1 to 5, got ${opts.explicit}`);
    return result(opts.explicit, 'explicit');
  }
  if (words.length < 5) return result(3, 'short');
  if (signals.trivial > 0 && words.length < 20) return result(1, 'trivial');
  if (signals.research > 1) return result(5, 'research');

  let tier = words.length < 30 ? 2 : words.length < 100 ? 3 : 4;
  if (signals.ambiguity > 2) tier += 1;
  if (signals.simplicity > 2) tier -= 1;
  if (opts.files === 1) tier -= 1;
  else if (opts.files !== undefined && opts.files >= 10) tier += 1;
  return result(Math.min(5, Math.max(1, tier)) as Complexity, 'words');
}
