/**
 * Finding API responses in transcript bytes. Most bytes of a transcript are tool results,
 * attachments and request shapes that hold no usage, so no line is decoded: each line's keys are
 * walked in place by a WebAssembly walk (wasm/walk.ts), which runs at full speed from a process's
 * first line, where JavaScript would still be interpreted (a hook's whole life). A line that is not
 * a response is ruled out by its `type` or its `message.role`; in a response, `message.content`
 * (most of its bytes, none of its usage) is jumped over, and the few fields wanted are taken from
 * where they lie. Only a line whose layout is not the compact JSON expected is decoded whole, so
 * every figure is what JSON.parse would give.
 *
 * Transcript lines come in two shapes: older versions write one line per content block with a
 * placeholder output_tokens on all but the last line and name the request `requestId`; 2.1.332
 * names it `requestRef`. Either way one response is one key, and the largest usage seen wins.
 */

import { type TokenCounts, raiseTokens } from '../domain/tokens';
import { WALK_WASM } from './walk-wasm';

export interface TranscriptResponse {
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

/**
 * Buffer's own utf8Slice: what toString('utf8', start, end) calls after checking its encoding
 * argument, which costs more than the slice for the short strings taken here.
 */
const utf8Slice = (Buffer.prototype as unknown as { utf8Slice(start: number, end: number): string }).utf8Slice;

function utf8(buf: Buffer, start: number, end: number): string {
  return utf8Slice.call(buf, start, end);
}

function count(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0;
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

/**
 * A decoded line → its response, or null when it is not a token-bearing response (another line
 * type, a `<synthetic>` message, no usage). A hand-written check rather than a schema: it runs
 * once per response on the hot path.
 */
function responseOf(value: unknown, line: number): TranscriptResponse | null {
  const obj = value as Record<string, unknown> | null;
  if (obj === null || typeof obj !== 'object' || obj.type !== 'assistant') return null;
  const message = obj.message as Record<string, unknown> | undefined;
  if (!message || typeof message !== 'object' || message.role !== 'assistant') return null;
  const id = str(message.id);
  const usage = message.usage as Record<string, unknown> | undefined;
  if (!id || !usage || typeof usage !== 'object') return null;
  const model = str(message.model);
  if (model === '<synthetic>') return null;
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
    input: count(usage.input_tokens),
    output: count(usage.output_tokens),
    cacheRead: count(usage.cache_read_input_tokens),
    cacheWrite: count(usage.cache_creation_input_tokens),
    line,
  };
}

/** The string values a response is read from, by slot (as wasm/walk.ts numbers them). */
const ID = 0;
const MODEL = 1;
const REQUEST_ID = 2;
const REQUEST_REF = 3;
const TIMESTAMP = 4;
const SESSION_ID = 5;
const AGENT_ID = 6;
const AGENT_TYPE = 7;

/** The walk's flag for a sidechain line. */
const IS_SIDECHAIN = 8;

/**
 * An entry of the walk's table (wasm/walk.ts), in 32-bit words: a line to look at. Its kind, the
 * line's bounds and number, the walk's flags, each slot's string bounds, then four f64 counts.
 */
const ENTRY_WORDS = 30;
const KIND = 0;
const START = 1;
const STOP = 2;
const LINE = 3;
const FLAGS = 4;
const STARTS = 6;
const ENDS = 14;
const COUNTS = 22;
/** Kind: a line in another layout than the walk reads, to decode whole. */
const KIND_DECODE = 1;
/** How many entries one scan writes at most. */
const ENTRIES = 512;

/** The part of the WebAssembly API used here (Node's type declarations leave it out). */
const wasm = (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => object; Instance: new (module: object) => { exports: unknown } } }).WebAssembly;

interface WalkExports {
  memory: { buffer: ArrayBuffer };
  reserve(bytes: number): number;
  scan(start: number, end: number, room: number): number;
  next(): number;
  lines(): number;
  table(): number;
}

let walker: WalkExports | undefined;
/** Views of the walk's memory, made again whenever it grows (growing detaches the old ones). */
let bytes: Buffer = Buffer.alloc(0);
let words = new Int32Array(0);
let counts = new Float64Array(0);
/** The entry being read: its first word in `words`. */
let entry = 0;

function walkExports(): WalkExports {
  walker ??= new wasm.Instance(new wasm.Module(Buffer.from(WALK_WASM, 'base64'))).exports as WalkExports;
  return walker;
}

/**
 * The buffer the walk reads, at least `size` bytes: transcript bytes are read straight into it.
 * Growing it keeps what it holds.
 */
export function walkBuffer(size: number): Buffer {
  const w = walkExports();
  if (bytes.length < size || bytes.buffer !== w.memory.buffer) {
    const base = w.reserve(size);
    const memory = w.memory.buffer;
    bytes = Buffer.from(memory, base, size);
    words = new Int32Array(memory, w.table(), ENTRIES * ENTRY_WORDS);
    counts = new Float64Array(memory, w.table(), (ENTRIES * ENTRY_WORDS) / 2);
  }
  return bytes;
}

/** The walk's offsets are into the walk buffer: other bytes are copied there first. */
function inWalkBuffer(buf: Buffer, end: number): Buffer {
  if (buf.buffer === bytes.buffer && buf.byteOffset === bytes.byteOffset && bytes.buffer === walker?.memory.buffer) return buf;
  const into = walkBuffer(end);
  into.set(buf.subarray(0, end));
  return into;
}

/** The current entry's counts. */
function countAt(which: number): number {
  return counts[(entry + COUNTS) / 2 + which] as number;
}

/** The string the walk kept in `slot` (null: absent, or not a string). */
function textAt(buf: Buffer, slot: number): string | null {
  const s = words[entry + STARTS + slot] as number;
  if (s < 0) return null;
  const e = words[entry + ENDS + slot] as number;
  const text = utf8(buf, s + 1, e - 1);
  return text.includes('\\') ? (JSON.parse(utf8(buf, s, e)) as string) : text;
}

/** As `str` gives it: a non-empty string, else null. */
function stringAt(buf: Buffer, slot: number): string | null {
  const s = words[entry + STARTS + slot] as number;
  return s < 0 || (words[entry + ENDS + slot] as number) - s <= 2 ? null : textAt(buf, slot);
}

/**
 * The walked line's response, its key and model known: all responseOf gives for it (its
 * reference); without `detail`, its key, model and counts only (time, session and agent are left
 * out, as for a response that will not be stored), unless it is a sidechain line (which is).
 */
function walkedResponse(buf: Buffer, key: string, model: string | null, line: number, detail: boolean): TranscriptResponse {
  const sidechain = ((words[entry + FLAGS] as number) & IS_SIDECHAIN) !== 0;
  const full = detail || sidechain;
  const timestamp = full ? textAt(buf, TIMESTAMP) : null;
  return {
    key,
    model,
    ts: timestamp === null ? Number.NaN : Date.parse(timestamp),
    sessionId: full ? stringAt(buf, SESSION_ID) : null,
    agentId: full ? stringAt(buf, AGENT_ID) : null,
    agentType: full ? stringAt(buf, AGENT_TYPE) : null,
    sidechain,
    input: countAt(0),
    output: countAt(1),
    cacheRead: countAt(2),
    cacheWrite: countAt(3),
    line,
  };
}

/** Raises a kept response's counts to a later reading's; `line` follows the largest output. */
function raise(had: TranscriptResponse, read: TokenCounts, line: number): void {
  const outputGrew = read.output > had.output;
  if (raiseTokens(had, read) && outputGrew) had.line = line;
}

function keep(into: Responses, r: TranscriptResponse): void {
  const had = into.get(r.key);
  if (had) raise(had, r, r.line);
  else into.set(r.key, r);
}

/**
 * Takes the response of the entry `e` of a scan into `into`. A line that repeats a response already
 * kept (one response is often written over several lines) costs its key and counts only; the rest
 * of a response is read from its first line.
 */
function takeEntry(buf: Buffer, e: number, linesBefore: number, into: Responses, detail: boolean): void {
  entry = e * ENTRY_WORDS;
  const line = linesBefore + (words[entry + LINE] as number);
  if (words[entry + KIND] === KIND_DECODE) {
    // Not the compact layout expected (or a cut inside content): decode the whole line to be sure.
    const r = decodeResponse(buf.toString('utf8', words[entry + START], words[entry + STOP]), line);
    if (r) keep(into, r);
    return;
  }
  const id = stringAt(buf, ID);
  if (!id) return;
  const model = stringAt(buf, MODEL);
  // Claude Code's own messages: no API call.
  if (model === '<synthetic>') return;
  const request = stringAt(buf, REQUEST_ID) ?? stringAt(buf, REQUEST_REF);
  const key = request ? `msg:${id}:${request}` : `msg:${id}`;
  const had = into.get(key);
  if (had) raise(had, { input: countAt(0), output: countAt(1), cacheRead: countAt(2), cacheWrite: countAt(3) }, line);
  else into.set(key, walkedResponse(buf, key, model, line, detail));
}

/** A line's response by a full decode: the reference every walk must agree with. */
export function decodeResponse(text: string, line: number): TranscriptResponse | null {
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
 * walkBuffer). Lines are numbered from `linesBefore + 1`. A partial last line (no newline yet) is
 * not consumed: it is left for the next read. Without `detail`, responses carry what walkedResponse
 * keeps of one that will not be stored.
 */
export function scanLines(bytes: Buffer, end: number, linesBefore: number, into: Responses, detail = true): ScanResult {
  const buf = inWalkBuffer(bytes, end);
  const w = walkExports();
  let pos = 0;
  let lines = 0;
  for (;;) {
    // The walk passes over every line that is not a response; a scan stops early when its table is full.
    const n = w.scan(pos, end, ENTRIES);
    for (let e = 0; e < n; e++) takeEntry(buf, e, linesBefore + lines, into, detail);
    lines += w.lines();
    pos = w.next();
    if (n < ENTRIES) return { consumed: pos, lines };
  }
}
