/**
 * Finding API responses in transcript bytes. Most bytes of a transcript are tool results,
 * attachments and request shapes that hold no usage, so no line is decoded whole: each line's
 * top-level keys are walked in place (values skipped by jumping from quote to quote at memchr
 * speed) until its `type` or its `message.role` tells what it is, and only a response line is
 * decoded — without its `message.content`, which is most of its bytes and none of its usage.
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
const KEY_CONTENT = Buffer.from('content');
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

type Verdict = 'skip' | 'decode' | { contentStart: number; contentEnd: number };

/** What follows `message.content` in both line shapes. */
const AFTER_CONTENT = Buffer.from('],"stop_reason":');

/**
 * The end of the content array starting at i. Usually one search finds it: the bytes that follow
 * content cannot occur inside a JSON string (the quote would be escaped). Were they a nested
 * object's keys instead, cutting there would leave the line's brackets unbalanced, the decode
 * would fail, and the line would be decoded whole (see responseAt): never a wrong figure.
 */
function contentEnd(buf: Buffer, i: number, stop: number): number {
  if (buf[i] === OPEN_BRACKET) {
    const m = buf.indexOf(AFTER_CONTENT, i);
    if (m > i && m < stop) return m + 1;
  }
  return skipValue(buf, i, stop);
}

/**
 * What the line [start, stop) is: not a response (`skip`), a response whose `message.content` lies
 * at the returned bounds, or something unexpected that must be decoded whole to be sure (`decode`).
 * A response line has top-level `type: "assistant"` and a `message` with `role: "assistant"`;
 * whichever of the two comes first can rule the line out.
 */
function classify(buf: Buffer, start: number, stop: number): Verdict {
  const verdict = walkKeys<Verdict>(buf, start, stop, (ks, ke, v) => {
    if (bytesAre(buf, ks, ke, KEY_TYPE)) {
      const after = skipValue(buf, v, stop);
      return after > 0 && bytesAre(buf, v, after, VALUE_ASSISTANT) ? 'decode' : 'skip';
    }
    if (!bytesAre(buf, ks, ke, KEY_MESSAGE)) return undefined;
    const inner = walkKeys<Verdict>(buf, v, stop, (mks, mke, mv) => {
      if (bytesAre(buf, mks, mke, KEY_ROLE)) {
        const after = skipValue(buf, mv, stop);
        return after > 0 && bytesAre(buf, mv, after, VALUE_ASSISTANT) ? undefined : 'skip';
      }
      if (bytesAre(buf, mks, mke, KEY_CONTENT)) {
        const after = contentEnd(buf, mv, stop);
        return after > 0 ? { contentStart: mv, contentEnd: after } : 'decode';
      }
      return undefined;
    });
    return inner === 'end' || inner === 'bad' ? 'decode' : inner;
  });
  if (verdict === 'end') return 'skip';
  return verdict === 'bad' ? 'decode' : verdict;
}

/**
 * The response on line [start, stop), if it is one. The line is decoded without its content (most
 * of its bytes, none of its usage): V8's JSON.parse reads the few hundred bytes left faster than
 * any walk in JavaScript would.
 */
function responseAt(buf: Buffer, start: number, stop: number, line: number): TranscriptResponse | null {
  const v = classify(buf, start, stop);
  if (v === 'skip') return null;
  if (v !== 'decode') {
    const parsed = decode(`${buf.toString('utf8', start, v.contentStart)}[]${buf.toString('utf8', v.contentEnd, stop)}`);
    if (parsed !== undefined) return responseOf(parsed, line);
  }
  const whole = decode(buf.toString('utf8', start, stop));
  return whole === undefined ? null : responseOf(whole, line);
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
