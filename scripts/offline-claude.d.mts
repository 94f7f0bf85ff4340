export const CLAUDE: string;
export function cleanEnv(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
export function offlineClaudeEnv(home: string, apiUrl: string, extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
