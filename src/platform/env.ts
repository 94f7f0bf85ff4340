/** Facts about the process the CLI or a hook runs in. */
import { userInfo } from 'node:os';

/** The Claude Code session this process runs inside (set in hook processes and the Bash tool). */
export function claudeSessionId(env: NodeJS.ProcessEnv = process.env): string | null {
  const id = env.CLAUDE_CODE_SESSION_ID?.trim();
  return id ? id : null;
}

/** Who did something, for the sprint's history: the Claude Code session, else the OS user. */
export function actorName(env: NodeJS.ProcessEnv = process.env): string {
  const session = claudeSessionId(env);
  if (session) return `session:${session}`;
  try {
    return `user:${userInfo().username}`;
  } catch {
    return 'user:unknown';
  }
}
