/** The same totals `sprint-budget ingest --json` prints. */
export type CorpusTotals = import('../src/app/ingest').IngestTotals;

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
export function rng(seed: number): () => number;
export type CorpusProfile = 'realistic' | 'dense' | 'many-files';
export const PROFILES: Record<CorpusProfile, unknown>;
export function generateCorpus(dir: string, opts?: { seed?: number; targetBytes?: number; projects?: number; profile?: CorpusProfile }): Corpus;
export function appendToolUse(transcript: string, toolUseId: string, name: string, input: unknown): void;
