// How Claude Code starts one of the plugin's hooks: the command and arguments plugin/hooks/hooks.json
// gives it, with ${CLAUDE_PLUGIN_ROOT} filled in. The tests and the benchmarks start hooks through
// this, so they run what Claude Code runs, Node's flags included (--liftoff-only: see README,
// "Performance").
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PLUGIN_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', 'plugin');

/** The event's command from hooks.json: `node` becomes this Node, so a test runs the Node it runs on. */
export function hookCommand(event, pluginRoot = PLUGIN_ROOT) {
  const config = JSON.parse(readFileSync(join(pluginRoot, 'hooks/hooks.json'), 'utf8'));
  const hooks = (config.hooks[event] ?? []).flatMap((entry) => entry.hooks);
  if (hooks.length !== 1) throw new Error(`hooks.json: expected one ${event} hook, found ${hooks.length}`);
  const { command, args = [] } = hooks[0];
  return {
    command: command === 'node' ? process.execPath : command,
    args: args.map((a) => a.replaceAll('${CLAUDE_PLUGIN_ROOT}', pluginRoot)),
  };
}
