// LaTeX accents and common text macros -> Unicode, for titles, abstracts and names.
// Text-safe: only patterns that are unmistakably TeX are rewritten; anything unknown, and any
// accent that does not compose into one Unicode letter, is left exactly as written. Math
// ($...$, \(...\), \[...\]) is left alone apart from letter accents such as $\"o$.

// Accents written with a punctuation character: \'e, \"{o}, {\`a}.
const SYMBOL_ACCENTS: Record<string, string> = {
  "'": '\u0301', // acute
  '`': '\u0300', // grave
  '^': '\u0302', // circumflex
  '"': '\u0308', // diaeresis
  '~': '\u0303', // tilde
  '=': '\u0304', // macron
  '.': '\u0307', // dot above
};

// Accents written with a letter: \v{c}, \c c, \H{o}.
const LETTER_ACCENTS: Record<string, string> = {
  u: '\u0306', // breve
  v: '\u030C', // caron
  H: '\u030B', // double acute
  c: '\u0327', // cedilla
  k: '\u0328', // ogonek
  r: '\u030A', // ring above
  d: '\u0323', // dot below
  b: '\u0331', // macron below
};

// Letters that are macros of their own: \ss, {\o}, \AA.
const LETTER_MACROS: Record<string, string> = {
  ss: 'ß',
  o: 'ø',
  O: 'Ø',
  ae: 'æ',
  AE: 'Æ',
  oe: 'œ',
  OE: 'Œ',
  aa: 'å',
  AA: 'Å',
  l: 'ł',
  L: 'Ł',
  i: 'ı',
  j: 'ȷ',
  dh: 'ð',
  DH: 'Ð',
  th: 'þ',
  TH: 'Þ',
  ng: 'ŋ',
  NG: 'Ŋ',
  dj: 'đ',
  DJ: 'Đ',
};

// Named symbols in text mode.
const SYMBOL_MACROS: Record<string, string> = {
  ldots: '…',
  dots: '…',
  textellipsis: '…',
  textendash: '–',
  textemdash: '—',
  copyright: '©',
  textcopyright: '©',
  textregistered: '®',
  texttrademark: '™',
  pounds: '£',
  textsterling: '£',
  euro: '€',
  texteuro: '€',
  S: '§',
  P: '¶',
  dag: '†',
  ddag: '‡',
  textdagger: '†',
  textdaggerdbl: '‡',
  textdegree: '°',
  textbullet: '•',
  textperiodcentered: '·',
  textquotedblleft: '“',
  textquotedblright: '”',
  textquoteleft: '‘',
  textquoteright: '’',
  guillemotleft: '«',
  guillemotright: '»',
  textless: '<',
  textgreater: '>',
  textbackslash: '\\',
  textasciitilde: '~',
  textasciicircum: '^',
  textunderscore: '_',
  textbar: '|',
  textexclamdown: '¡',
  textquestiondown: '¿',
  LaTeX: 'LaTeX',
  TeX: 'TeX',
};

// Commands whose one braced argument is the visible text: \emph{x} -> x.
const TEXT_COMMANDS = new Set([
  'emph',
  'textit',
  'textbf',
  'textsc',
  'texttt',
  'textrm',
  'textsf',
  'textsl',
  'textup',
  'textmd',
  'textnormal',
  'underline',
  'mbox',
  'hbox',
  'text',
  'url',
  'nolinkurl',
]);

// Font switches used as {\em x}: the group's text is kept, the switch dropped.
const FONT_SWITCHES = new Set(['em', 'it', 'bf', 'sc', 'tt', 'rm', 'sf', 'sl', 'up', 'itshape', 'bfseries', 'scshape', 'ttfamily', 'rmfamily', 'sffamily', 'upshape', 'mdseries', 'normalfont', 'small', 'large', 'footnotesize', 'scriptsize', 'tiny']);

// Characters escaped with a backslash in text.
const ESCAPES: Record<string, string> = { '&': '&', '%': '%', $: '$', '#': '#', _: '_', '{': '{', '}': '}' };

const MAYBE_TEX = /[\\`~{]/;

const TIE_BEFORE_REF = /~(?=\\(?:cite[a-z]*|ref|eqref|autoref|cref|Cref|pageref)\b)/g;
const TIE_AFTER_ABBREV =
  /(\b(?:Figs?|Eqs?|Refs?|Secs?|Sects?|Tabs?|Thms?|Lems?|Props?|Defs?|Cors?|Chaps?|Apps?|al|e\.g|i\.e|cf|vs|resp|No|Nos|pp?|Vol)\.|\b(?:Figures?|Tables?|Equations?|Sections?|Chapters?|Appendix|Theorem|Lemma|Proposition|Definition|Corollary|Algorithm|Step|Part))~(?=[\p{L}\p{N}(\[\\])/gu;

/** Compose base + combining mark; undefined unless the result is one precomposed character. */
function compose(base: string, mark: string): string | undefined {
  // \" on a consonant is far more often an escaped quote (\"Hello\") than an accent.
  if (mark === '\u0308' && !/^[aeiouyAEIOUYı]$/.test(base)) return undefined;
  const b = base === 'ı' ? 'i' : base === 'ȷ' ? 'j' : base;
  const out = (b + mark).normalize('NFC');
  return [...out].length === 1 ? out : undefined;
}

// The argument of an accent: {e}, {\i}, { e }, e, \i, or (for letter accents) " e".
const ACCENT_ARG = String.raw`(?:\{\s*(\\[ij](?![A-Za-z])|[A-Za-z])\s*\}|(\\[ij](?![A-Za-z]))\s*|([A-Za-z]))`;
const SYMBOL_ACCENT_RE = new RegExp(String.raw`(\{)?\\(['\`^"~=.])\s*${ACCENT_ARG}(\})?`, 'g');
const LETTER_ACCENT_RE = new RegExp(
  String.raw`(\{)?\\([uvHckrdb])(?:\s*\{\s*(\\[ij](?![A-Za-z])|[A-Za-z])\s*\}|\s+(\\[ij](?![A-Za-z])|[A-Za-z]))(\})?`,
  'g',
);

function accentArg(a: string | undefined, b: string | undefined, c: string | undefined): string {
  const arg = a ?? b ?? c ?? '';
  return arg === '\\i' ? 'ı' : arg === '\\j' ? 'ȷ' : arg;
}

/** Rewrite accent macros; a surrounding {..} group that holds only the accent is dropped too. */
function replaceAccents(s: string, withLetterAccents: boolean): string {
  let out = s.replace(SYMBOL_ACCENT_RE, (whole, open: string | undefined, acc: string, a?: string, b?: string, c?: string, close?: string) => {
    const ch = compose(accentArg(a, b, c), SYMBOL_ACCENTS[acc]);
    if (!ch) return whole;
    if (open && close) return ch;
    return (open ?? '') + ch + (close ?? '');
  });
  if (withLetterAccents) {
    out = out.replace(LETTER_ACCENT_RE, (whole, open: string | undefined, acc: string, a?: string, b?: string, close?: string) => {
      const ch = compose(accentArg(a, b, undefined), LETTER_ACCENTS[acc]);
      if (!ch) return whole;
      if (open && close) return ch;
      return (open ?? '') + ch + (close ?? '');
    });
  }
  return out;
}

/** Index of the brace closing the group opened at `open`, or -1 when unbalanced. */
function matchingBrace(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const ch = s[i];
    if (ch === '\\') {
      i++;
      continue;
    }
    if (ch === '{') depth++;
    else if (ch === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** \emph{x} -> x, {\em x} -> x, \href{u}{t} -> t (u); groups that are not balanced stay as written. */
function replaceCommands(s: string): string {
  if (!s.includes('\\')) return s;
  let out = '';
  let i = 0;
  while (i < s.length) {
    const ch = s[i];
    if (ch === '{' && s[i + 1] === '\\') {
      // {\em text}
      const m = /^\\([A-Za-z]+)(?![A-Za-z])\s*/.exec(s.slice(i + 1, i + 40));
      if (m && FONT_SWITCHES.has(m[1])) {
        const close = matchingBrace(s, i);
        if (close > 0) {
          // {\em{x}} as well as {\em x}
          out += replaceCommands(s.slice(i + 1 + m[0].length, close).replace(/^\{([^{}]*)\}$/, '$1'));
          i = close + 1;
          continue;
        }
      }
    }
    if (ch === '\\') {
      const m = /^\\([A-Za-z]+)(?![A-Za-z])/.exec(s.slice(i, i + 40));
      if (m) {
        const name = m[1];
        const after = i + m[0].length;
        if (TEXT_COMMANDS.has(name) && s[after] === '{') {
          const close = matchingBrace(s, after);
          if (close > 0) {
            out += replaceCommands(s.slice(after + 1, close));
            i = close + 1;
            continue;
          }
        }
        if (name === 'href' && s[after] === '{') {
          const c1 = matchingBrace(s, after);
          if (c1 > 0 && s[c1 + 1] === '{') {
            const c2 = matchingBrace(s, c1 + 1);
            if (c2 > 0) {
              const url = s.slice(after + 1, c1).replace(/\\([_%#&~])/g, '$1');
              const text = replaceCommands(s.slice(c1 + 2, c2)).trim();
              out += !text || text === url ? url : `${text} (${url})`;
              i = c2 + 1;
              continue;
            }
          }
        }
      }
    }
    out += ch;
    i++;
  }
  return out;
}

/** Text-mode conversion of one stretch of text that holds no math. */
function convertText(s: string): string {
  // "\\" (a TeX line break) is kept as written and must not read as "\" + the next character.
  if (s.includes('\\\\')) {
    return s
      .split('\\\\')
      .map((part) => convertText(part))
      .join('\\\\');
  }
  let t = replaceAccents(s, true);
  t = replaceCommands(t);
  // Letter macros: \ss, {\o}, \o{}, "\aa " (the space after a control word is TeX syntax).
  t = t.replace(/(\{)?\\([A-Za-z]{1,2})(?![A-Za-z])(\{\})?( (?=[A-Za-z]))?(\})?/g, (whole, open, name: string, _empty, _space, close) => {
    const ch = LETTER_MACROS[name];
    if (ch === undefined) return whole;
    if (open && close) return ch;
    return (open ?? '') + ch + (close ?? '');
  });
  // Named symbols: \ldots, {\copyright}, and arXiv's {\deg} for the degree sign.
  t = t.replace(/\{\\deg\}/g, '°');
  t = t.replace(/(\{)?\\([A-Za-z]+)(?![A-Za-z])(\{\})?(\})?/g, (whole, open, name: string, _empty, close) => {
    const ch = SYMBOL_MACROS[name];
    if (ch === undefined) return whole;
    if (open && close) return ch;
    return (open ?? '') + ch + (close ?? '');
  });
  // Escaped characters and spacing commands.
  t = t.replace(/\\([&%$#_{}])/g, (_m, c: string) => ESCAPES[c]);
  t = t.replace(/\\[ ,;:]/g, ' ').replace(/\\-/g, '').replace(/\\\//g, '');
  // ``quoted'' -> “quoted” (only paired, and not across paragraphs).
  t = t.replace(/``([^`\n]{0,400}?)(?:''|")/g, '“$1”');
  // A tie ("Fig.~3", "et al.~\cite{x}") is a space. Elsewhere "~" often means "about" ("z~2.5")
  // or sits in a URL ("/~user"), so it stays.
  t = t.replace(TIE_BEFORE_REF, ' ').replace(TIE_AFTER_ABBREV, '$1 ');
  return t;
}

/** Positions of math spans: $..$, $$..$$, \(..\), \[..\]; unmatched delimiters are plain text. */
function splitMath(s: string): Array<{ math: boolean; text: string }> {
  const parts: Array<{ math: boolean; text: string }> = [];
  let last = 0;
  let i = 0;
  while (i < s.length) {
    const ch = s[i];
    if (ch === '\\') {
      const next = s[i + 1];
      if (next === '(' || next === '[') {
        const closer = next === '(' ? '\\)' : '\\]';
        const end = s.indexOf(closer, i + 2);
        if (end > 0) {
          if (i > last) parts.push({ math: false, text: s.slice(last, i) });
          parts.push({ math: true, text: s.slice(i, end + 2) });
          i = last = end + 2;
          continue;
        }
      }
      i += 2; // skip the escaped character (\$ is not math)
      continue;
    }
    if (ch === '$') {
      const dbl = s[i + 1] === '$';
      const open = dbl ? 2 : 1;
      let j = i + open;
      let end = -1;
      while (j < s.length) {
        if (s[j] === '\\') {
          j += 2;
          continue;
        }
        if (s[j] === '$') {
          if (!dbl) {
            end = j + 1;
            break;
          }
          if (s[j + 1] === '$') {
            end = j + 2;
            break;
          }
        }
        j++;
      }
      if (end > 0) {
        if (i > last) parts.push({ math: false, text: s.slice(last, i) });
        parts.push({ math: true, text: s.slice(i, end) });
        i = last = end;
        continue;
      }
      i += open;
      continue;
    }
    i++;
  }
  if (last < s.length) parts.push({ math: false, text: s.slice(last) });
  return parts;
}

const PH_OPEN = '\uE000';
const PH_CLOSE = '\uE001';

/**
 * Run a text conversion over everything outside math: math spans are swapped for placeholders
 * first, so a group such as {\em the $k$-core} converts as a whole while the math stays intact.
 */
function outsideMath(s: string, convert: (text: string) => string): string {
  const parts = splitMath(s);
  if (parts.length === 1 && !parts[0].math) return convert(s);
  if (s.includes(PH_OPEN) || s.includes(PH_CLOSE)) {
    let out = '';
    for (const part of parts) out += part.math ? replaceAccents(part.text, false) : convert(part.text);
    return out;
  }
  const maths: string[] = [];
  let masked = '';
  for (const part of parts) {
    if (part.math) {
      masked += `${PH_OPEN}${maths.length}${PH_CLOSE}`;
      maths.push(replaceAccents(part.text, false));
    } else masked += part.text;
  }
  return convert(masked).replace(/\uE000(\d+)\uE001/g, (_m, n: string) => maths[Number(n)]);
}

/**
 * Turn LaTeX accents and common text macros into Unicode: C. Bal\'azs -> C. Balázs,
 * {\em i)} -> i), \"{o} -> ö, {\o} -> ø, \& -> &, ``x'' -> “x”. Math spans are kept as written
 * (apart from accented letters); unknown macros and uncomposable accents are kept unchanged.
 */
export function latexToUnicode(s: string): string {
  if (!MAYBE_TEX.test(s)) return s;
  return outsideMath(s, convertText);
}

function convertBibtexText(text: string): string {
  // Protect escaped braces before dropping the grouping ones.
  const t = convertText(text.replace(/\\\{/g, '\u0000').replace(/\\\}/g, '\u0001'));
  return t.replace(/[{}]/g, '').replace(/\u0000/g, '{').replace(/\u0001/g, '}');
}

/**
 * BibTeX values: LaTeX converted, then the grouping braces that protect case ({B}ayesian, {GAN})
 * removed outside math. Escaped braces (\{ \}) stay as characters.
 */
export function bibtexToUnicode(s: string): string {
  if (!MAYBE_TEX.test(s) && !s.includes('}')) return s;
  return outsideMath(s, convertBibtexText);
}
