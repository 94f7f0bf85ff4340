/**
 * The walk's table, as wasm/walk.ts (AssemblyScript) writes it and src/transcripts/walk.ts reads it:
 * one source for both. Plain number constants, which AssemblyScript reads as i32.
 *
 * A scan writes one entry per line the caller must look at: a response walked to its end
 * (KIND_RESPONSE), or a line in another layout, to decode whole (KIND_DECODE). Each entry: kind, the
 * line's start and stop, its number within the scan (1-based), the walk's flags, then per slot the
 * bounds of its string value (quotes included; start -1: absent or not a string), then the four
 * counts (input, output, cache read, cache write) as f64. Offsets are in bytes.
 */
export const ENTRY_BYTES = 120;
export const ENTRIES = 512;
export const AT_KIND = 0;
export const AT_START = 4;
export const AT_STOP = 8;
export const AT_LINE = 12;
export const AT_FLAGS = 16;
export const AT_STARTS = 24;
export const AT_ENDS = 56;
export const AT_COUNTS = 88;

export const KIND_RESPONSE = 0;
export const KIND_DECODE = 1;

/** The string values a response is read from, by slot. */
export const SLOT_ID = 0;
export const SLOT_MODEL = 1;
export const SLOT_REQUEST_ID = 2;
export const SLOT_REQUEST_REF = 3;
export const SLOT_TIMESTAMP = 4;
export const SLOT_SESSION_ID = 5;
export const SLOT_AGENT_ID = 6;
export const SLOT_AGENT_TYPE = 7;
export const SLOTS = 8;

/** Flags: top-level `type` and `message.role` are "assistant", `message.usage` is an object, `isSidechain` is true. */
export const FLAG_TYPE_ASSISTANT = 1;
export const FLAG_ROLE_ASSISTANT = 2;
export const FLAG_HAS_USAGE = 4;
export const FLAG_SIDECHAIN = 8;
