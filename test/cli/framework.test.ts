/**
 * Command options are typed from their declaration: `npm test` type-checks this file, and each
 * `@ts-expect-error` below fails the check if what it marks ever compiles.
 */
import { describe, expect, it } from 'vitest';
import { type CommandContext, command, parseCommandArgs } from '../../src/cli/framework';
import { UsageError } from '../../src/platform/errors';

const example = command({
  name: 'example',
  summary: 'an example',
  usage: '',
  options: {
    since: { type: 'string', value: 'DATE', description: 'a string option' },
    gate: { type: 'string', multiple: true, description: 'a repeatable option' },
    manual: { type: 'boolean', description: 'a flag' },
  },
  run(ctx) {
    const since: string | undefined = ctx.values.since;
    const gates: string[] | undefined = ctx.values.gate;
    const manual: boolean | undefined = ctx.values.manual;
    const json: boolean | undefined = ctx.values.json;
    // @ts-expect-error a misspelt option name does not compile
    void ctx.values.sinc;
    // @ts-expect-error nor does a string option read as a flag
    const wrong: boolean | undefined = ctx.values.since;
    void [since, gates, manual, json, wrong];
    return 0;
  },
});

describe('parsing a command line', () => {
  const parse = (argv: string[]) => parseCommandArgs(example, argv, {}, '/tmp').ctx as CommandContext<NonNullable<typeof example.options>>;

  it('gives each declared option its value, and the common ones', () => {
    const ctx = parse(['--since', '2026-11-01', '--gate', 'a=b', '--gate', 'c=d', '--manual', '--json', '--db', 'x.db']);
    expect(ctx.values).toMatchObject({ since: '2026-11-01', gate: ['a=b', 'c=d'], manual: true, json: true, db: 'x.db' });
    expect(ctx.json).toBe(true);
    expect(ctx.caller).toEqual({ cwd: '/tmp', db: 'x.db', env: {} });
  });

  it('refuses an undeclared option with exit 2 and the command named', () => {
    expect(() => parse(['--sinc', 'x'])).toThrow(UsageError);
    expect(() => parse(['--sinc', 'x'])).toThrow(/^example: .*sinc/);
  });
});
