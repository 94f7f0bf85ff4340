/**
 * Finding API responses in transcript bytes. Most bytes of a transcript are tool results,
 * attachments and request shapes that hold no usage, so no line is decoded whole: each line's keys
 * are walked in place (values skipped by jumping from quote to quote at memchr speed) until its
 * `type` or its `message.role` rules it out; a response line's few fields (ids, model, time, the
 * four usage counts) are read where they lie, and its content — most of its bytes — is skipped.
 *
 * Transcript lines come in two shapes: older versions write one line per content block with a
 * placeholder output_tokens on all but the last line and name the request `requestId`; 2.1.332
 * names it `requestRef`. Either way one response is one key, and the largest usage seen wins.
 */

const NL = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

const KEY_TYPE = Buffer.from('type');
const KEY_MESSAGE = Buffer.from('message');
const KEY_ROLE = Buffer.from('role');
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

/** Index just past the string whose opening quote is at i, or -1. */
function skipString(buf: Buffer, i: number, end: number): number {
  let j = i + 1;
  for (;;) {
    const q = buf.indexOf(QUOTE, j);
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
    // A number, true, false or null: it ends at the next separator.
    let j = i;
    while (j < end) {
      const c = buf[j];
      if (c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET) return j;
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

/**
 * Walks the keys of the object starting at `i`, calling visit(keyStart, keyEnd, valueStart) for
 * each; visit returns a verdict to stop with, or undefined to go on. Returns the verdict, `end`
 * when the object ended without one, or `bad` when the bytes are not the compact JSON expected.
 */
function walkKeys<T>(buf: Buffer, i: number, end: number, visit: (ks: number, ke: number, v: number) => T | undefined): T | 'end' | 'bad' {
  if (buf[i] !== OPEN_BRACE) return 'bad';
  let j = i + 1;
  if (buf[j] === CLOSE_BRACE) return 'end';
  while (j < end) {
    if (buf[j] !== QUOTE) return 'bad';
    const keyEnd = skipString(buf, j, end);
    if (keyEnd < 0 || buf[keyEnd] !== COLON) return 'bad';
    const v = keyEnd + 1;
    const verdict = visit(j + 1, keyEnd - 1, v);
    if (verdict !== undefined) return verdict;
    j = skipValue(buf, v, end);
    if (j < 0) return 'bad';
    if (buf[j] === COMMA) j++;
    else return buf[j] === CLOSE_BRACE ? 'end' : 'bad';
  }
  return 'bad';
}

function count(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0;
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 ? v : null;
}

/**
 * One decoded line → its response, or null when it is not a token-bearing response (another line
 * type, a `<synthetic>` message, no usage). A hand-written check rather than a schema: it runs
 * once per response on the hot path.
 */
export function parseResponseLine(text: string, line: number): TranscriptResponse | null {
  let obj: Record<string, unknown>;
  try {
    obj = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (obj === null || typeof obj !== 'object' || obj.type !== 'assistant') return null;
  const message = obj.message as Record<string, unknown> | undefined;
  if (!message || typeof message !== 'object') return null;
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

const KEY_ID = Buffer.from('id');
const KEY_MODEL = Buffer.from('model');
const KEY_USAGE = Buffer.from('usage');
const KEY_REQUEST_ID = Buffer.from('requestId');
const KEY_REQUEST_REF = Buffer.from('requestRef');
const KEY_TIMESTAMP = Buffer.from('timestamp');
const KEY_SESSION_ID = Buffer.from('sessionId');
const KEY_AGENT_ID = Buffer.from('agentId');
const KEY_ATTRIBUTION = Buffer.from('attributionAgent');
const KEY_SIDECHAIN = Buffer.from('isSidechain');
const KEY_INPUT = Buffer.from('input_tokens');
const KEY_OUTPUT = Buffer.from('output_tokens');
const KEY_CACHE_READ = Buffer.from('cache_read_input_tokens');
const KEY_CACHE_WRITE = Buffer.from('cache_creation_input_tokens');
const VALUE_TRUE = Buffer.from('true');
const VALUE_SYNTHETIC = '<synthetic>';

/** A string value [v, after) (quotes included); escapes are rare here, and decoded exactly when present. */
function stringAt(buf: Buffer, v: number, after: number): string | null {
  if (buf[v] !== QUOTE) return null;
  const bs = buf.indexOf(BACKSLASH, v);
  if (bs >= 0 && bs < after) return JSON.parse(buf.toString('utf8', v, after)) as string;
  return buf.toString('utf8', v + 1, after - 1);
}

/** The integer value at v (its leading digits): usage counts are plain non-negative integers. */
function intAt(buf: Buffer, v: number, after: number): number {
  let n = 0;
  for (let k = v; k < after; k++) {
    const d = (buf[k] as number) - 0x30;
    if (d < 0 || d > 9) break;
    n = n * 10 + d;
  }
  return Number.isSafeInteger(n) ? n : 0;
}

interface Fields {
  assistant: boolean;
  id: string | null;
  model: string | null;
  request: string | null;
  timestamp: string | null;
  sessionId: string | null;
  agentId: string | null;
  agentType: string | null;
  sidechain: boolean;
  usage: boolean;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

/**
 * The response on line [start, stop): its fields read in place by walking the JSON structure, so
 * content and every other value are skipped, never decoded. A line is a response when its top-level
 * `type` is "assistant" and its `message` has role "assistant", an id and usage; whichever of the
 * two it shows first can rule it out. Bytes that are not the compact JSON expected are decoded whole.
 */
function responseAt(buf: Buffer, start: number, stop: number, line: number): TranscriptResponse | null {
  const f: Fields = {
    assistant: false,
    id: null,
    model: null,
    request: null,
    timestamp: null,
    sessionId: null,
    agentId: null,
    agentType: null,
    sidechain: false,
    usage: false,
    input: 0,
    output: 0,
    cacheRead: 0,
    cacheWrite: 0,
  };
  const outcome = walkKeys<'skip'>(buf, start, stop, (ks, ke, v) => {
    const after = skipValue(buf, v, stop);
    if (after < 0) return undefined; // walkKeys reports the bad value
    if (bytesAre(buf, ks, ke, KEY_TYPE)) {
      f.assistant = bytesAre(buf, v, after, VALUE_ASSISTANT);
      return f.assistant ? undefined : 'skip';
    }
    if (bytesAre(buf, ks, ke, KEY_MESSAGE)) {
      const inner = walkKeys<'skip'>(buf, v, after, (mks, mke, mv) => {
        const mafter = skipValue(buf, mv, after);
        if (mafter < 0) return undefined;
        if (bytesAre(buf, mks, mke, KEY_ROLE)) return bytesAre(buf, mv, mafter, VALUE_ASSISTANT) ? undefined : 'skip';
        if (bytesAre(buf, mks, mke, KEY_ID)) f.id = stringAt(buf, mv, mafter);
        else if (bytesAre(buf, mks, mke, KEY_MODEL)) f.model = stringAt(buf, mv, mafter);
        else if (bytesAre(buf, mks, mke, KEY_USAGE)) {
          f.usage = walkKeys<never>(buf, mv, mafter, (uks, uke, uv) => {
            const uafter = skipValue(buf, uv, mafter);
            if (bytesAre(buf, uks, uke, KEY_INPUT)) f.input = intAt(buf, uv, uafter);
            else if (bytesAre(buf, uks, uke, KEY_OUTPUT)) f.output = intAt(buf, uv, uafter);
            else if (bytesAre(buf, uks, uke, KEY_CACHE_READ)) f.cacheRead = intAt(buf, uv, uafter);
            else if (bytesAre(buf, uks, uke, KEY_CACHE_WRITE)) f.cacheWrite = intAt(buf, uv, uafter);
            return undefined;
          }) === 'end';
        }
        return undefined;
      });
      if (inner === 'skip') return 'skip';
      if (inner === 'bad') f.usage = false;
      return undefined;
    }
    if (bytesAre(buf, ks, ke, KEY_REQUEST_ID) || bytesAre(buf, ks, ke, KEY_REQUEST_REF)) f.request ??= stringAt(buf, v, after);
    else if (bytesAre(buf, ks, ke, KEY_TIMESTAMP)) f.timestamp = stringAt(buf, v, after);
    else if (bytesAre(buf, ks, ke, KEY_SESSION_ID)) f.sessionId = stringAt(buf, v, after);
    else if (bytesAre(buf, ks, ke, KEY_AGENT_ID)) f.agentId = stringAt(buf, v, after);
    else if (bytesAre(buf, ks, ke, KEY_ATTRIBUTION)) f.agentType = stringAt(buf, v, after);
    else if (bytesAre(buf, ks, ke, KEY_SIDECHAIN)) f.sidechain = bytesAre(buf, v, after, VALUE_TRUE);
    return undefined;
  });
  if (outcome === 'skip') return null;
  if (outcome === 'bad') return parseResponseLine(buf.toString('utf8', start, stop), line);
  if (!f.assistant || !f.id || !f.usage || f.model === VALUE_SYNTHETIC) return null;
  return {
    key: f.request ? `msg:${f.id}:${f.request}` : `msg:${f.id}`,
    model: f.model,
    ts: f.timestamp === null ? Number.NaN : Date.parse(f.timestamp),
    sessionId: f.sessionId,
    agentId: f.agentId,
    agentType: f.agentType,
    sidechain: f.sidechain,
    input: f.input,
    output: f.output,
    cacheRead: f.cacheRead,
    cacheWrite: f.cacheWrite,
    line,
  };
}

export interface ScanResult {
  /** Bytes of complete lines consumed (up to and including the last newline in range). */
  consumed: number;
  /** Lines consumed. */
  lines: number;
}

/**
 * Scans the complete lines of buf[0, end). Lines are numbered from `linesBefore + 1`.
 * A partial last line (no newline yet) is not consumed: it is left for the next read.
 */
export function scanLines(buf: Buffer, end: number, linesBefore: number, onResponse: (r: TranscriptResponse) => void): ScanResult {
  let pos = 0;
  let lines = 0;
  for (let nl = buf.indexOf(NL, 0); nl !== -1 && nl < end; nl = buf.indexOf(NL, pos)) {
    lines++;
    if (nl > pos) {
      const r = responseAt(buf, pos, nl, linesBefore + lines);
      if (r) onResponse(r);
    }
    pos = nl + 1;
  }
  return { consumed: pos, lines };
}
