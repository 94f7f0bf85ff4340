/**
 * The walk's table, as wasm/walk.ts (AssemblyScript) writes it and src/transcripts/walk.ts reads it:
 * one source for both. Plain number constants, which AssemblyScript reads as i32.
 *
 * A scan writes one entry per line the caller must look at: a response walked to its end
 * (KIND_RESPONSE), or a line in another layout, to decode whole (KIND_DECODE). Each entry: kind, the
 * line's start and stop, its number within the scan (1-based), the walk's flags, then per slot the
 * bounds of its string value (quotes included; start -1: absent or not a string), then the counts
 * (COUNT_*) as f64. Offsets are in bytes.
 */
export const ENTRY_BYTES = 136;
// The table and the walk's data fit the one page of initial memory the build gives the walk.
export const ENTRIES = 448;
export const AT_KIND = 0;
export const AT_START = 4;
export const AT_STOP = 8;
export const AT_LINE = 12;
export const AT_FLAGS = 16;
export const AT_STARTS = 24;
export const AT_ENDS = 56;
export const AT_COUNTS = 88;

/** The counts of an entry, by index from AT_COUNTS: the usage's four, then the cache writes by lifetime. */
export const COUNT_INPUT = 0;
export const COUNT_OUTPUT = 1;
export const COUNT_CACHE_READ = 2;
export const COUNT_CACHE_WRITE = 3;
/** `usage.cache_creation.ephemeral_5m_input_tokens` / `ephemeral_1h_input_tokens`: the cache writes split by lifetime. */
export const COUNT_CACHE_WRITE_5M = 4;
export const COUNT_CACHE_WRITE_1H = 5;
export const COUNTS = 6;

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

/**
 * Flags: top-level `type` and `message.role` are "assistant", `message.usage` is an object, `isSidechain` is true,
 * `usage.speed` is "fast" (fast mode, priced at a multiple).
 */
export const FLAG_TYPE_ASSISTANT = 1;
export const FLAG_ROLE_ASSISTANT = 2;
export const FLAG_HAS_USAGE = 4;
export const FLAG_SIDECHAIN = 8;
export const FLAG_FAST = 16;
