export const PLUGIN: string;
export type HooksConfig = { hooks: Record<string, { matcher?: string; hooks: Record<string, unknown>[] }[]> } & Record<string, unknown>;
export function committedHooks(): HooksConfig;
export function hooksAllSynchronous(): HooksConfig;
export function pluginWithHooks(config: HooksConfig, scratch: string, name: string): { dir: string; committed: boolean };
