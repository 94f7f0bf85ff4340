/**
 * The walk src/transcripts/walk.ts runs over transcript bytes, compiled to WebAssembly
 * (AssemblyScript; built by scripts/build.mjs into src/transcripts/walk-wasm.ts). Why it is
 * WebAssembly: docs/performance.md. It reads compact JSON, as Claude Code writes it, and leaves
 * every other layout to a full decode in JavaScript (UNEXPECTED), so every figure is what JSON.parse
 * gives.
 *
 * Memory: the table of entries a scan writes (wasm/layout.ts), then the caller's bytes from `base`
 * on; offsets passed in and kept are relative to `base`.
 */
import {
  AT_COUNTS,
  AT_ENDS,
  AT_FLAGS,
  AT_KIND,
  AT_LINE,
  AT_START,
  AT_STARTS,
  AT_STOP,
  COUNT_CACHE_WRITE_1H,
  COUNT_CACHE_WRITE_5M,
  COUNTS as COUNT_SLOTS,
  ENTRIES,
  ENTRY_BYTES,
  FLAG_FAST,
  FLAG_HAS_USAGE,
  FLAG_ROLE_ASSISTANT,
  FLAG_SIDECHAIN,
  FLAG_TYPE_ASSISTANT,
  KIND_DECODE,
  KIND_RESPONSE,
  SLOT_AGENT_ID,
  SLOT_AGENT_TYPE,
  SLOT_ID,
  SLOT_MODEL,
  SLOT_REQUEST_ID,
  SLOT_REQUEST_REF,
  SLOT_SESSION_ID,
  SLOT_TIMESTAMP,
  SLOTS,
} from './layout';

const NL: u32 = 0x0a;
const SPACE: u32 = 0x20;
const QUOTE: u32 = 0x22;
const BACKSLASH: u32 = 0x5c;
const COLON: u32 = 0x3a;
const COMMA: u32 = 0x2c;
const OPEN_BRACE: u32 = 0x7b;
const CLOSE_BRACE: u32 = 0x7d;
const OPEN_BRACKET: u32 = 0x5b;
const CLOSE_BRACKET: u32 = 0x5d;

/** A walk's verdicts on a line (otherwise it returns the line's end). */
const NOT_RESPONSE: i32 = -1;
const UNEXPECTED: i32 = -2;

/** The keys the walk acts on: first the string slots (wasm/layout.ts), then the others. */
const ID: i32 = SLOT_ID;
const MODEL: i32 = SLOT_MODEL;
const REQUEST_ID: i32 = SLOT_REQUEST_ID;
const REQUEST_REF: i32 = SLOT_REQUEST_REF;
const TIMESTAMP: i32 = SLOT_TIMESTAMP;
const SESSION_ID: i32 = SLOT_SESSION_ID;
const AGENT_ID: i32 = SLOT_AGENT_ID;
const AGENT_TYPE: i32 = SLOT_AGENT_TYPE;
const OTHER: i32 = -1;
const TYPE: i32 = 8;
const MESSAGE: i32 = 9;
const SIDECHAIN: i32 = 10;
const ROLE: i32 = 11;
const CONTENT: i32 = 12;
const USAGE: i32 = 13;
const INPUT: i32 = 14;
const OUTPUT: i32 = 15;
const CACHE_READ: i32 = 16;
const CACHE_WRITE: i32 = 17;
// usage.cache_creation (an object), its two counts, and usage.speed.
const CACHE_CREATION: i32 = 18;
const EPHEMERAL_5M: i32 = 19;
const EPHEMERAL_1H: i32 = 20;
const SPEED: i32 = 21;

const ENTRY: usize = <usize>ENTRY_BYTES;
const TABLE: usize = memory.data(ENTRY_BYTES * ENTRIES, 8);
const KIND: usize = <usize>AT_KIND;
const START: usize = <usize>AT_START;
const STOP: usize = <usize>AT_STOP;
const LINE: usize = <usize>AT_LINE;
const FLAGS: usize = <usize>AT_FLAGS;
const STARTS: usize = <usize>AT_STARTS;
const ENDS: usize = <usize>AT_ENDS;
const COUNTS: usize = <usize>AT_COUNTS;
const COUNTS_BYTES: i32 = COUNT_SLOTS * 8;

/** Where the walk of the current line writes: the next free entry. */
let out: usize = TABLE;
/** After a scan: where it stopped (the start of the first line not scanned), and how many lines it passed. */
let nextAt: i32 = 0;
let linesPassed: i32 = 0;

export function table(): usize {
  return TABLE;
}
export function next(): i32 {
  return nextAt;
}
export function lines(): i32 {
  return linesPassed;
}

const TYPE_ASSISTANT: i32 = FLAG_TYPE_ASSISTANT;
const ROLE_ASSISTANT: i32 = FLAG_ROLE_ASSISTANT;
const HAS_USAGE: i32 = FLAG_HAS_USAGE;
const IS_SIDECHAIN: i32 = FLAG_SIDECHAIN;
const IS_FAST: i32 = FLAG_FAST;

// Each key's name, by what it is (the order of the constants above), and the values compared.
const NAMES: usize = memory.data<u8>([
  0x69, 0x64, // id
  0x6d, 0x6f, 0x64, 0x65, 0x6c, // model
  0x72, 0x65, 0x71, 0x75, 0x65, 0x73, 0x74, 0x49, 0x64, // requestId
  0x72, 0x65, 0x71, 0x75, 0x65, 0x73, 0x74, 0x52, 0x65, 0x66, // requestRef
  0x74, 0x69, 0x6d, 0x65, 0x73, 0x74, 0x61, 0x6d, 0x70, // timestamp
  0x73, 0x65, 0x73, 0x73, 0x69, 0x6f, 0x6e, 0x49, 0x64, // sessionId
  0x61, 0x67, 0x65, 0x6e, 0x74, 0x49, 0x64, // agentId
  0x61, 0x74, 0x74, 0x72, 0x69, 0x62, 0x75, 0x74, 0x69, 0x6f, 0x6e, 0x41, 0x67, 0x65, 0x6e, 0x74, // attributionAgent
  0x74, 0x79, 0x70, 0x65, // type
  0x6d, 0x65, 0x73, 0x73, 0x61, 0x67, 0x65, // message
  0x69, 0x73, 0x53, 0x69, 0x64, 0x65, 0x63, 0x68, 0x61, 0x69, 0x6e, // isSidechain
  0x72, 0x6f, 0x6c, 0x65, // role
  0x63, 0x6f, 0x6e, 0x74, 0x65, 0x6e, 0x74, // content
  0x75, 0x73, 0x61, 0x67, 0x65, // usage
  0x69, 0x6e, 0x70, 0x75, 0x74, 0x5f, 0x74, 0x6f, 0x6b, 0x65, 0x6e, 0x73, // input_tokens
  0x6f, 0x75, 0x74, 0x70, 0x75, 0x74, 0x5f, 0x74, 0x6f, 0x6b, 0x65, 0x6e, 0x73, // output_tokens
  // cache_read_input_tokens
  0x63, 0x61, 0x63, 0x68, 0x65, 0x5f, 0x72, 0x65, 0x61, 0x64, 0x5f, 0x69, 0x6e, 0x70, 0x75, 0x74, 0x5f, 0x74, 0x6f, 0x6b, 0x65, 0x6e, 0x73,
  // cache_creation_input_tokens
  0x63, 0x61, 0x63, 0x68, 0x65, 0x5f, 0x63, 0x72, 0x65, 0x61, 0x74, 0x69, 0x6f, 0x6e, 0x5f, 0x69, 0x6e, 0x70, 0x75, 0x74, 0x5f, 0x74, 0x6f, 0x6b, 0x65, 0x6e, 0x73,
  0x63, 0x61, 0x63, 0x68, 0x65, 0x5f, 0x63, 0x72, 0x65, 0x61, 0x74, 0x69, 0x6f, 0x6e, // cache_creation
  // ephemeral_5m_input_tokens
  0x65, 0x70, 0x68, 0x65, 0x6d, 0x65, 0x72, 0x61, 0x6c, 0x5f, 0x35, 0x6d, 0x5f, 0x69, 0x6e, 0x70, 0x75, 0x74, 0x5f, 0x74, 0x6f, 0x6b, 0x65, 0x6e, 0x73,
  // ephemeral_1h_input_tokens
  0x65, 0x70, 0x68, 0x65, 0x6d, 0x65, 0x72, 0x61, 0x6c, 0x5f, 0x31, 0x68, 0x5f, 0x69, 0x6e, 0x70, 0x75, 0x74, 0x5f, 0x74, 0x6f, 0x6b, 0x65, 0x6e, 0x73,
  0x73, 0x70, 0x65, 0x65, 0x64, // speed
]);
/** Where each name starts in NAMES (its length is the next start's distance). */
const NAME_AT: usize = memory.data<u16>([0, 2, 7, 16, 26, 35, 44, 51, 67, 71, 78, 89, 93, 100, 105, 117, 130, 153, 180, 194, 219, 244, 249]);

const ASSISTANT: usize = memory.data<u8>([0x22, 0x61, 0x73, 0x73, 0x69, 0x73, 0x74, 0x61, 0x6e, 0x74, 0x22]); // "assistant"
const TRUE: usize = memory.data<u8>([0x74, 0x72, 0x75, 0x65]); // true
const FAST: usize = memory.data<u8>([0x22, 0x66, 0x61, 0x73, 0x74, 0x22]); // "fast"
/** What follows `message.content` in both line shapes: `],"stop_reason":`. */
const AFTER_CONTENT: usize = memory.data<u8>([0x5d, 0x2c, 0x22, 0x73, 0x74, 0x6f, 0x70, 0x5f, 0x72, 0x65, 0x61, 0x73, 0x6f, 0x6e, 0x22, 0x3a]);
const AFTER_CONTENT_LENGTH: i32 = 16;

/** Where the caller's bytes start: set by `reserve`. */
let base: usize = 0;

@inline
function at(i: i32): u32 {
  return load<u8>(base + <usize>i);
}

/** Makes room for `bytes` of input (and a margin the walk may read past a line's end); returns where they go. */
export function reserve(bytes: i32): usize {
  if (base === 0) base = (__heap_base + 15) & ~15;
  const need = base + <usize>bytes + 64;
  const have = <usize>memory.size() << 16;
  if (need > have) memory.grow(<i32>((need - have + 0xffff) >> 16));
  return base;
}

/** The first byte at or after i that is `b`, 16 bytes at a time; `end` if none before it. */
@inline
function find(b: u8, i: i32, end: i32): i32 {
  const want = i8x16.splat(b);
  while (i + 16 <= end) {
    const mask = i8x16.bitmask(i8x16.eq(v128.load(base + <usize>i), want));
    if (mask !== 0) return i + ctz(mask);
    i += 16;
  }
  while (i < end && at(i) !== <u32>b) i++;
  return i;
}

/** The first quote, brace or bracket at or after i, 16 bytes at a time; `end` if none before it. */
@inline
function findStructural(i: i32, end: i32): i32 {
  const quote = i8x16.splat(<i8>QUOTE);
  const openBrace = i8x16.splat(<i8>OPEN_BRACE);
  const closeBrace = i8x16.splat(<i8>CLOSE_BRACE);
  const openBracket = i8x16.splat(<i8>OPEN_BRACKET);
  const closeBracket = i8x16.splat(<i8>CLOSE_BRACKET);
  while (i + 16 <= end) {
    const v = v128.load(base + <usize>i);
    const hits = v128.or(
      v128.or(i8x16.eq(v, quote), i8x16.eq(v, openBrace)),
      v128.or(i8x16.eq(v, closeBrace), v128.or(i8x16.eq(v, openBracket), i8x16.eq(v, closeBracket))),
    );
    const mask = i8x16.bitmask(hits);
    if (mask !== 0) return i + ctz(mask);
    i += 16;
  }
  while (i < end) {
    const c = at(i);
    if (c === QUOTE || c === OPEN_BRACE || c === CLOSE_BRACE || c === OPEN_BRACKET || c === CLOSE_BRACKET) return i;
    i++;
  }
  return i;
}

/** Whether [start, end) holds exactly the `length` bytes at `want`. */
function bytesAre(start: i32, end: i32, want: usize, length: i32): bool {
  if (end - start !== length) return false;
  for (let k = 0; k < length; k++) if (at(start + k) !== <u32>load<u8>(want + <usize>k)) return false;
  return true;
}

/** Index just past the string whose opening quote is at i, or -1. */
function skipString(i: i32, end: i32): i32 {
  let j = i + 1;
  while (true) {
    j = find(<u8>QUOTE, j, end);
    if (j >= end) return -1;
    let k = j - 1;
    while (at(k) === BACKSLASH) k--;
    if ((j - 1 - k) % 2 === 0) return j + 1;
    j++;
  }
}

/** Index just past the JSON value starting at i, or -1. */
function skipValue(i: i32, end: i32): i32 {
  const first = at(i);
  if (first === QUOTE) return skipString(i, end);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    // A number, true, false or null: it ends at the next separator. Space would be another layout.
    for (let j = i; j < end; j++) {
      const c = at(j);
      if (c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET) return j > i ? j : -1;
      if (c <= SPACE) return -1;
    }
    return -1;
  }
  let depth = 0;
  let j = i;
  while (true) {
    j = findStructural(j, end);
    if (j >= end) return -1;
    const c = at(j);
    if (c === QUOTE) {
      j = skipString(j, end);
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
}

/**
 * The end of the content array starting at i: usually where `],"stop_reason":` first occurs (the
 * quote could not be unescaped inside a string). Were those bytes a nested object's keys instead,
 * the walk would go on from inside content, meet a bracket where a key or the line's end must be,
 * and the line would be decoded whole: never a wrong figure.
 */
function contentEnd(i: i32, stop: i32): i32 {
  if (at(i) === OPEN_BRACKET) {
    const last = stop - AFTER_CONTENT_LENGTH;
    for (let m = find(<u8>CLOSE_BRACKET, i + 1, last + 1); m <= last; m = find(<u8>CLOSE_BRACKET, m + 1, last + 1)) {
      if (bytesAre(m, m + AFTER_CONTENT_LENGTH, AFTER_CONTENT, AFTER_CONTENT_LENGTH)) return m + 1;
    }
  }
  return skipValue(i, stop);
}

/** A token count of plain digits (as JSON.parse reads it), or -1: any other form is left to a full decode. */
function countAt(v: i32, end: i32): f64 {
  let n: f64 = 0;
  for (let k = v; k < end; k++) {
    const d = <i32>at(k) - 0x30;
    if (d < 0 || d > 9 || k - v > 14) return -1;
    n = n * 10 + <f64>d;
  }
  return n;
}

/** The key at [ks, ke) of an object at `level` (0: the line, 1: its message, 2: message.usage, 3: usage.cache_creation). */
function keyAt(level: i32, ks: i32, ke: i32): i32 {
  const c = at(ks);
  let key: i32;
  switch (level * 32 + ke - ks) {
    case 4:
      key = TYPE;
      break;
    case 7:
      key = c === 0x6d ? MESSAGE : AGENT_ID;
      break;
    case 9:
      key = c === 0x72 ? REQUEST_ID : c === 0x74 ? TIMESTAMP : SESSION_ID;
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
      key = c === 0x6d ? MODEL : USAGE;
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
    case 64 + 14:
      key = CACHE_CREATION;
      break;
    case 64 + 5:
      key = SPEED;
      break;
    case 96 + 25:
      // ephemeral_5m_input_tokens, ephemeral_1h_input_tokens: the 11th byte tells them apart.
      key = at(ks + 10) === 0x35 ? EPHEMERAL_5M : EPHEMERAL_1H;
      break;
    default:
      return OTHER;
  }
  const from = <i32>load<u16>(NAME_AT + (<usize>key << 1));
  const to = <i32>load<u16>(NAME_AT + (<usize>(key + 1) << 1));
  return bytesAre(ks, ke, NAMES + <usize>from, to - from) ? key : OTHER;
}

function setCount(which: i32, v: i32, end: i32): bool {
  const n = countAt(v, end);
  if (n < 0) return false;
  store<f64>(out + COUNTS + (<usize>which << 3), n);
  return true;
}

/**
 * Walks the line [start, stop) through the line's keys, its message's and their usage's, keeping
 * what a response is read from in the entry at `out`. Returns `stop` when the line was walked to
 * its end, NOT_RESPONSE when its type or role rules it out, UNEXPECTED for any other layout.
 */
function walk(start: i32, stop: i32): i32 {
  let flags: i32 = 0;
  for (let s = 0; s < SLOTS; s++) store<i32>(out + STARTS + (<usize>s << 2), -1);
  memory.fill(out + COUNTS, 0, COUNTS_BYTES);
  store<i32>(out + FLAGS, 0);
  if (at(start) !== OPEN_BRACE) return UNEXPECTED;
  let level = 0;
  let j = start + 1;
  let c = at(j);
  while (true) {
    if (c === CLOSE_BRACE) {
      j++;
      if (level === 0) {
        store<i32>(out + FLAGS, flags);
        return j === stop ? stop : UNEXPECTED;
      }
      level--;
    } else {
      if (c !== QUOTE) return UNEXPECTED;
      const keyEnd = skipString(j, stop);
      if (keyEnd < 0 || at(keyEnd) !== COLON) return UNEXPECTED;
      const v = keyEnd + 1;
      const key = keyAt(level, j + 1, keyEnd - 1);
      if (key === MESSAGE || key === USAGE || key === CACHE_CREATION) {
        if (at(v) !== OPEN_BRACE) return UNEXPECTED;
        if (key === USAGE) {
          flags |= HAS_USAGE;
          memory.fill(out + COUNTS, 0, COUNTS_BYTES);
        }
        level++;
        j = v + 1;
        c = at(j);
        continue;
      }
      const end = key === CONTENT ? contentEnd(v, stop) : skipValue(v, stop);
      if (end < 0) return UNEXPECTED;
      switch (key) {
        case OTHER:
        case CONTENT:
          break;
        case TYPE:
          if (!bytesAre(v, end, ASSISTANT, 11)) return NOT_RESPONSE;
          flags |= TYPE_ASSISTANT;
          break;
        case ROLE:
          if (!bytesAre(v, end, ASSISTANT, 11)) return NOT_RESPONSE;
          flags |= ROLE_ASSISTANT;
          break;
        case SIDECHAIN:
          flags = bytesAre(v, end, TRUE, 4) ? flags | IS_SIDECHAIN : flags & ~IS_SIDECHAIN;
          break;
        case INPUT:
        case OUTPUT:
        case CACHE_READ:
        case CACHE_WRITE:
          if (!setCount(key - INPUT, v, end)) return UNEXPECTED;
          break;
        case EPHEMERAL_5M:
          if (!setCount(COUNT_CACHE_WRITE_5M, v, end)) return UNEXPECTED;
          break;
        case EPHEMERAL_1H:
          if (!setCount(COUNT_CACHE_WRITE_1H, v, end)) return UNEXPECTED;
          break;
        case SPEED:
          flags = bytesAre(v, end, FAST, 6) ? flags | IS_FAST : flags & ~IS_FAST;
          break;
        default:
          store<i32>(out + STARTS + (<usize>key << 2), at(v) === QUOTE ? v : -1);
          store<i32>(out + ENDS + (<usize>key << 2), end);
      }
      j = end;
    }
    c = at(j);
    if (c === COMMA) {
      c = at(++j);
      if (c !== QUOTE) return UNEXPECTED;
    } else if (c !== CLOSE_BRACE) return UNEXPECTED;
  }
}

const RESPONSE_FLAGS: i32 = TYPE_ASSISTANT | ROLE_ASSISTANT | HAS_USAGE;

/**
 * Scans the complete lines from `start` (a line's start) up to `end`, one entry per line that is a
 * response walked to its end or is to be decoded whole, until `end` or until `room` entries are
 * written; returns how many were. `next()` and `lines()` then tell where it stopped and how many
 * lines it passed (a partial last line, with no newline before `end`, is neither).
 */
export function scan(start: i32, end: i32, room: i32): i32 {
  const most = room < ENTRIES ? room : ENTRIES;
  let n = 0;
  let pos = start;
  let passed = 0;
  while (n < most) {
    const nl = find(<u8>NL, pos, end);
    if (nl >= end) break;
    passed++;
    if (nl > pos) {
      out = TABLE + <usize>n * ENTRY;
      const verdict = walk(pos, nl);
      const kept = verdict === UNEXPECTED || (verdict === nl && (load<i32>(out + FLAGS) & RESPONSE_FLAGS) === RESPONSE_FLAGS);
      if (kept) {
        store<i32>(out + KIND, verdict === UNEXPECTED ? KIND_DECODE : KIND_RESPONSE);
        store<i32>(out + START, pos);
        store<i32>(out + STOP, nl);
        store<i32>(out + LINE, passed);
        n++;
      }
    }
    pos = nl + 1;
  }
  nextAt = pos;
  linesPassed = passed;
  return n;
}
