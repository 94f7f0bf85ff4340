export const PLUGIN_ROOT: string;
export function hookCommand(event: string, pluginRoot?: string): { command: string; args: string[] };
