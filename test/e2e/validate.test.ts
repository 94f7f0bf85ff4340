/**
 * e2e 5: the real `claude plugin validate .` accepts the plugin (plugin/) and the repository as its
 * marketplace with no errors and no warnings.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PLUGIN, REPO } from '../helpers/cli';
import { claudeEnv, runClaudeRaw, tempHome } from '../helpers/claude';

describe('claude plugin validate .', () => {
  it('passes with no errors and no warnings', async () => {
    const r = await runClaudeRaw(['plugin', 'validate', '.'], { cwd: PLUGIN, env: claudeEnv(tempHome(), 'http://127.0.0.1:9') });
    const out = r.stdout + r.stderr;
    // The optional plugin-directory submission checks (README, icon, ...) are a separate profile
    // (`--profile directory`) that "do not change the result"; the validation proper is the rest.
    const validation = out.split(/^Plugin directory checks/m)[0] as string;
    expect(r.code, out).toBe(0);
    expect(validation, out).not.toMatch(/⚠|✘|warning|error/i);
    expect(out.trim().split('\n').at(-1)).toBe('✔ Validation passed');
    // And it saw every handler hooks.json registers, in exec form, and nothing else.
    const config = JSON.parse(readFileSync(join(PLUGIN, 'hooks/hooks.json'), 'utf8')) as {
      hooks: Record<string, { matcher?: string; hooks: { command: string; args: string[] }[] }[]>;
    };
    const expected = Object.entries(config.hooks).flatMap(([event, entries]) =>
      entries.flatMap((e) => e.hooks.map((h) => `hooks: ${event} ${e.matcher ? `${e.matcher} ` : ''}command ${h.command} ${JSON.stringify(h.args)}`)),
    );
    const listed = validation.split('\n').filter((line) => line.includes('hooks: ')).map((line) => line.slice(line.indexOf('hooks: ')));
    expect(listed).toEqual(expected);
  });

  it('the repository validates as a one-plugin marketplace, cleanly', async () => {
    const r = await runClaudeRaw(['plugin', 'validate', '.'], { cwd: REPO, env: claudeEnv(tempHome(), 'http://127.0.0.1:9') });
    const out = r.stdout + r.stderr;
    expect(r.code, out).toBe(0);
    expect(out, out).not.toMatch(/⚠|✘|warning|error/i);
    expect(out.trim().split('\n').at(-1)).toBe('✔ Validation passed');
  });
});
