export function entryPoints(): Record<string, string>;
export function build(opts: { write: boolean }): Promise<{ path: string; text: string }[]>;
export function staleBundles(): Promise<string[]>;
