// Markdown for untrusted text. Everything a record carries (titles, labels, ids, links) goes
// through here before it reaches a report, so no input can open a table cell, a code span,
// an HTML tag, a heading, a list, an image or a non-http link, or ping people on GitHub.
import stripAnsi from 'strip-ansi';

const ZWJ = '\u200D';

// Bidirectional overrides and isolates (Trojan Source): shown as a visible marker instead.
const BIDI = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g;
// C0 (but tab, newline, CR handled as whitespace), DEL, C1, and the Unicode line/paragraph separators.
const CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
const LINE_BREAKS = /[\t\n\r\u2028\u2029]/g;

// Most titles are letters, digits, single spaces and harmless punctuation: they need no work.
// (Checked first because a report escapes every title several times.)
const CLEAN_ALREADY = /[^\p{L}\p{N} ,.;:'"()?!%/-]|\s\s|^\s|\s$/u;
const PLAIN_ALREADY = /[^\p{L}\p{N} ,.;:'"()?!%/-]|\s\s|^\s|\s$|www\.|:\/\/|mailto:|xmpp:|GH-\d/iu;
const ESCAPED_ALREADY = /[^\p{L}\p{N} ,.;:'"()?!%/\u200D-]|^[-+=>]|^\d{1,9}[.)]/u;

/** Untrusted text on one line: ANSI/OSC sequences and controls removed, bidi controls shown as `<U+202E>`, whitespace collapsed. */
export function cleanText(input: unknown, maxLength = Infinity): string {
  let s = typeof input === 'string' ? input : input === undefined || input === null ? '' : String(input);
  if (!CLEAN_ALREADY.test(s)) return s.length > maxLength ? truncate(s, maxLength) : s;
  s = stripAnsi(s)
    .replace(LINE_BREAKS, ' ')
    .replace(CONTROLS, '')
    .replace(BIDI, (c) => `<U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}>`)
    .replace(/\s+/g, ' ')
    .trim();
  return s.length > maxLength ? truncate(s, maxLength) : s;
}

/**
 * Visible text for Markdown: `cleanText`, then `@name`, `#123`, `GH-123` and link-like text
 * broken with a zero-width joiner so GitHub neither notifies, links nor autolinks them
 * (a backslash does not stop a mention, and autolink literals are found after escapes are resolved).
 */
export function plainText(input: unknown, maxLength = Infinity): string {
  if (typeof input === 'string' && !PLAIN_ALREADY.test(input)) return input.length > maxLength ? truncate(input, maxLength) : input;
  return cleanText(input, maxLength)
    .replace(/@(?=[\p{L}\p{N}_-])/gu, `@${ZWJ}`)
    .replace(/#(?=\p{N})/gu, `#${ZWJ}`)
    .replace(/\b(GH)-(?=\d)/gi, `$1-${ZWJ}`)
    .replace(/(www)\./gi, `$1${ZWJ}.`)
    .replace(/:(?=\/\/)/g, `:${ZWJ}`)
    .replace(/(mailto|xmpp):/gi, `$1:${ZWJ}`);
}

/** Shorten to at most `max` code units at a code-point boundary, ending in an ellipsis. */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  let cut = Math.max(0, max - 1);
  // Do not split a surrogate pair.
  if (cut > 0 && /[\uD800-\uDBFF]/.test(s[cut - 1])) cut--;
  return `${s.slice(0, cut).trimEnd()}…`;
}

// Characters with inline meaning anywhere in a line (CommonMark + GFM + GitHub math):
// escapes, code spans, emphasis, links/images, autolinks/HTML, table pipes, strikethrough,
// entities, math, and `#` (ATX heading closers, issue references).
const INLINE_SPECIAL = /[\\`*_[\]<>|~&$#]/g;

/**
 * Escape text (already made plain by `plainText`) so Markdown renders exactly that text inline:
 * in a paragraph, a list item, a heading or a GFM table cell.
 */
export function escapeMarkdownText(plain: string): string {
  if (!ESCAPED_ALREADY.test(plain)) return plain;
  let s = plain.replace(INLINE_SPECIAL, (c) => `\\${c}`);
  // Block starts matter at the beginning of a list item or paragraph: -, +, =, >, "1." and "1)".
  s = s.replace(/^([-+=>])/, '\\$1').replace(/^(\d{1,9})([.)])/, '$1\\$2');
  return s;
}

/** Untrusted text as inline Markdown on one line (optionally shortened first). */
export function escapeInline(input: unknown, maxLength = Infinity): string {
  return escapeMarkdownText(plainText(input, maxLength));
}

/** A GFM table cell: same as inline text (pipes are always escaped, newlines never survive). */
export function escapeCell(input: unknown, maxLength = Infinity): string {
  return escapeInline(input, maxLength);
}

/**
 * A code span holding untrusted text: fenced with more backticks than any run inside.
 * In a table, pipes become `\|` (GFM unescapes them inside code spans in cells).
 */
export function codeSpan(input: unknown, options: { inTable?: boolean; maxLength?: number } = {}): string {
  let s = cleanText(input, options.maxLength);
  if (s === '') return '';
  let longest = 0;
  for (const m of s.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  const fence = '`'.repeat(longest + 1);
  // In a table GFM turns `\|` into `|` even inside code, and `\\|` ends the cell, so a backslash
  // right before a pipe cannot be literal: a zero-width joiner separates them.
  if (options.inTable) s = s.replace(/\\(?=\|)/g, `\\${ZWJ}`).replaceAll('|', '\\|');
  // A span starting or ending with a backtick, or a space, needs padding; one space each side is stripped again.
  const pad = s.startsWith('`') || s.endsWith('`') || s.startsWith(' ') || s.endsWith(' ') ? ' ' : '';
  return `${fence}${pad}${s}${pad}${fence}`;
}

/**
 * A link destination that is safe to emit, or undefined: only absolute http(s) URLs without
 * credentials, with every character that could end the destination or a table cell percent-encoded.
 */
export function safeUrl(input: unknown): string | undefined {
  if (typeof input !== 'string') return undefined;
  const raw = input.trim();
  if (!/^https?:\/\//i.test(raw) || /[\u0000-\u0020\u007F-\u009F]/.test(raw)) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password || !url.hostname) return undefined;
  return url.href.replace(/[()<>|\\`'"[\] ]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** `[text](url)` when the URL is safe, else the escaped text alone. The text is escaped here. */
export function link(text: unknown, url: unknown, maxLength = Infinity): string {
  const label = escapeInline(text, maxLength);
  const href = safeUrl(url);
  if (!href || label === '') return label;
  return `[${label}](${href})`;
}

/** A short readable label for a URL: host and path without scheme, "www." or a trailing slash. */
export function urlLabel(url: string, maxLength = 60): string {
  try {
    const u = new URL(url);
    const label = `${u.hostname.replace(/^www\./, '')}${u.pathname === '/' ? '' : u.pathname.replace(/\/+$/, '')}`;
    return truncate(decodeURIComponentSafe(label), maxLength);
  } catch {
    return truncate(url, maxLength);
  }
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** An ATX heading whose text comes from data. */
export function heading(level: number, text: unknown, maxLength = 200): string {
  return `${'#'.repeat(Math.min(6, Math.max(1, level)))} ${escapeInline(text, maxLength) || '\\-'}`;
}

/**
 * A label safe inside a quoted Mermaid string on one line: letters, digits, spaces and a few
 * punctuation marks only (Mermaid has no escape for quotes and reads `%%`, `;` and brackets).
 */
export function mermaidLabel(input: unknown, maxLength = 40): string {
  const s = cleanText(input).replace(/[^\p{L}\p{N} ._/+-]+/gu, ' ').replace(/\s+/g, ' ').trim();
  return truncate(s, maxLength) || '?';
}
