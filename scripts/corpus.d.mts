export interface CorpusTotals {
  files: number;
  bytes: number;
  responses: number;
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

export interface AgentTypeTotals {
  responses: number;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

export interface Corpus {
  totals: CorpusTotals;
  byAgentType: Record<string, AgentTypeTotals>;
  bySession: Record<string, { input: number; output: number }>;
  files: string[];
}

export function emptyTotals(): CorpusTotals;
export function generateCorpus(dir: string, opts?: { seed?: number; targetBytes?: number; projects?: number }): Corpus;
