// Text from data must never drive the terminal: controls, escape sequences and bidi overrides are
// shown escaped. Only the tool's own colour codes (added after sanitizing) reach the screen.

// C0 controls except tab/newline, DEL, C1 controls, and the bidirectional overrides/isolates.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function visible(ch: string): string {
  const code = ch.codePointAt(0)!;
  if (code === 0x1b) return '\\e';
  if (code < 0x20) return `^${String.fromCharCode(code + 64)}`;
  if (code === 0x7f) return '^?';
  return `\\u{${code.toString(16).toUpperCase()}}`;
}

/**
 * Make untrusted text safe to print on a terminal. Control characters and escape introducers are
 * shown in caret or \u{...} notation (so ESC]0;x BEL becomes "\e]0;x^G"). Idempotent: its output
 * contains no C0 (but tab and newline when `keepNewlines`), no C1, no DEL, no bidi controls.
 */
export function sanitizeForTerminal(text: string, keepNewlines = false): string {
  const s = keepNewlines ? text : text.replace(/[\t\n]/g, ' ');
  return s.replace(UNSAFE, visible);
}
