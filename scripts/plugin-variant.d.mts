export const PLUGIN: string;
export const RECORDERS: readonly string[];
export type HooksConfig = { hooks: Record<string, { matcher?: string; hooks: Record<string, unknown>[] }[]> } & Record<string, unknown>;
export function hooksWithRecorders(asyncRecorders: boolean): HooksConfig;
export function pluginWithHooks(config: HooksConfig, scratch: string, name: string): { dir: string; committed: boolean };
