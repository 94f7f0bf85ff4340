/**
 * Finding API responses in transcript bytes. Most bytes of a transcript are tool results,
 * attachments and request shapes that hold no usage, so no line is decoded: each line's keys are
 * walked in place by the WebAssembly walk (./walk.ts). A line that is not
 * a response is ruled out by its `type` or its `message.role`; in a response, `message.content`
 * (most of its bytes, none of its usage) is jumped over, and the few fields wanted are taken from
 * where they lie. Only a line whose layout is not the compact JSON expected is decoded whole, so
 * every figure is what JSON.parse would give.
 *
 * Transcript lines come in two shapes: older versions write one line per content block with a
 * placeholder output_tokens on all but the last line and name the request `requestId`; 2.1.332
 * names it `requestRef`. Either way one response is one key, and the largest usage seen wins.
 */

import {
  COUNT_CACHE_READ,
  COUNT_CACHE_WRITE,
  COUNT_CACHE_WRITE_1H,
  COUNT_CACHE_WRITE_5M,
  COUNT_INPUT,
  COUNT_OUTPUT,
  SLOT_AGENT_ID,
  SLOT_AGENT_TYPE,
  SLOT_ID,
  SLOT_MODEL,
  SLOT_REQUEST_ID,
  SLOT_REQUEST_REF,
  SLOT_SESSION_ID,
  SLOT_TIMESTAMP,
} from '../../wasm/layout';
import type { PriceSplit } from '../domain/pricing';
import { MAX_COUNT, type TokenCounts, isCount, raiseTokens } from '../domain/tokens';
import { Walk } from './walk';

export interface TranscriptResponse extends PriceSplit {
  /** `msg:<message id>[:<request id>]` — the same response in any file has the same key. */
  key: string;
  model: string | null;
  ts: number;
  sessionId: string | null;
  /** Set on subagent lines (`agentId`), null in a main transcript. */
  agentId: string | null;
  /** The agent type a 2.1.332 line names (`attributionAgent`), if any. */
  agentType: string | null;
  sidechain: boolean;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  /** 1-based line number in its file. */
  line: number;
}

/** A line passed over: where, and why (its response, if it holds one, is not counted). */
export interface SkippedLine {
  /** 1-based line number in its file. */
  line: number;
  reason: string;
}

/** A line in another layout than the walk reads is decoded whole only up to this size: past it, a decode can cost seconds. */
export const MAX_DECODE_BYTES = 1024 * 1024;

const USAGE_KEY = Buffer.from('"usage"');

export function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** The usage counts, by their names in a transcript, in the order of Counts below. */
const COUNT_NAMES = [
  'input_tokens',
  'output_tokens',
  'cache_read_input_tokens',
  'cache_creation_input_tokens',
  'cache_creation.ephemeral_5m_input_tokens',
  'cache_creation.ephemeral_1h_input_tokens',
] as const;

/** Why a line's counts are not taken: each one out of range, by name. */
function outOfRange(bad: [string, unknown][]): string {
  const what = bad.map(([name, v]) => `${name} ${typeof v === 'number' ? String(v) : JSON.stringify(v).slice(0, 40)}`).join(', ');
  return `usage counts out of range (${what}; at most ${MAX_COUNT} each): not counted`;
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 ? v : null;
}

/** Text that is not JSON: undefined. */
function decode(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A decoded line: its response, none (null), or why its response is not counted. */
export type Decoded = TranscriptResponse | { skip: string } | null;

/**
 * A decoded line → its response, or null when it is not a token-bearing response (another line
 * type, a `<synthetic>` message, no usage). A count that is absent or null is 0; any other value
 * that is not a count (docs/spec.md, "Counting") makes the line skipped. A hand-written check
 * rather than a schema: it runs once per response on the hot path.
 */
function responseOf(value: unknown, line: number): Decoded {
  const obj = value as Record<string, unknown> | null;
  if (obj === null || typeof obj !== 'object' || obj.type !== 'assistant') return null;
  const message = obj.message as Record<string, unknown> | undefined;
  if (!message || typeof message !== 'object' || message.role !== 'assistant') return null;
  const id = str(message.id);
  const usage = message.usage as Record<string, unknown> | undefined;
  if (!id || !usage || typeof usage !== 'object') return null;
  const model = str(message.model);
  if (model === '<synthetic>') return null;
  const split = usage.cache_creation as Record<string, unknown> | null | undefined;
  const splitCount = (name: string) => (split && typeof split === 'object' ? split[name] : undefined);
  const read = [
    usage.input_tokens,
    usage.output_tokens,
    usage.cache_read_input_tokens,
    usage.cache_creation_input_tokens,
    splitCount('ephemeral_5m_input_tokens'),
    splitCount('ephemeral_1h_input_tokens'),
  ].map((v) => v ?? 0);
  const bad = read.flatMap((v, i) => (isCount(v) ? [] : [[COUNT_NAMES[i] as string, v] as [string, unknown]]));
  if (bad.length > 0) return { skip: outOfRange(bad) };
  const [input, output, cacheRead, cacheWrite, cacheWrite5m, cacheWrite1h] = read as number[] as [number, number, number, number, number, number];
  const request = str(obj.requestId) ?? str(obj.requestRef);
  const ts = typeof obj.timestamp === 'string' ? Date.parse(obj.timestamp) : Number.NaN;
  return {
    key: request ? `msg:${id}:${request}` : `msg:${id}`,
    model,
    ts,
    sessionId: str(obj.sessionId),
    agentId: str(obj.agentId),
    agentType: str(obj.attributionAgent),
    sidechain: obj.isSidechain === true,
    input,
    output,
    cacheRead,
    cacheWrite,
    cacheWrite5m,
    cacheWrite1h,
    fast: usage.speed === 'fast',
    line,
  };
}

/** A string of the walked line (null: absent, or not a string). */
function textAt(walk: Walk, buf: Buffer, e: number, slot: number): string | null {
  const s = walk.valueStart(e, slot);
  if (s < 0) return null;
  const end = walk.valueEnd(e, slot);
  const text = buf.toString('utf8', s + 1, end - 1);
  return text.includes('\\') ? (JSON.parse(buf.toString('utf8', s, end)) as string) : text;
}

/** As `str` gives it: a non-empty string, else null. */
function stringAt(walk: Walk, buf: Buffer, e: number, slot: number): string | null {
  const s = walk.valueStart(e, slot);
  return s < 0 || walk.valueEnd(e, slot) - s <= 2 ? null : textAt(walk, buf, e, slot);
}

/**
 * The walked line's response, its key and model known: all responseOf gives for it (its
 * reference); without `detail`, its key, model and counts only (time, session and agent are left
 * out, as for a response that will not be stored), unless it is a sidechain line (which is).
 */
function walkedResponse(walk: Walk, buf: Buffer, e: number, key: string, model: string | null, counts: Counts, line: number, detail: boolean): TranscriptResponse {
  const sidechain = walk.sidechain(e);
  const full = detail || sidechain;
  const timestamp = full ? textAt(walk, buf, e, SLOT_TIMESTAMP) : null;
  return {
    key,
    model,
    ts: timestamp === null ? Number.NaN : Date.parse(timestamp),
    sessionId: full ? stringAt(walk, buf, e, SLOT_SESSION_ID) : null,
    agentId: full ? stringAt(walk, buf, e, SLOT_AGENT_ID) : null,
    agentType: full ? stringAt(walk, buf, e, SLOT_AGENT_TYPE) : null,
    sidechain,
    ...counts,
    line,
  };
}

type Counts = TokenCounts & PriceSplit;

/** Raises a kept response's counts to a later reading's; `line` follows the largest output. */
function raise(had: TranscriptResponse, read: Counts, line: number): void {
  const outputGrew = read.output > had.output;
  had.cacheWrite5m = Math.max(had.cacheWrite5m, read.cacheWrite5m);
  had.cacheWrite1h = Math.max(had.cacheWrite1h, read.cacheWrite1h);
  had.fast ||= read.fast;
  if (raiseTokens(had, read) && outputGrew) had.line = line;
}

function keep(into: Responses, r: TranscriptResponse): void {
  const had = into.get(r.key);
  if (had) raise(had, r, r.line);
  else into.set(r.key, r);
}

/**
 * A line the walk leaves to a full decode (not the compact layout expected, or a cut inside
 * content), decoded unless it is too large to decode in bounded time; then it is skipped, with a
 * note when it may hold a response.
 */
function decodeEntry(walk: Walk, buf: Buffer, e: number, line: number, into: Responses, skipped: SkippedLine[]): void {
  const start = walk.lineStart(e);
  const stop = walk.lineStop(e);
  if (stop - start > MAX_DECODE_BYTES) {
    const found = buf.indexOf(USAGE_KEY, start);
    if (found >= 0 && found < stop) {
      skipped.push({ line, reason: `not compact JSON and ${mib(stop - start)} long (more than ${MAX_DECODE_BYTES / (1024 * 1024)} MiB): not decoded; any response on it is not counted` });
    }
    return;
  }
  const r = decodeResponse(buf.toString('utf8', start, stop), line);
  if (r === null) return;
  if ('skip' in r) skipped.push({ line, reason: r.skip });
  else keep(into, r);
}

/** The entry's counts, or null (with a note in `skipped`) when one is out of range. */
function walkedCounts(walk: Walk, e: number, line: number, skipped: SkippedLine[]): Counts | null {
  // Read one by one, no array per line: this runs for every response line of a history.
  const input = walk.count(e, COUNT_INPUT);
  const output = walk.count(e, COUNT_OUTPUT);
  const cacheRead = walk.count(e, COUNT_CACHE_READ);
  const cacheWrite = walk.count(e, COUNT_CACHE_WRITE);
  const cacheWrite5m = walk.count(e, COUNT_CACHE_WRITE_5M);
  const cacheWrite1h = walk.count(e, COUNT_CACHE_WRITE_1H);
  // The walk reads plain digits only: a count is a non-negative integer, perhaps too large.
  if (input > MAX_COUNT || output > MAX_COUNT || cacheRead > MAX_COUNT || cacheWrite > MAX_COUNT || cacheWrite5m > MAX_COUNT || cacheWrite1h > MAX_COUNT) {
    const values = [input, output, cacheRead, cacheWrite, cacheWrite5m, cacheWrite1h];
    skipped.push({ line, reason: outOfRange(values.flatMap((v, i) => (v > MAX_COUNT ? [[COUNT_NAMES[i] as string, v] as [string, unknown]] : []))) });
    return null;
  }
  return { input, output, cacheRead, cacheWrite, cacheWrite5m, cacheWrite1h, fast: walk.fast(e) };
}

/**
 * Takes the response of the entry `e` of a scan into `into`. A line that repeats a response already
 * kept (one response is often written over several lines) costs its key and counts only; the rest
 * of a response is read from its first line.
 */
function takeEntry(walk: Walk, buf: Buffer, e: number, linesBefore: number, into: Responses, skipped: SkippedLine[], detail: boolean): void {
  const line = linesBefore + walk.line(e);
  if (walk.toDecode(e)) {
    decodeEntry(walk, buf, e, line, into, skipped);
    return;
  }
  const id = stringAt(walk, buf, e, SLOT_ID);
  if (!id) return;
  const model = stringAt(walk, buf, e, SLOT_MODEL);
  // Claude Code's own messages: no API call.
  if (model === '<synthetic>') return;
  const counts = walkedCounts(walk, e, line, skipped);
  if (!counts) return;
  const request = stringAt(walk, buf, e, SLOT_REQUEST_ID) ?? stringAt(walk, buf, e, SLOT_REQUEST_REF);
  const key = request ? `msg:${id}:${request}` : `msg:${id}`;
  const had = into.get(key);
  if (had) raise(had, counts, line);
  else into.set(key, walkedResponse(walk, buf, e, key, model, counts, line, detail));
}

/** A line's response by a full decode: the reference every walk must agree with. */
export function decodeResponse(text: string, line: number): Decoded {
  const whole = decode(text);
  return whole === undefined ? null : responseOf(whole, line);
}

export interface ScanResult {
  /** Bytes of complete lines consumed (up to and including the last newline in range). */
  consumed: number;
  /** Lines consumed. */
  lines: number;
}

/**
 * The responses read from a file, once per key: the first line of a response gives its model,
 * time and agent; its counts are the largest seen on any of its lines, and `line` is where the
 * largest output was read.
 */
export type Responses = Map<string, TranscriptResponse>;

/**
 * Scans the complete lines of bytes[0, end) into `into` (with no copy when `bytes` is the
 * walk's buffer), and the lines passed over into `skipped`. Lines are numbered from
 * `linesBefore + 1`. A partial last line (no newline yet) is not consumed: it is left for the next
 * read. Without `detail`, responses carry what walkedResponse keeps of one that will not be stored.
 */
export function scanLines(walk: Walk, bytes: Buffer, end: number, linesBefore: number, into: Responses, skipped: SkippedLine[], detail = true): ScanResult {
  const buf = walk.take(bytes, end);
  let pos = 0;
  let lines = 0;
  for (;;) {
    // The walk passes over every line that is not a response; a scan stops early when its table is full.
    const n = walk.scan(pos, end);
    for (let e = 0; e < n; e++) takeEntry(walk, buf, e, linesBefore + lines, into, skipped, detail);
    lines += walk.lines();
    pos = walk.next();
    if (n < Walk.ENTRIES) return { consumed: pos, lines };
  }
}
