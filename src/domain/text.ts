/**
 * Text people type that reaches a terminal (tables, the sprint's history, hook lines). Pure.
 * A title, a reason or a path holding a newline would break a table; one holding an escape
 * sequence would drive the terminal (move the cursor, retitle the window, hide what follows).
 */

/** A sprint title's longest form: it has to fit in a table row and the session's one line. */
export const TITLE_MAX = 120;

// ESC sequences (CSI, OSC up to BEL or ST, and two-character ones), 8-bit CSI, and the bidi
// controls that reorder what is shown.
const ESCAPE_SEQUENCES = /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[ -/]*[0-~])?|\x9b[0-?]*[ -/]*[@-~]|[\u202a-\u202e\u2066-\u2069]/g;
const LINE_BREAKS = /[\r\n\t\v\f\u2028\u2029\x85]+/g;
const CONTROLS = /[\x00-\x1f\x7f-\x9f]/g;

/** The text with escape sequences and control characters removed, line breaks and tabs made spaces. */
export function plainText(text: string): string {
  return text.replace(ESCAPE_SEQUENCES, '').replace(LINE_BREAKS, ' ').replace(CONTROLS, '');
}

export class TitleError extends Error {}

/** A title as stored: plain text on one line, runs of spaces as one; empty or too long is refused. */
export function sprintTitle(raw: string): string {
  const title = plainText(raw).replace(/\s+/g, ' ').trim();
  if (!title) throw new TitleError('a sprint needs a title');
  const length = [...title].length;
  if (length > TITLE_MAX) {
    throw new TitleError(`the title is ${length} characters long, at most ${TITLE_MAX} (put the rest in --description)`);
  }
  return title;
}

/**
 * A Claude Code session id as sprint-budget takes it: it names transcript files and folders
 * (`<session>.jsonl`, `<session>/subagents/`), so it is one path segment of letters, digits, `.`, `_`
 * and `-` (Claude Code's are UUIDs), never `.` or `..`.
 */
export function isSessionId(text: string): boolean {
  return /^[A-Za-z0-9._-]{1,128}$/.test(text) && text !== '.' && text !== '..';
}
