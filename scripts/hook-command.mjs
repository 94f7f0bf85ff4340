// How Claude Code starts the plugin's hooks: the handlers plugin/hooks/hooks.json registers for an
// event, with ${CLAUDE_PLUGIN_ROOT} filled in, and which of them a payload selects (the matcher
// against the tool's name, an `if` rule such as Bash(*sprint-budget*) against its command or
// Write(//**/.sprint-budget/**) against its file). The tests and the benchmarks start hooks through
// this, so they run what Claude Code runs, Node's flags included (docs/performance.md).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PLUGIN_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', 'plugin');

/** `node` becomes this Node, so a test runs the Node it runs on. */
function started({ command, args = [] }, pluginRoot) {
  return {
    command: command === 'node' ? process.execPath : command,
    args: args.map((a) => a.replaceAll('${CLAUDE_PLUGIN_ROOT}', pluginRoot)),
  };
}

/** Every handler of the event, in hooks.json's order, with what selects it and whether Claude Code waits for it. */
export function hookHandlers(event, pluginRoot = PLUGIN_ROOT) {
  const config = JSON.parse(readFileSync(join(pluginRoot, 'hooks/hooks.json'), 'utf8'));
  return (config.hooks[event] ?? []).flatMap((entry) =>
    entry.hooks.map((h) => ({ ...started(h, pluginRoot), matcher: entry.matcher ?? null, if: h.if ?? null, async: h.async === true })),
  );
}

/** A permission rule's pattern (`*` any run of characters) as a whole-string test. */
function ruleMatches(pattern, text) {
  const re = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
  return re.test(text);
}

/** A file rule's absolute pattern (`//` the root, `**` any path, `*` any name) as a whole-path test. */
function pathMatches(pattern, path) {
  if (!pattern.startsWith('//')) throw new Error(`hooks.json: only absolute file rules (//...) are emulated, not ${pattern}`);
  const glob = pattern.slice(1).split(/(\*\*|\*)/).map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${glob.join('')}$`, 's').test(path);
}

/** The handlers Claude Code starts for this payload. */
export function handlersFor(payload, pluginRoot = PLUGIN_ROOT) {
  const tool = typeof payload.tool_name === 'string' ? payload.tool_name : null;
  return hookHandlers(payload.hook_event_name, pluginRoot).filter((h) => {
    if (h.matcher !== null && tool !== null && !new RegExp(`^(?:${h.matcher})$`).test(tool)) return false;
    if (h.if === null) return true;
    const rule = /^(\w+)\((.*)\)$/.exec(h.if);
    if (rule === null || rule[1] !== tool) return false;
    const { command, file_path: file } = payload.tool_input ?? {};
    if (tool === 'Bash') return typeof command === 'string' && ruleMatches(rule[2], command);
    return typeof file === 'string' && pathMatches(rule[2], file);
  });
}

/** The one handler of an event that has one (SessionStart, Stop, SessionEnd, ...). */
export function hookCommand(event, pluginRoot = PLUGIN_ROOT) {
  const handlers = hookHandlers(event, pluginRoot);
  if (handlers.length !== 1) throw new Error(`hooks.json: expected one ${event} handler, found ${handlers.length}`);
  const [{ command, args }] = handlers;
  return { command, args };
}
