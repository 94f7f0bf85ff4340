/**
 * Finding API responses in transcript bytes. Most bytes of a transcript are tool results,
 * attachments and request shapes that hold no usage, so no line is decoded: each line's keys are
 * walked in place (values skipped by jumping from quote to quote at memchr speed). A line that is
 * not a response is ruled out by its `type` or its `message.role`, usually within its first few
 * hundred bytes; in a response, `message.content` (most of its bytes, none of its usage) is jumped
 * over with one search, and the few fields wanted are taken from where they lie. Only a line whose
 * layout is not the compact JSON expected is decoded whole, so every figure is what JSON.parse
 * would give.
 *
 * Transcript lines come in two shapes: older versions write one line per content block with a
 * placeholder output_tokens on all but the last line and name the request `requestId`; 2.1.332
 * names it `requestRef`. Either way one response is one key, and the largest usage seen wins.
 */

import { type TokenCounts, raiseTokens } from '../domain/tokens';

const NL = 0x0a;
const SPACE = 0x20;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

const VALUE_ASSISTANT = Buffer.from('"assistant"');

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
 * TypedArray's own indexOf, a V8 builtin: for the many short searches from quote to quote it costs
 * a fraction of Buffer#indexOf's argument handling, most of all before the JIT has warmed up (a
 * hook's whole life). Long searches (newlines) keep Buffer#indexOf, which is memchr.
 */
const indexOfByte = Uint8Array.prototype.indexOf;

/**
 * Buffer's own utf8Slice: what toString('utf8', start, end) calls after checking its encoding
 * argument, which costs more than the slice for the short strings taken here.
 */
const utf8Slice = (Buffer.prototype as unknown as { utf8Slice(start: number, end: number): string }).utf8Slice;

function utf8(buf: Buffer, start: number, end: number): string {
  return utf8Slice.call(buf, start, end);
}

/** Index just past the string whose opening quote is at i, or -1. */
function skipString(buf: Buffer, i: number, end: number): number {
  let j = i + 1;
  for (;;) {
    const q = indexOfByte.call(buf, QUOTE, j);
    if (q < 0 || q >= end) return -1;
    let k = q - 1;
    while (buf[k] === BACKSLASH) k--;
    if ((q - 1 - k) % 2 === 0) return q + 1;
    j = q + 1;
  }
}

/** Index just past the JSON value starting at i (compact JSON, as Claude Code writes it), or -1. */
function skipValue(buf: Buffer, i: number, end: number): number {
  const first = buf[i];
  if (first === QUOTE) return skipString(buf, i, end);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    // A number, true, false or null: it ends at the next separator. Space would be another layout.
    let j = i;
    while (j < end) {
      const c = buf[j] as number;
      if (c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET) return j > i ? j : -1;
      if (c <= SPACE) return -1;
      j++;
    }
    return -1;
  }
  let depth = 0;
  let j = i;
  while (j < end) {
    const c = buf[j] as number;
    if (c === QUOTE) {
      j = skipString(buf, j, end);
      if (j < 0) return -1;
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return j + 1;
    }
    j++;
  }
  return -1;
}

function bytesAre(buf: Buffer, start: number, end: number, want: Buffer): boolean {
  if (end - start !== want.length) return false;
  for (let k = 0; k < want.length; k++) if (buf[start + k] !== want[k]) return false;
  return true;
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

/** What follows `message.content` in both line shapes. */
const AFTER_CONTENT = Buffer.from('],"stop_reason":');

/**
 * The end of the content array starting at i. Usually one search finds it: the bytes that follow
 * content cannot occur inside a JSON string (the quote would be escaped). Were they a nested
 * object's keys instead, the walk would go on from inside content, meet its closing bracket where
 * a key or the line's end must be, and the line would be decoded whole: never a wrong figure.
 */
function contentEnd(buf: Buffer, i: number, stop: number): number {
  if (buf[i] === OPEN_BRACKET) {
    const m = buf.indexOf(AFTER_CONTENT, i);
    if (m > i && m < stop) return m + 1;
  }
  return skipValue(buf, i, stop);
}

/** A walk's verdicts on a line (otherwise it returns an index). */
const NOT_RESPONSE = -1;
const UNEXPECTED = -2;

/** The string values a response is read from, by slot. */
const ID = 0;
const MODEL = 1;
const REQUEST_ID = 2;
const REQUEST_REF = 3;
const TIMESTAMP = 4;
const SESSION_ID = 5;
const AGENT_ID = 6;
const AGENT_TYPE = 7;

/*
 * What the walk of the current line found, reset per line: a response line allocates nothing until
 * its record is built. Plain variables and typed arrays rather than an object's properties: a
 * branch first taken late (a subagent's line, say) then cannot send optimized code back to be
 * compiled again for want of type feedback.
 */
/** Bounds of each slot's string value, quotes included (start -1: absent, or not a string). */
const starts = new Int32Array(8);
const ends = new Int32Array(8);
/** Top-level `type` and `message.role` are "assistant"; `message.usage` is an object. */
let typeAssistant = false;
let roleAssistant = false;
let hasUsage = false;
let sidechain = false;
const counts: TokenCounts = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };

function resetFound(): void {
  typeAssistant = roleAssistant = hasUsage = sidechain = false;
  starts.fill(-1);
  counts.input = counts.output = counts.cacheRead = counts.cacheWrite = 0;
}

/** Keeps the bounds of the value at [v, end) in `slot` if it is a string. */
function keepString(buf: Buffer, slot: number, v: number, end: number): void {
  starts[slot] = buf[v] === QUOTE ? v : -1;
  ends[slot] = end;
}

const KEY_TYPE = Buffer.from('type');
const KEY_MESSAGE = Buffer.from('message');
const KEY_REQUEST_ID = Buffer.from('requestId');
const KEY_REQUEST_REF = Buffer.from('requestRef');
const KEY_TIMESTAMP = Buffer.from('timestamp');
const KEY_SESSION_ID = Buffer.from('sessionId');
const KEY_AGENT_ID = Buffer.from('agentId');
const KEY_AGENT_TYPE = Buffer.from('attributionAgent');
const KEY_SIDECHAIN = Buffer.from('isSidechain');
const KEY_ROLE = Buffer.from('role');
const KEY_CONTENT = Buffer.from('content');
const KEY_ID = Buffer.from('id');
const KEY_MODEL = Buffer.from('model');
const KEY_USAGE = Buffer.from('usage');
const KEY_INPUT = Buffer.from('input_tokens');
const KEY_OUTPUT = Buffer.from('output_tokens');
const KEY_CACHE_READ = Buffer.from('cache_read_input_tokens');
const KEY_CACHE_WRITE = Buffer.from('cache_creation_input_tokens');
const TRUE = Buffer.from('true');

/** A token count as JSON.parse and `count` would read it: plain digits directly, anything else decoded. */
function countAt(buf: Buffer, v: number, end: number): number {
  let n = 0;
  for (let k = v; k < end; k++) {
    const d = (buf[k] as number) - 0x30;
    if (d < 0 || d > 9 || k - v > 14) return count(JSON.parse(buf.toString('utf8', v, end)));
    n = n * 10 + d;
  }
  return n;
}

/*
 * The keys the walk acts on, by what they are at their level: the slots of string values (0-7,
 * above) and these. Keys are told apart by length and first byte before any comparison, so most
 * keys cost no call at all.
 */
const OTHER = -1;
const TYPE = 8;
const MESSAGE = 9;
const SIDECHAIN = 10;
const ROLE = 11;
const CONTENT = 12;
const USAGE = 13;
const INPUT = 14;
const OUTPUT = 15;
const CACHE_READ = 16;
const CACHE_WRITE = 17;

/** Each key's name, by what it is. */
const KEY_NAMES = [
  KEY_ID,
  KEY_MODEL,
  KEY_REQUEST_ID,
  KEY_REQUEST_REF,
  KEY_TIMESTAMP,
  KEY_SESSION_ID,
  KEY_AGENT_ID,
  KEY_AGENT_TYPE,
  KEY_TYPE,
  KEY_MESSAGE,
  KEY_SIDECHAIN,
  KEY_ROLE,
  KEY_CONTENT,
  KEY_USAGE,
  KEY_INPUT,
  KEY_OUTPUT,
  KEY_CACHE_READ,
  KEY_CACHE_WRITE,
];

/** The key at [ks, ke) of an object at `level` (0: the line, 1: its message, 2: message.usage). */
function keyAt(buf: Buffer, level: number, ks: number, ke: number): number {
  const c = buf[ks];
  let key: number;
  // The one candidate of this length and first byte, compared at one call site below: a key first
  // met late (an agent's type, in a subagent's line) finds that call already known to the JIT.
  switch (level * 32 + ke - ks) {
    case 4:
      key = TYPE;
      break;
    case 7:
      key = c === KEY_MESSAGE[0] ? MESSAGE : AGENT_ID;
      break;
    case 9:
      key = c === KEY_REQUEST_ID[0] ? REQUEST_ID : c === KEY_TIMESTAMP[0] ? TIMESTAMP : SESSION_ID;
      break;
    case 10:
      key = REQUEST_REF;
      break;
    case 11:
      key = SIDECHAIN;
      break;
    case 16:
      key = AGENT_TYPE;
      break;
    case 32 + 2:
      key = ID;
      break;
    case 32 + 4:
      key = ROLE;
      break;
    case 32 + 5:
      key = c === KEY_MODEL[0] ? MODEL : USAGE;
      break;
    case 32 + 7:
      key = CONTENT;
      break;
    case 64 + 12:
      key = INPUT;
      break;
    case 64 + 13:
      key = OUTPUT;
      break;
    case 64 + 23:
      key = CACHE_READ;
      break;
    case 64 + 27:
      key = CACHE_WRITE;
      break;
    default:
      return OTHER;
  }
  const want = KEY_NAMES[key] as Buffer;
  return c === want[0] && bytesAre(buf, ks, ke, want) ? key : OTHER;
}

/**
 * Walks the line [start, stop) — compact JSON, as Claude Code writes it — through the line's keys,
 * its message's and their usage's, keeping what a response is read from. One loop with the depth
 * in a variable, not a function per object: a hook runs this before the JIT has compiled anything,
 * where every call costs. Returns `stop` when the line was walked to its end, NOT_RESPONSE when
 * its type or role rules it out, UNEXPECTED for any other layout (the line is then decoded whole).
 */
function walkLine(buf: Buffer, start: number, stop: number): number {
  if (buf[start] !== OPEN_BRACE) return UNEXPECTED;
  let level = 0;
  let j = start + 1;
  let c = buf[j];
  for (;;) {
    if (c === CLOSE_BRACE) {
      j++;
      if (level === 0) return j === stop ? stop : UNEXPECTED;
      level--;
    } else {
      if (c !== QUOTE) return UNEXPECTED;
      const keyEnd = skipString(buf, j, stop);
      if (keyEnd < 0 || buf[keyEnd] !== COLON) return UNEXPECTED;
      const v = keyEnd + 1;
      const key = keyAt(buf, level, j + 1, keyEnd - 1);
      if (key === MESSAGE || key === USAGE) {
        if (buf[v] !== OPEN_BRACE) return UNEXPECTED;
        if (key === USAGE) {
          hasUsage = true;
          counts.input = counts.output = counts.cacheRead = counts.cacheWrite = 0;
        }
        level++;
        j = v + 1;
        c = buf[j];
        continue;
      }
      const end = key === CONTENT ? contentEnd(buf, v, stop) : skipValue(buf, v, stop);
      if (end < 0) return UNEXPECTED;
      switch (key) {
        case OTHER:
        case CONTENT:
          break;
        case TYPE:
          if (!bytesAre(buf, v, end, VALUE_ASSISTANT)) return NOT_RESPONSE;
          typeAssistant = true;
          break;
        case ROLE:
          if (!bytesAre(buf, v, end, VALUE_ASSISTANT)) return NOT_RESPONSE;
          roleAssistant = true;
          break;
        case SIDECHAIN:
          sidechain = bytesAre(buf, v, end, TRUE);
          break;
        case INPUT:
          counts.input = countAt(buf, v, end);
          break;
        case OUTPUT:
          counts.output = countAt(buf, v, end);
          break;
        case CACHE_READ:
          counts.cacheRead = countAt(buf, v, end);
          break;
        case CACHE_WRITE:
          counts.cacheWrite = countAt(buf, v, end);
          break;
        default:
          keepString(buf, key, v, end);
      }
      j = end;
    }
    c = buf[j];
    if (c === COMMA) {
      c = buf[++j];
      if (c !== QUOTE) return UNEXPECTED;
    } else if (c !== CLOSE_BRACE) return UNEXPECTED;
  }
}

/** The string the walk kept in `slot` (null: absent, or not a string). */
function textAt(buf: Buffer, slot: number): string | null {
  const s = starts[slot] as number;
  if (s < 0) return null;
  const e = ends[slot] as number;
  const text = utf8(buf, s + 1, e - 1);
  return text.includes('\\') ? (JSON.parse(utf8(buf, s, e)) as string) : text;
}

/** As `str` gives it: a non-empty string, else null. */
function stringAt(buf: Buffer, slot: number): string | null {
  const s = starts[slot] as number;
  return s < 0 || (ends[slot] as number) - s <= 2 ? null : textAt(buf, slot);
}

const SYNTHETIC = Buffer.from('"<synthetic>"');

/** Whether the walked line's model is `<synthetic>` (Claude Code's own messages: no API call). */
function isSynthetic(buf: Buffer): boolean {
  const model = starts[MODEL] as number;
  const modelEnd = ends[MODEL] as number;
  if (model < 0) return false;
  if (bytesAre(buf, model, modelEnd, SYNTHETIC)) return true;
  return indexOfByte.call(buf, BACKSLASH, model) < modelEnd && textAt(buf, MODEL) === '<synthetic>';
}

/** The walked line's response, its key known: all responseOf gives for it (its reference). */
function walkedResponse(buf: Buffer, key: string, line: number): TranscriptResponse {
  const timestamp = textAt(buf, TIMESTAMP);
  return {
    key,
    model: stringAt(buf, MODEL),
    ts: timestamp === null ? Number.NaN : Date.parse(timestamp),
    sessionId: stringAt(buf, SESSION_ID),
    agentId: stringAt(buf, AGENT_ID),
    agentType: stringAt(buf, AGENT_TYPE),
    sidechain,
    input: counts.input,
    output: counts.output,
    cacheRead: counts.cacheRead,
    cacheWrite: counts.cacheWrite,
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
 * Takes the response on the line [start, stop), if it is one, into `into`. A line that repeats a
 * response already kept (one response is often written over several lines) costs its key and
 * counts only; the rest of a response is read from its first line.
 */
function takeLine(buf: Buffer, start: number, stop: number, line: number, into: Responses): void {
  resetFound();
  const end = walkLine(buf, start, stop);
  if (end === NOT_RESPONSE) return;
  if (end !== stop) {
    // Not the compact layout expected (or a cut inside content): decode the whole line to be sure.
    const r = decodeResponse(buf.toString('utf8', start, stop), line);
    if (r) keep(into, r);
    return;
  }
  if (!typeAssistant || !roleAssistant || !hasUsage) return;
  const id = stringAt(buf, ID);
  if (!id || isSynthetic(buf)) return;
  const request = stringAt(buf, REQUEST_ID) ?? stringAt(buf, REQUEST_REF);
  const key = request ? `msg:${id}:${request}` : `msg:${id}`;
  const had = into.get(key);
  if (had) raise(had, counts, line);
  else into.set(key, walkedResponse(buf, key, line));
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
 * Scans the complete lines of buf[0, end) into `into`. Lines are numbered from `linesBefore + 1`.
 * A partial last line (no newline yet) is not consumed: it is left for the next read.
 */
export function scanLines(buf: Buffer, end: number, linesBefore: number, into: Responses): ScanResult {
  let pos = 0;
  let lines = 0;
  for (let nl = buf.indexOf(NL, 0); nl !== -1 && nl < end; nl = buf.indexOf(NL, pos)) {
    lines++;
    if (nl > pos) takeLine(buf, pos, nl, linesBefore + lines, into);
    pos = nl + 1;
  }
  return { consumed: pos, lines };
}
