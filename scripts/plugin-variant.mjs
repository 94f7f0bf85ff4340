// The plugin with another hooks.json: for comparing hook settings (the bench) and for tests that must
// see what an `async` hook records before Claude Code ends the session (in -p mode it cancels async
// hooks still running at the end). A directory of links to plugin/'s contents with its own hooks.json;
// Node resolves the bundles' real paths, so they load exactly as from plugin/.
import { mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';

export const PLUGIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'plugin');

/** The committed hooks.json, for changing a copy. */
export function committedHooks() {
  return JSON.parse(readFileSync(join(PLUGIN, 'hooks/hooks.json'), 'utf8'));
}

/** The committed hooks.json with every handler synchronous: Claude Code waits for each. */
export function hooksAllSynchronous() {
  const config = committedHooks();
  for (const entries of Object.values(config.hooks)) for (const entry of entries) for (const hook of entry.hooks) delete hook.async;
  return config;
}

/** plugin/ itself when `config` is the committed hooks.json, else a variant under `scratch/plugin-<name>`. */
export function pluginWithHooks(config, scratch, name) {
  if (isDeepStrictEqual(config, committedHooks())) return { dir: PLUGIN, committed: true };
  const dir = join(scratch, `plugin-${name}`);
  mkdirSync(join(dir, 'hooks'), { recursive: true });
  for (const entry of readdirSync(PLUGIN)) if (entry !== 'hooks') symlinkSync(join(PLUGIN, entry), join(dir, entry));
  for (const entry of readdirSync(join(PLUGIN, 'hooks'))) if (entry !== 'hooks.json') symlinkSync(join(PLUGIN, 'hooks', entry), join(dir, 'hooks', entry));
  writeFileSync(join(dir, 'hooks/hooks.json'), `${JSON.stringify(config, null, 2)}\n`);
  return { dir, committed: false };
}
