// The plugin with another hooks.json: for comparing hook settings (the bench) and for tests that must
// see what an `async` hook records before Claude Code ends the session (in -p mode it cancels async
// hooks still running at the end). A directory of links to plugin/'s contents with its own hooks/;
// Node resolves the bundles' real paths, so they load exactly as from plugin/.
import { mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';

export const PLUGIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'plugin');

/**
 * Hooks that only record what happened: nothing waits on their answer. PostToolUse is not one: it
 * watches the spend after every tool call and its answer can stop the main loop (docs/spec.md,
 * "Threshold alerts and in-phase enforcement"), so it runs synchronously.
 */
export const RECORDERS = ['SubagentStop', 'Stop'];

/** The committed hooks.json with the recorders' `async` set as asked, every other hook as committed. */
export function hooksWithRecorders(asyncRecorders) {
  const config = JSON.parse(readFileSync(join(PLUGIN, 'hooks/hooks.json'), 'utf8'));
  for (const [event, entries] of Object.entries(config.hooks)) {
    if (!RECORDERS.includes(event)) continue;
    for (const entry of entries) {
      for (const hook of entry.hooks) {
        if (asyncRecorders) hook.async = true;
        else delete hook.async;
      }
    }
  }
  return config;
}

/** plugin/ itself when `config` is the committed hooks.json, else a variant under `scratch/plugin-<name>`. */
export function pluginWithHooks(config, scratch, name) {
  const committed = JSON.parse(readFileSync(join(PLUGIN, 'hooks/hooks.json'), 'utf8'));
  if (isDeepStrictEqual(config, committed)) return { dir: PLUGIN, committed: true };
  const dir = join(scratch, `plugin-${name}`);
  mkdirSync(join(dir, 'hooks'), { recursive: true });
  for (const entry of readdirSync(PLUGIN)) if (entry !== 'hooks') symlinkSync(join(PLUGIN, entry), join(dir, entry));
  writeFileSync(join(dir, 'hooks/hooks.json'), `${JSON.stringify(config, null, 2)}\n`);
  return { dir, committed: false };
}
