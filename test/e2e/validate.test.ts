/**
 * e2e 5: the real `claude plugin validate .` accepts the plugin (plugin/) and the repository as its
 * marketplace with no errors and no warnings.
 */
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
    // And it saw the hooks this plugin registers, in exec form.
    for (const hook of ['session-start', 'pre-tool-use', 'post-tool-use', 'subagent-stop', 'stop', 'session-end']) {
      expect(validation).toContain(`["--liftoff-only","\${CLAUDE_PLUGIN_ROOT}/dist/hooks/${hook}.cjs"]`);
    }
  });

  it('the repository validates as a one-plugin marketplace, cleanly', async () => {
    const r = await runClaudeRaw(['plugin', 'validate', '.'], { cwd: REPO, env: claudeEnv(tempHome(), 'http://127.0.0.1:9') });
    const out = r.stdout + r.stderr;
    expect(r.code, out).toBe(0);
    expect(out, out).not.toMatch(/⚠|✘|warning|error/i);
    expect(out.trim().split('\n').at(-1)).toBe('✔ Validation passed');
  });
});
