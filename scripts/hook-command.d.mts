export const PLUGIN_ROOT: string;
export interface HookHandler {
  command: string;
  args: string[];
  matcher: string | null;
  if: string | null;
  /** Claude Code does not wait for it. */
  async: boolean;
}
export function hookHandlers(event: string, pluginRoot?: string): HookHandler[];
export function handlersFor(payload: Record<string, unknown>, pluginRoot?: string): HookHandler[];
export function hookCommand(event: string, pluginRoot?: string): { command: string; args: string[] };
