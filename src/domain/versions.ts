/** Versions of what sprint-budget runs on and beside: the Node versions it supports, Claude Code's. Pure. */

/** The Claude Code version whose hook payloads and transcripts sprint-budget was verified against. */
export const VERIFIED_CLAUDE_CODE = '2.1.332';

/** From this version on, Claude Code puts a plugin's bin/ on the Bash tool's PATH (`sprint-budget` is found there). */
export const PLUGIN_BIN_SINCE = '2.1.91';

export type Version = readonly [number, number, number];

/** The first `x.y.z` in a text (`v22.3.0`, `2.1.332 (Claude Code)`), or null. */
export function parseVersion(text: string): Version | null {
  const m = /(\d+)\.(\d+)\.(\d+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
}

export function compareVersions(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/**
 * Whether sprint-budget runs on this Node: it needs process.getBuiltinModule, which came in 20.16 on
 * the 20 line and 22.3 on the 22 line (21 never had it), and is in every later major.
 */
export function nodeSupported(version: string): boolean {
  const v = parseVersion(version);
  if (!v) return false;
  const [major, minor] = v;
  if (major === 20) return minor >= 16;
  if (major === 22) return minor >= 3;
  return major >= 23;
}
