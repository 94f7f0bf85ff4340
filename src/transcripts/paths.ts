/**
 * Where Claude Code keeps transcripts: `<config dir>/projects/<encoded cwd>/<session>.jsonl`, and
 * subagents beside it in `<session>/subagents/agent-<id>.jsonl` with a `.meta.json` naming the type.
 */
import { readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { readRegularText } from '../platform/files';

/** One transcript file and whose responses it holds. */
export interface TranscriptRef {
  path: string;
  /** The Claude Code session (for subagents: the parent session). Null: taken from the lines. */
  sessionId: string | null;
  /** Null for a main transcript. */
  agentId: string | null;
  /** `main`, the subagent's type, or null: read from the subagent's .meta.json once it has new lines. */
  agentType: string | null;
}

export function claudeConfigDir(env: NodeJS.ProcessEnv): string {
  return env.CLAUDE_CONFIG_DIR?.trim() || join(env.HOME || homedir(), '.claude');
}

/** Claude Code's project directory name: every non-alphanumeric character of the cwd becomes `-`. */
export function encodeProjectDir(cwd: string): string {
  return cwd.replace(/[^a-zA-Z0-9]/g, '-');
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function isFile(p: string): boolean {
  return statSync(p, { throwIfNoEntry: false })?.isFile() === true;
}

/** A string field of a subagent's .meta.json, or null. */
function subagentMeta(transcriptPath: string, field: 'agentType' | 'toolUseId'): string | null {
  try {
    const meta = JSON.parse(readRegularText(transcriptPath.replace(/\.jsonl$/, '.meta.json'))) as Record<string, unknown>;
    const v = meta[field];
    return typeof v === 'string' && v ? v : null;
  } catch {
    return null;
  }
}

/** The agent type a subagent's .meta.json names, or null. */
export function subagentType(transcriptPath: string): string | null {
  return subagentMeta(transcriptPath, 'agentType');
}

/** The Agent tool use that started a subagent, as its .meta.json names it, or null. */
export function subagentToolUse(transcriptPath: string): string | null {
  return subagentMeta(transcriptPath, 'toolUseId');
}

const AGENT_PREFIX = 'agent-';
const JSONL = '.jsonl';

/** A subagent's transcript `agent-<id>.jsonl` in `dir`; its type is read from the .meta.json only once the file has new lines. */
function subagentRef(dir: string, fileName: string, sessionId: string): TranscriptRef {
  return { path: `${dir}/${fileName}`, sessionId, agentId: fileName.slice(AGENT_PREFIX.length, -JSONL.length), agentType: null };
}

function mainRef(path: string, sessionId: string): TranscriptRef {
  return { path, sessionId, agentId: null, agentType: 'main' };
}

/** A session's main transcript and its subagents' transcripts (`projectDir`: the main transcript's directory). */
export function sessionTranscripts(sessionId: string, mainPath: string, projectDir = dirname(mainPath)): TranscriptRef[] {
  const refs = [mainRef(mainPath, sessionId)];
  const subDir = `${projectDir}/${sessionId}/subagents`;
  for (const f of list(subDir).sort()) {
    if (f.startsWith(AGENT_PREFIX) && f.endsWith(JSONL)) refs.push(subagentRef(subDir, f, sessionId));
  }
  return refs;
}

/** The main transcript of a session: in the project's directory when known, else searched for. */
export function findSessionTranscript(configDir: string, sessionId: string, projectDir?: string | null): string | null {
  const projects = join(configDir, 'projects');
  if (projectDir) {
    const p = join(projects, encodeProjectDir(projectDir), `${sessionId}.jsonl`);
    if (isFile(p)) return p;
  }
  for (const d of list(projects)) {
    const p = join(projects, d, `${sessionId}.jsonl`);
    if (isFile(p)) return p;
  }
  return null;
}

/** Every transcript under the config dir; with `sinceMs`, only files modified since then. */
export function allTranscripts(configDir: string, sinceMs?: number): TranscriptRef[] {
  const refs: TranscriptRef[] = [];
  const projects = join(configDir, 'projects');
  const recent = (p: string) => {
    if (sinceMs === undefined) return true;
    return (statSync(p, { throwIfNoEntry: false })?.mtimeMs ?? -1) >= sinceMs;
  };
  // Plain concatenation: path.join's normalising is a measurable share of listing thousands of files.
  // Names only, no file types: a session with subagents has a directory named as the session.
  for (const d of list(projects).sort()) {
    const dir = `${projects}/${d}`;
    const names = list(dir).sort();
    const named = new Set(names);
    for (const name of names) {
      if (!name.endsWith(JSONL)) continue;
      const sessionId = name.slice(0, -JSONL.length);
      const main = `${dir}/${name}`;
      const refsOfSession = named.has(sessionId) ? sessionTranscripts(sessionId, main, dir) : [mainRef(main, sessionId)];
      for (const ref of refsOfSession) if (recent(ref.path)) refs.push(ref);
    }
  }
  return refs;
}
