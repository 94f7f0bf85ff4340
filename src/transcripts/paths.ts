/**
 * Where Claude Code keeps transcripts: `<config dir>/projects/<encoded cwd>/<session>.jsonl`, and
 * subagents beside it in `<session>/subagents/agent-<id>.jsonl` with a `.meta.json` naming the type.
 * Older versions left other layouts behind, read as well (docs/spec.md, "Counting"): 2.0.x wrote
 * each subagent flat as `<encoded cwd>/agent-<id>.jsonl`, its lines naming the parent session; 1.0.x
 * kept subagent lines inside the main transcript (`isSidechain`). A `<session>/subagents/` directory
 * may outlive its `<session>.jsonl`.
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

/** What a subagent's .meta.json says of it: its type, and the description and tool use it was dispatched with. */
export interface SubagentMeta {
  agentType: string | null;
  description: string | null;
  toolUseId: string | null;
}

/** A subagent's .meta.json beside its transcript, or null when there is none (older versions wrote none). */
export function subagentMeta(transcriptPath: string): SubagentMeta | null {
  let meta: Record<string, unknown>;
  try {
    meta = JSON.parse(readRegularText(transcriptPath.replace(/\.jsonl$/, '.meta.json'))) as Record<string, unknown>;
  } catch {
    return null;
  }
  const text = (v: unknown) => (typeof v === 'string' && v ? v : null);
  return { agentType: text(meta.agentType), description: text(meta.description), toolUseId: text(meta.toolUseId) };
}

/** The agent type a subagent's .meta.json names, or null. */
export function subagentType(transcriptPath: string): string | null {
  return subagentMeta(transcriptPath)?.agentType ?? null;
}

/** The Agent tool use that started a subagent, as its .meta.json names it, or null. */
export function subagentToolUse(transcriptPath: string): string | null {
  return subagentMeta(transcriptPath)?.toolUseId ?? null;
}

const AGENT_PREFIX = 'agent-';
const JSONL = '.jsonl';

/** A subagent's transcript `agent-<id>.jsonl` in `dir`; its type is read from the .meta.json only once the file has new lines. */
function subagentRef(dir: string, fileName: string, sessionId: string | null): TranscriptRef {
  return { path: `${dir}/${fileName}`, sessionId, agentId: fileName.slice(AGENT_PREFIX.length, -JSONL.length), agentType: null };
}

function mainRef(path: string, sessionId: string): TranscriptRef {
  return { path, sessionId, agentId: null, agentType: 'main' };
}

const isAgentFile = (name: string) => name.startsWith(AGENT_PREFIX) && name.endsWith(JSONL);

/** The subagents of a session in `<projectDir>/<session>/subagents/`. */
function subagentRefs(projectDir: string, sessionId: string): TranscriptRef[] {
  const subDir = `${projectDir}/${sessionId}/subagents`;
  return list(subDir)
    .filter(isAgentFile)
    .sort()
    .map((f) => subagentRef(subDir, f, sessionId));
}

/** A session's main transcript and its subagents' transcripts (`projectDir`: the main transcript's directory). */
export function sessionTranscripts(sessionId: string, mainPath: string, projectDir = dirname(mainPath)): TranscriptRef[] {
  return [mainRef(mainPath, sessionId), ...subagentRefs(projectDir, sessionId)];
}

/**
 * What Claude Code kept of a session in a project's directory when its main transcript is gone:
 * its subagents' directory, if that outlived it.
 */
export function orphanSubagents(configDir: string, sessionId: string, projectDir: string): TranscriptRef[] {
  return subagentRefs(projectTranscriptDir(configDir, projectDir), sessionId);
}

/** Where Claude Code keeps the transcripts of sessions run in `projectDir`. */
export function projectTranscriptDir(configDir: string, projectDir: string): string {
  return join(configDir, 'projects', encodeProjectDir(projectDir));
}

/**
 * The flat 2.0.x subagent transcripts of a project's directory modified since `sinceMs`: those that
 * may hold lines of a session attached since then. Each is read as a whole: which session a line
 * belongs to, the line says.
 */
export function flatSubagents(projectTranscriptDir: string, sinceMs: number): TranscriptRef[] {
  return list(projectTranscriptDir)
    .filter(isAgentFile)
    .sort()
    .filter((f) => (statSync(`${projectTranscriptDir}/${f}`, { throwIfNoEntry: false })?.mtimeMs ?? -1) >= sinceMs)
    .map((f) => subagentRef(projectTranscriptDir, f, null));
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
      let refsOfSession: TranscriptRef[];
      if (isAgentFile(name)) refsOfSession = [subagentRef(dir, name, null)];
      else if (name.endsWith(JSONL)) {
        const sessionId = name.slice(0, -JSONL.length);
        const main = `${dir}/${name}`;
        refsOfSession = named.has(sessionId) ? sessionTranscripts(sessionId, main, dir) : [mainRef(main, sessionId)];
      } else if (!named.has(`${name}${JSONL}`)) {
        // A session's directory whose main transcript is gone: its subagents' spend is still there.
        refsOfSession = subagentRefs(dir, name);
      } else continue;
      for (const ref of refsOfSession) if (recent(ref.path)) refs.push(ref);
    }
  }
  return refs;
}
