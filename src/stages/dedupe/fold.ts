// Text folding for comparison: two spellings of one title must fold to the same words.
// Folds HTML entities, LaTeX accents and macros, Unicode compatibility forms (ligatures, full-width),
// combining accents, curly quotes and dashes, Greek letters (so "$\alpha$" meets "α"), and case.
import { fmix32, hashString } from './hash.js';

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', mdash: '-', ndash: '-', hellip: '...',
  lsquo: "'", rsquo: "'", ldquo: '"', rdquo: '"', laquo: '"', raquo: '"', shy: '', szlig: 'ss',
  aelig: 'ae', oelig: 'oe', oslash: 'o', eth: 'd', thorn: 'th', times: 'x', middot: ' ', deg: ' ',
};
// &auml; &eacute; ... : a base letter plus an accent name; the accent is dropped anyway.
const ACCENT_ENTITY = /^([a-zA-Z])(uml|acute|grave|circ|tilde|ring|cedil|caron|macr|breve|ogon|dot)$/;

function decodeEntity(body: string): string {
  if (body[0] === '#') {
    const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
    if (Number.isFinite(code) && code > 0 && code <= 0x10ffff) return String.fromCodePoint(code);
    return ' ';
  }
  const named = NAMED_ENTITIES[body] ?? NAMED_ENTITIES[body.toLowerCase()];
  if (named !== undefined) return named;
  const m = ACCENT_ENTITY.exec(body);
  if (m) return m[1];
  return ' ';
}

// LaTeX letters without a decomposition.
const LATEX_LETTERS: Record<string, string> = { ss: 'ss', o: 'o', O: 'o', aa: 'a', AA: 'a', ae: 'ae', AE: 'ae', oe: 'oe', OE: 'oe', l: 'l', L: 'l', i: 'i', j: 'j' };
// Formatting macros whose name is not part of the text.
const LATEX_FORMAT = new Set([
  'emph', 'textbf', 'textit', 'textrm', 'textsf', 'texttt', 'textsc', 'textup', 'textsl', 'textnormal', 'text',
  'mathrm', 'mathbf', 'mathit', 'mathsf', 'mathtt', 'mathcal', 'mathbb', 'mathfrak', 'mathscr', 'boldsymbol', 'bm',
  'operatorname', 'it', 'bf', 'rm', 'em', 'sf', 'tt', 'sc', 'cal', 'small', 'large', 'Large', 'normalsize', 'footnotesize',
  'url', 'href', 'cite', 'left', 'right', 'big', 'Big', 'bigg', 'Bigg', 'displaystyle', 'textstyle', 'mbox', 'hbox',
  'ensuremath', 'xspace', 'noindent', 'newline', 'hspace', 'vspace', 'quad', 'qquad', 'tilde', 'hat', 'bar', 'vec',
  'widetilde', 'widehat', 'overline', 'underline', 'dot', 'ddot',
]);

// Letters that NFKD does not decompose into ASCII.
const SPECIAL_LETTERS: Record<string, string> = {
  ß: 'ss', æ: 'ae', Æ: 'ae', œ: 'oe', Œ: 'oe', ø: 'o', Ø: 'o', đ: 'd', Đ: 'd', ð: 'd', Ð: 'd', þ: 'th', Þ: 'th',
  ł: 'l', Ł: 'l', ı: 'i', ħ: 'h', ŋ: 'ng', ſ: 's',
};
const GREEK = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon phi chi psi omega'.split(' ');
const GREEK_LOWER = 'αβγδεζηθικλμνξοπρστυφχψω';
const GREEK_UPPER = 'ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩ';
const LETTER_MAP = new Map<string, string>();
for (const [k, v] of Object.entries(SPECIAL_LETTERS)) LETTER_MAP.set(k, v);
for (let i = 0; i < GREEK.length; i++) {
  LETTER_MAP.set(GREEK_LOWER[i], ` ${GREEK[i]} `);
  LETTER_MAP.set(GREEK_UPPER[i], ` ${GREEK[i]} `);
}
LETTER_MAP.set('ς', ' sigma ');
LETTER_MAP.set('ϑ', ' theta ');
LETTER_MAP.set('ϕ', ' phi ');
LETTER_MAP.set('ϵ', ' epsilon ');
const SPECIAL_RE = new RegExp(`[${[...LETTER_MAP.keys()].join('')}]`, 'gu');

// Apostrophes join ("Editor's" = "Editors"); every other non-alphanumeric separates words.
const APOSTROPHES = /['\u2018\u2019\u02bc\u0060\u00b4\u2032]/g;

function foldLatex(text: string): string {
  return hasLatex(text) ? latexBraces(latexMacros(text)) : text;
}

/** True when foldLatex changes anything (it works on text with a backslash, a dollar or a brace). */
function hasLatex(text: string): boolean {
  return text.includes('\\') || text.includes('$') || text.includes('{');
}

/** The macro steps of foldLatex (every one needs a backslash). */
function latexMacros(text: string): string {
  if (!text.includes('\\')) return text;
  let s = text;
  // Accent macros: \"o, \"{o}, {\"o}, \'{\i}, \v c ... keep the letter.
  s = s.replace(/\\(["'`^~=.uvHcdbkrt])\s*(?:\{\s*\\?([a-zA-Z])\s*\}|\\?([a-zA-Z]))/g, (_m, _a, b, c) => b ?? c);
  // Letter macros: \ss, \o, \aa, \l, \i ... (only when not the start of a longer macro name).
  s = s.replace(/\\(ss|aa|AA|ae|AE|oe|OE|o|O|l|L|i|j)(?![a-zA-Z])/g, (_m, name: string) => LATEX_LETTERS[name] ?? name);
  // Escaped specials.
  s = s.replace(/\\([&%$#_{}])/g, ' ');
  // Other macros: formatting ones vanish, the rest (\alpha, \log) become words.
  s = s.replace(/\\([a-zA-Z]+)\*?/g, (_m, name: string) => (LATEX_FORMAT.has(name) ? ' ' : ` ${name} `));
  return s.replace(/\\./g, ' ');
}

/** The last step of foldLatex: braces vanish, math and spacing marks separate. */
function latexBraces(s: string): string {
  return s.replace(/[{}$~^_]/g, (c) => (c === '{' || c === '}' ? '' : ' '));
}

/**
 * Fold text to lower-case alphanumeric words separated by single spaces.
 * "Eﬃcient  “Löwner”–\emph{type} bounds" and "Efficient Lowner-type bounds" fold alike.
 */
export function foldText(text: string): string {
  let s = text;
  if (s.includes('&')) s = s.replace(ENTITY, (_m, body: string) => decodeEntity(body));
  s = foldLatex(s);
  // Plain ASCII (most titles and abstracts) needs no Unicode work: one pass over the characters.
  return ASCII.test(s) ? foldAscii(s) : foldUnicode(s);
}

/** The Unicode part of foldText (entities and LaTeX already done). */
function foldUnicode(text: string): string {
  let s = text.normalize('NFKD').replace(MARKS, '');
  s = s.replace(SPECIAL_RE, (c) => LETTER_MAP.get(c) ?? c);
  s = s.replace(APOSTROPHES, '');
  return s.toLowerCase().replace(NON_WORD, ' ').trim();
}

/** foldText for ASCII input: letters and digits lower-cased, apostrophes dropped, the rest separates. */
function foldAscii(s: string): string {
  let out = '';
  let start = -1; // start of the current run of kept characters in s
  let pendingSpace = false;
  const flush = (end: number) => {
    if (start < 0) return;
    if (pendingSpace && out) out += ' ';
    out += s.slice(start, end).toLowerCase();
    start = -1;
    pendingSpace = false;
  };
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const word = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
    if (word) {
      if (start < 0) start = i;
    } else if (c === 39 || c === 96) {
      // An apostrophe joins: "Editor's" -> "editors".
      if (start >= 0) {
        flush(i);
        pendingSpace = false;
      }
    } else {
      flush(i);
      pendingSpace = true;
    }
  }
  flush(s.length);
  return out;
}

const ENTITY = /&(#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});?/g;
const ASCII = /^[\x00-\x7f]*$/;
const MARKS = /\p{M}+/gu;
const NON_WORD = /[^\p{L}\p{N}]+/gu;

/**
 * Hashes (hashString with `seed`) of the words of foldText(text), without building the strings for
 * ASCII text. Returns the buffer used (grown when needed) and the number of words.
 */
export function foldedWordHashes(text: string, seed: number, buffer: Uint32Array): { buffer: Uint32Array; count: number } {
  let s = text;
  if (s.includes('&')) s = s.replace(ENTITY, (_m, body: string) => decodeEntity(body));
  // foldLatex in two parts: the macros here; its last step (braces dropped, $ ~ ^ _ blanked, and
  // those separate words anyway) is done by the word loop.
  const dropBraces = hasLatex(s);
  if (dropBraces) s = latexMacros(s);
  const count = asciiWordHashes(s, seed, buffer, dropBraces);
  if (count >= 0) return { buffer: wordBuffer, count };
  // Not ASCII: the Unicode fold, then the words hashed one by one.
  if (dropBraces) s = latexBraces(s);
  let buf = buffer;
  let n = 0;
  const folded = foldUnicode(s);
  if (folded) {
    for (const w of folded.split(' ')) {
      if (n === buf.length) buf = grow(buf);
      buf[n++] = hashString(w, seed);
    }
  }
  return { buffer: buf, count: n };
}

let wordBuffer: Uint32Array = new Uint32Array(0);

function grow(buf: Uint32Array): Uint32Array {
  const grown = new Uint32Array(Math.max(16, buf.length * 2));
  grown.set(buf);
  return grown;
}

/**
 * hashString of each lower-cased word of ASCII text (apostrophes, and braces when `dropBraces`, join;
 * any other non-alphanumeric separates) into `buffer` (grown into wordBuffer when needed), with
 * the buffer used left in wordBuffer. Returns the number of words, or -1 at the first non-ASCII character.
 */
function asciiWordHashes(s: string, seed: number, buffer: Uint32Array, dropBraces: boolean): number {
  const start = (seed ^ 0x811c9dc5) | 0;
  let buf = buffer;
  let count = 0;
  let h = start;
  let len = 0;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c >= 97) {
      if (c <= 122) {
        h = Math.imul(h ^ c, 0x01000193);
        len++;
        continue;
      }
      if (c >= 128) return -1;
      if (dropBraces && (c === 123 || c === 125)) continue;
    } else if (c >= 65 && c <= 90) {
      c += 32;
      h = Math.imul(h ^ c, 0x01000193);
      len++;
      continue;
    } else if (c >= 48 && c <= 57) {
      h = Math.imul(h ^ c, 0x01000193);
      len++;
      continue;
    } else if (c === 39) continue; // an apostrophe joins the word
    if (c === 96) continue; // so does a backtick
    if (len > 0) {
      if (count === buf.length) buf = grow(buf);
      buf[count++] = fmix32(h ^ len);
      h = start;
      len = 0;
    }
  }
  if (len > 0) {
    if (count === buf.length) buf = grow(buf);
    buf[count++] = fmix32(h ^ len);
  }
  wordBuffer = buf;
  return count;
}

/** Words of folded text. */
export function foldWords(text: string): string[] {
  const f = foldText(text);
  return f ? f.split(' ') : [];
}

// Function words do not make a title specific.
const FUNCTION_WORDS = new Set(
  'a an the of on in for to and or with by from at as is are be its it this that via into over under about s vs versus'.split(' '),
);

/** Number of words in a folded title that are not function words. */
export function contentWordCount(folded: string): number {
  let n = 0;
  for (const w of folded.split(' ')) if (w && !FUNCTION_WORDS.has(w)) n++;
  return n;
}

/** The first n content words of a folded title joined by spaces, or undefined when it has fewer. */
export function leadingContentWords(folded: string, n: number): string | undefined {
  const out: string[] = [];
  for (const w of folded.split(' ')) {
    if (!w || FUNCTION_WORDS.has(w)) continue;
    out.push(w);
    if (out.length === n) return out.join(' ');
  }
  return undefined;
}

/** What the dedupe index keeps of a folded title, from one split (see the functions it stands for). */
export interface TitleFeatures {
  /** contentWordCount(folded) */
  contentWords: number;
  /** leadingContentWords(folded, headWords) */
  head: string | undefined;
  /** isGenericTitleText(folded) */
  generic: boolean;
  /** numberTokens(folded) */
  numbers: string;
}

/** contentWordCount, leadingContentWords, isGenericTitleText and numberTokens of folded text at once. */
export function titleFeatures(folded: string, headWords: number): TitleFeatures {
  const words = folded.split(' ');
  let contentWords = 0;
  let head: string | undefined;
  let headParts: string[] | undefined;
  // isGenericTitleText: the list, or list words only (function words and numbers aside).
  let generic: boolean | undefined = folded === '' || GENERIC_TITLE.test(folded) ? true : undefined;
  let genericWords = 0;
  let numbers: string[] | undefined;
  for (const w of words) {
    const fn = FUNCTION_WORDS.has(w);
    if (w && !fn) {
      contentWords++;
      if (head === undefined) {
        (headParts ??= []).push(w);
        if (headParts.length === headWords) head = headParts.join(' ');
      }
    }
    let digits = 0;
    for (let k = 0; k < w.length; k++) {
      const c = w.charCodeAt(k);
      if (c >= 48 && c <= 57) digits++;
    }
    if (w && (digits > 0 || ROMAN.has(w))) (numbers ??= []).push(w);
    if (generic === undefined && !fn && !(digits > 0 && digits === w.length)) {
      if (!GENERIC_WORDS.has(w)) generic = false;
      else genericWords++;
    }
  }
  return { contentWords, head, generic: generic ?? genericWords > 0, numbers: numbers ? numbers.sort().join(' ') : '' };
}

// Titles that name a kind of item rather than a paper: many different items carry them.
const GENERIC_TITLE = new RegExp(
  '^(?:' +
    [
      '(?:guest |the )?editorials?(?: board| notes?| comments?| introduction| message| foreword)?',
      '(?:guest )?editors? (?:notes?|introduction|comments?|message|letter|corner|column|foreword|preface|choice|report|remarks)',
      '(?:a )?(?:note|notes|letter|letters|message|word|words|remarks) (?:from|by|of) the (?:guest )?(?:editors?|chairs?|chairman|president|director|program chairs?|general chairs?|organizers?)',
      'from the (?:guest )?(?:editors?|editors desk|chairs?|president|publisher)',
      'letters? to the editors?',
      '(?:general |program |conference |workshop |track )?(?:co )?(?:chairs?|chairmans|chairpersons|chairs) (?:message|welcome|foreword|introduction|report|letter|column)',
      '(?:presidents?|treasurers?|secretarys?|directors?|publishers?|organizers?) (?:message|letter|column|report|corner|welcome|foreword)',
      'introduction(?: to (?:the|this) (?:special )?(?:issue|section|volume))?',
      'special (?:issue|section)(?: introduction| editorial| foreword| preface)?',
      'preface|foreword|prologue|epilogue|afterword|overview|summary|conclusions?|acknowledge?ments?',
      'errat(?:um|a)|corrigend(?:um|a)|addend(?:um|a)|retraction(?: notice)?|corrections?|expression of concern',
      'in memoriam|obituary|obituaries|tribute',
      'announcements?|news|news briefs?|calendar(?: of events)?|events|calls? for (?:papers|participation)|cfp',
      '(?:author |subject |keyword |cumulative )?index(?:es)?|(?:table of )?contents|front matter|back matter|frontmatter|backmatter',
      '(?:list of )?(?:reviewers|referees)|reviewers list|program committee|committees?|organizing committee|sponsors',
      '(?:panel|panel discussion|panel session|discussion|reply|response|rejoinder|comments?|commentary|correspondence)',
      '(?:keynote|plenary)(?: address| talk| speech| lecture)?|invited talk|tutorial|welcome(?: message)?',
      '(?:book )?reviews?(?: column)?|book review column|reports?|minutes|abstracts?|forum|untitled|no title|title',
    ].join('|') +
    ')$',
);

// Words that name kinds of items rather than topics. A title made only of these (and function
// words and numbers) is generic: "Title, Foreword", "Calls for Papers / Announcements", "Vice Chair's Message".
const GENERIC_WORDS = new Set(
  (
    'title titles foreword forewords preface prefaces index indexes indices editorial editorials editor editors ' +
    'introduction introductions intro note notes message messages news newsletter announcement announcements call calls ' +
    'papers paper review reviews reviewed book books column columns chair chairs chairman chairmans chairperson chairpersons ' +
    'cochair cochairs vice president presidents treasurer treasurers secretary secretarys director directors letter letters ' +
    'report reports abstract abstracts content contents table erratum errata corrigendum corrigenda addendum addenda ' +
    'correction corrections retraction obituary obituaries memoriam keynote keynotes address addresses panel panels ' +
    'discussion discussions reply replies response responses comment comments welcome forum guest special issue issues ' +
    'section sections volume vol front back matter reviewers referees committee committees program programme general ' +
    'minutes calendar events event acknowledgment acknowledgments acknowledgement acknowledgements articles article ' +
    'standards standard miscellany miscellaneous correspondence summary overview part officers board members ' +
    'from desk word words remarks opening closing session sessions invited talk talks lecture award awards'
  ).split(' '),
);

/** True for titles like "Editor's Notes", "Chair's Message", "Introduction", "Book Reviews" (folded input). */
export function isGenericTitleText(folded: string): boolean {
  if (folded === '' || GENERIC_TITLE.test(folded)) return true;
  let generic = 0;
  for (const w of folded.split(' ')) {
    if (FUNCTION_WORDS.has(w) || /^\d+$/.test(w)) continue;
    if (!GENERIC_WORDS.has(w)) return false;
    generic++;
  }
  return generic > 0;
}

// Words that make a title a different item about the same paper: "Erratum: X", "Comments on X".
const QUALIFIER_WORDS = new Set(
  'erratum errata corrigendum corrigenda addendum addenda correction corrections retraction retracted comment comments reply response rejoinder rebuttal discussion'.split(' '),
);

/** True when the two folded titles differ by a word such as "erratum", "addendum" or "reply". */
export function differByQualifier(a: string, b: string): boolean {
  const wa = new Set(a.split(' '));
  const wb = new Set(b.split(' '));
  for (const w of wa) if (!wb.has(w) && QUALIFIER_WORDS.has(w)) return true;
  for (const w of wb) if (!wa.has(w) && QUALIFIER_WORDS.has(w)) return true;
  return false;
}

const NAME_SUFFIX = new Set(['jr', 'sr', 'ii', 'iii', 'iv', 'v', 'phd', 'md', 'jnr', 'snr']);
// Particles are not distinctive enough to identify an author on their own.
const PARTICLES = new Set(['de', 'da', 'del', 'della', 'der', 'den', 'des', 'di', 'do', 'dos', 'das', 'du', 'la', 'le', 'van', 'von', 'ten', 'ter', 'bin', 'ibn', 'al', 'el', 'st', 'y', 'e']);

/**
 * Surname keys of one author string, most likely surname first: "Surname, Given" -> Surname;
 * "Given M. Surname Jr." -> Surname; "Surname AB" (PubMed style, initials last) -> Surname.
 * A second key is the word before the surname when the name has three or more words, so compound
 * surnames ("Rafael Camps Paré" / "Rafael Camps") still meet. Folded, so accents and entities do not matter.
 */
export function surnameKeys(author: string): string[] {
  const raw = author.trim();
  // A name whose letters were lost to a bad encoding ("B?hm", "Kr\uFFFDmer") can neither match nor veto.
  if (!raw || /\p{L}[?\uFFFD]|[?\uFFFD]\p{L}/u.test(raw)) return [];
  const comma = raw.indexOf(',');
  if (comma > 0) {
    const before = foldWords(raw.slice(0, comma));
    const after = foldWords(raw.slice(comma + 1));
    // "John Smith, Jr." -> the comma only separates a suffix.
    if (after.length > 0 && after.every((w) => NAME_SUFFIX.has(w))) return keysOf(before, true);
    if (before.length > 0) return keysOf(before, false);
  }
  // PubMed "Smith JA": the last token is 1-3 upper-case initials.
  const tokens = raw.split(/\s+/);
  const last = tokens[tokens.length - 1].replace(/\./g, '');
  if (tokens.length >= 2 && /^[A-Z]{1,3}$/.test(last) && !/^[A-Z]{1,3}$/.test(tokens[0])) {
    const w = foldWords(tokens.slice(0, -1).join(' '));
    if (w.length) return keysOf(w, false);
  }
  return keysOf(foldWords(raw), true);
}

/** The main surname of an author string (see surnameKeys). */
export function surnameOf(author: string): string | undefined {
  return surnameKeys(author)[0];
}

// words: the folded name; givenFirst: the first word is a given name (not a surname candidate).
function keysOf(words: string[], givenFirst: boolean): string[] {
  let end = words.length;
  while (end > 1 && NAME_SUFFIX.has(words[end - 1])) end--;
  const useful: string[] = [];
  for (let k = givenFirst ? 1 : 0; k < end; k++) if (words[k].length > 1 && !PARTICLES.has(words[k])) useful.push(words[k]);
  if (useful.length === 0) {
    const fallback = words.slice(0, end).filter((w) => w.length > 1);
    return fallback.length ? [fallback[fallback.length - 1]] : words.length ? [words[words.length - 1]] : [];
  }
  const keys = [useful[useful.length - 1]];
  if (useful.length >= 2) keys.push(useful[useful.length - 2]);
  return keys;
}

/** Author names from a field that may be a list or one string ("A; B", "A and B", "A, B"). */
export function authorList(value: unknown): string[] {
  if (Array.isArray(value)) {
    // Repair lists split at the ";" of an HTML entity ("B&#246", "hlen, ..."), then split items that
    // hold several names ("A B, C D").
    const items: string[] = [];
    for (const v of value) {
      if (typeof v !== 'string' || v.trim() === '') continue;
      const last = items.length - 1;
      if (last >= 0 && items[last].includes('&') && /&#?[A-Za-z0-9]{1,8}$/.test(items[last])) items[last] += `;${v}`;
      else items.push(v);
    }
    if (!items.some((item) => item.includes(','))) return items;
    return items.flatMap((item) => {
      if (!item.includes(',')) return [item];
      const parts = item.split(',').map((p) => p.trim()).filter(Boolean);
      return parts.length >= 3 || (parts.length === 2 && parts.every((p) => p.split(/\s+/).length >= 2)) ? parts : [item];
    });
  }
  if (typeof value === 'string' && value.trim()) {
    if (value.includes(';')) return value.split(';').map((p) => p.trim()).filter(Boolean);
    const parts = value.split(/,|\s+and\s+/).map((p) => p.trim()).filter(Boolean);
    // "Ada Lovelace, Alan Turing": every part is a whole name. "Lovelace, A., Turing, A.": pairs.
    if (parts.every((p) => p.split(/\s+/).length >= 2)) return parts;
    const pairs: string[] = [];
    for (let k = 0; k < parts.length; k += 2) pairs.push(parts[k + 1] ? `${parts[k]}, ${parts[k + 1]}` : parts[k]);
    return pairs;
  }
  return [];
}

/** Surname keys of each author ("et al." and "others" are not authors); authors without a key are left out. */
export function authorKeys(value: unknown): string[][] {
  const out: string[][] = [];
  for (const a of authorList(value)) {
    const keys = cachedSurnameKeys(a);
    if (keys.length) out.push(keys);
  }
  return out;
}

// The same people write many papers: remember recent names (bounded; cleared when full).
const NAME_CACHE_LIMIT = 200_000;
const nameCache = new Map<string, string[]>();
const NOT_AN_AUTHOR = /^(?:et\.? al\.?|others|and others)$/i;

function cachedSurnameKeys(author: string): string[] {
  let keys = nameCache.get(author);
  if (keys === undefined) {
    keys = NOT_AN_AUTHOR.test(author.trim()) ? [] : surnameKeys(author);
    if (nameCache.size >= NAME_CACHE_LIMIT) nameCache.clear();
    nameCache.set(author, keys);
  }
  return keys;
}

// Hashes of the surname keys of recent names (bounded like nameCache), for one seed at a time: a
// name maps to its pair's place in hashPairs (-1: no key).
const hashPairIndex = new Map<string, number>();
let hashPairs = new Uint32Array(2048);
let hashPairSeed = 0;

/**
 * The surname keys of authorKeys(value) as hashes: for each author with a key, hashString of its
 * first key and of its second (0 when there is none), each 1 when it hashes to 0. Appended to `out`
 * (two numbers per author); returns the number of authors.
 */
export function authorKeyHashes(value: unknown, seed: number, out: number[]): number {
  if (seed !== hashPairSeed) {
    hashPairIndex.clear();
    hashPairSeed = seed;
  }
  let count = 0;
  for (const a of authorList(value)) {
    let at = hashPairIndex.get(a);
    if (at === undefined) {
      const keys = NOT_AN_AUTHOR.test(a.trim()) ? [] : surnameKeys(a);
      if (hashPairIndex.size >= NAME_CACHE_LIMIT) hashPairIndex.clear();
      at = -1;
      if (keys.length) {
        at = 2 * hashPairIndex.size;
        if (at + 2 > hashPairs.length) {
          const grown = new Uint32Array(hashPairs.length * 2);
          grown.set(hashPairs);
          hashPairs = grown;
        }
        hashPairs[at] = hashString(keys[0], seed) || 1;
        hashPairs[at + 1] = keys.length > 1 ? hashString(keys[1], seed) || 1 : 0;
      }
      hashPairIndex.set(a, at);
    }
    if (at < 0) continue;
    out.push(hashPairs[at], hashPairs[at + 1]);
    count++;
  }
  return count;
}

/** Distinct main surnames of an author field, in order. */
export function surnames(value: unknown): string[] {
  const out: string[] = [];
  for (const keys of authorKeys(value)) if (!out.includes(keys[0])) out.push(keys[0]);
  return out;
}

/** True when a title tail numbers a part of a series: "part ii", "v2", "volume 3", "2", "ii". */
export function hasSeriesMarker(foldedTail: string): boolean {
  const words = foldedTail.split(' ').filter(Boolean);
  for (let k = 0; k < words.length; k++) {
    const w = words[k];
    if (ROMAN.has(w) || /^v\d+$/.test(w) || /^(?:part|parts|vol|volume|chapter|episode|no|number|version|edition|series)$/.test(w)) return true;
    if (/^\d+$/.test(w) && (k === words.length - 1 || words.length <= 2)) return true;
  }
  return false;
}

const ROMAN = new Set(['i', 'ii', 'iii', 'iv', 'v', 'vi', 'vii', 'viii', 'ix', 'x', 'xi', 'xii']);

/**
 * Words that number a title within a series: digits, roman numerals, and words with digits ("v2",
 * "3d"). "X, Part I" and "X, Part II", or "Y" and "Y v2", differ here; the sorted list is compared.
 */
export function numberTokens(folded: string): string {
  const out: string[] = [];
  for (const w of folded.split(' ')) if (w && (/\d/.test(w) || ROMAN.has(w))) out.push(w);
  return out.sort().join(' ');
}
