/** plugin/bin/sprint-budget: what Claude Code's Bash tool (and a person) runs. */
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PLUGIN, runProcess } from '../helpers/cli';

const BIN = join(PLUGIN, 'bin');

function version(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const r = runProcess(command, args, { cwd, env });
  return { code: r.code, out: r.stdout.trim(), err: r.stderr };
}

describe('bin/sprint-budget', () => {
  const expected = { code: 0, out: expect.stringMatching(/^\d+\.\d+\.\d+$/), err: '' };

  it('runs the CLI by its path, from PATH, from its own directory, and through a symlink (npm .bin)', () => {
    expect(version(join(BIN, 'sprint-budget'), ['--version'], tmpdir())).toEqual(expected);
    expect(version('sprint-budget', ['--version'], tmpdir(), { PATH: `${BIN}:${process.env.PATH}` })).toEqual(expected);
    expect(version('sh', ['sprint-budget', '--version'], BIN)).toEqual(expected);
    const link = join(mkdtempSync(join(tmpdir(), 'sb-link-')), 'sprint-budget');
    symlinkSync(join(BIN, 'sprint-budget'), link);
    expect(version(link, ['--version'], tmpdir())).toEqual(expected);
  });
});
