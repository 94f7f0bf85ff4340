/**
 * The WebAssembly walk over transcript bytes (wasm/walk.ts; why WebAssembly: docs/performance.md),
 * as an object: its instance, its memory, and views of the table of entries a scan writes
 * (wasm/layout.ts, the one source of the layout for both sides).
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
  ENTRIES,
  ENTRY_BYTES,
  FLAG_FAST,
  FLAG_SIDECHAIN,
  KIND_DECODE,
} from '../../wasm/layout';
import { lazily } from '../platform/builtin';
import { WALK_WASM } from './walk-wasm';

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

/** An entry's fields, in 32-bit words from its start. */
const WORDS = ENTRY_BYTES / 4;
const KIND = AT_KIND / 4;
const START = AT_START / 4;
const STOP = AT_STOP / 4;
const LINE = AT_LINE / 4;
const FLAGS = AT_FLAGS / 4;
const STARTS = AT_STARTS / 4;
const ENDS = AT_ENDS / 4;
/** In 64-bit words. */
const COUNTS = AT_COUNTS / 8;

export class Walk {
  /** How many entries one scan writes at most. */
  static readonly ENTRIES = ENTRIES;

  private readonly exports: WalkExports;
  /** Views of the walk's memory, made again whenever it grows (growing detaches the old ones). */
  private bytes: Buffer = Buffer.alloc(0);
  private words = new Int32Array(0);
  private counts = new Float64Array(0);

  constructor() {
    this.exports = new wasm.Instance(new wasm.Module(Buffer.from(WALK_WASM, 'base64'))).exports as WalkExports;
  }

  /** The buffer the walk reads, at least `size` bytes: transcript bytes are read straight into it. Growing it keeps what it holds. */
  buffer(size: number): Buffer {
    const w = this.exports;
    if (this.bytes.length < size || this.bytes.buffer !== w.memory.buffer) {
      const base = w.reserve(size);
      const memory = w.memory.buffer;
      this.bytes = Buffer.from(memory, base, size);
      this.words = new Int32Array(memory, w.table(), ENTRIES * WORDS);
      this.counts = new Float64Array(memory, w.table(), (ENTRIES * WORDS) / 2);
    }
    return this.bytes;
  }

  /** `buf`'s first `end` bytes where the walk reads them: `buf` itself when it is the walk's buffer, else a copy. */
  take(buf: Buffer, end: number): Buffer {
    const own = this.bytes;
    if (buf.buffer === own.buffer && buf.byteOffset === own.byteOffset && own.buffer === this.exports.memory.buffer) return buf;
    const into = this.buffer(end);
    into.set(buf.subarray(0, end));
    return into;
  }

  /**
   * Scans the complete lines of the buffer from `pos` to `end`; returns how many entries it wrote
   * (fewer than ENTRIES: it reached `end`). Then `next()` is where it stopped and `lines()` how many
   * lines it passed.
   */
  scan(pos: number, end: number): number {
    return this.exports.scan(pos, end, ENTRIES);
  }

  next(): number {
    return this.exports.next();
  }

  lines(): number {
    return this.exports.lines();
  }

  /** Entry `e` is a line in another layout than the walk reads: decode it whole. */
  toDecode(e: number): boolean {
    return this.words[e * WORDS + KIND] === KIND_DECODE;
  }

  lineStart(e: number): number {
    return this.words[e * WORDS + START] as number;
  }

  lineStop(e: number): number {
    return this.words[e * WORDS + STOP] as number;
  }

  /** The line's number within its scan, from 1. */
  line(e: number): number {
    return this.words[e * WORDS + LINE] as number;
  }

  sidechain(e: number): boolean {
    return ((this.words[e * WORDS + FLAGS] as number) & FLAG_SIDECHAIN) !== 0;
  }

  /** The line's usage says `"speed":"fast"`. */
  fast(e: number): boolean {
    return ((this.words[e * WORDS + FLAGS] as number) & FLAG_FAST) !== 0;
  }

  /** Where the string value of `slot` starts (its opening quote), or -1: absent, or not a string. */
  valueStart(e: number, slot: number): number {
    return this.words[e * WORDS + STARTS + slot] as number;
  }

  /** Just past the string value of `slot` (its closing quote). */
  valueEnd(e: number, slot: number): number {
    return this.words[e * WORDS + ENDS + slot] as number;
  }

  /** Count `which` (wasm/layout.ts, COUNT_*). */
  count(e: number, which: number): number {
    return this.counts[(e * WORDS) / 2 + COUNTS + which] as number;
  }
}

/** One walk per process: compiling and instantiating it costs a couple of milliseconds. */
export const processWalk = lazily(() => new Walk());
