/**
 * What a failed zod/mini check says, in words: zod/mini ships without message locales ("Invalid
 * input"), so each message is made from the issue itself.
 */
import type * as z from 'zod/mini';

export function issueText(i: z.core.$ZodIssue): string {
  switch (i.code) {
    case 'unrecognized_keys':
      return `unknown key ${i.keys.join(', ')}`;
    case 'invalid_type':
      return `expected ${i.expected}`;
    case 'invalid_value':
      return `expected ${i.values.map((v) => JSON.stringify(v)).join(' or ')}`;
    case 'too_small':
      return i.origin === 'array' ? `needs at least ${i.minimum} entries` : i.origin === 'string' ? 'must not be empty' : `must be ${i.inclusive ? '≥' : '>'} ${i.minimum}`;
    case 'too_big':
      return `must be ${i.inclusive ? '≤' : '<'} ${i.maximum}`;
    case 'invalid_union':
      return 'not one of the allowed values';
    default:
      return i.message;
  }
}

/** One clause per problem, `path: what is wrong`, at most `most` of them. */
export function zodIssues(error: z.core.$ZodError, most = Number.POSITIVE_INFINITY): string {
  return error.issues
    .slice(0, most)
    .map((i) => `${i.path.length ? i.path.map(String).join('.') : '(top)'}: ${issueText(i)}`)
    .join('; ');
}
