// Running the real `claude` binary (the pinned dev dependency) offline against the scripted Messages
// API (fake-api.mjs), as the end-to-end tests and the bench do: the environment it gets.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLAUDE = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules/.bin/claude');

/** This process's environment without an inherited Claude Code session, ledger, policy or budget hand-off; then `extra`. */
export function cleanEnv(extra = {}) {
  const env = { ...process.env };
  for (const k of Object.keys(env)) {
    if (k.startsWith('CLAUDE') || k.startsWith('SPRINT_BUDGET') || k === 'FLUX_BUDGET_REMAINING') delete env[k];
  }
  return { ...env, ...extra };
}

/** What every offline run gets: the fake API, a test key, a private HOME, no telemetry or updates. */
export function offlineClaudeEnv(home, apiUrl, extra = {}) {
  return cleanEnv({
    HOME: home,
    ANTHROPIC_BASE_URL: apiUrl,
    ANTHROPIC_API_KEY: 'sk-test',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_TELEMETRY: '1',
    ...extra,
  });
}
