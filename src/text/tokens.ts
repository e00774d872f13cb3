// Tokenizing and stemming through natural's own modules (never the package root: it is slow,
// reads .env and prints to stdout). Stems are cached: the vocabulary is small next to the corpus.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface Stemmer {
  stem(word: string): string;
}
interface Tokenizer {
  tokenize(text: string): string[];
}

const PorterStemmer: Stemmer = require('natural/lib/natural/stemmers/porter_stemmer.js');
const { RegexpTokenizer } = require('natural/lib/natural/tokenizers/regexp_tokenizer.js') as {
  RegexpTokenizer: new (opts: { pattern: RegExp }) => Tokenizer;
};
const naturalStopwords: string[] = require('natural/lib/natural/util/stopwords.js').words;

// Split on anything that is not a letter or digit: "kernel-level" -> kernel, level; keeps "poincaré".
const wordTokenizer = new RegexpTokenizer({ pattern: /[^\p{L}\p{N}]+/u });

/** English stopwords (natural's list) plus words that carry no topic in an abstract. */
export const STOPWORDS: ReadonlySet<string> = new Set([
  ...naturalStopwords,
  ...'a an the of in on for to and or with by from as at is are was were be been being this that these those it its we our us they their them which who whom whose what when where how than then there here such can may might must will would should could also into onto via using use used uses based paper papers propose proposes proposed present presents presented show shows shown study studies approach approaches method methods result results work works new novel et al e g i ie eg etc one two three four five first second however thus therefore moreover furthermore while whereas although within without across among between both each other others more most much many several various well able way ways given make makes made provide provides provided achieve achieves achieved demonstrate demonstrates demonstrated significant significantly existing state art further due problem problems task tasks previous prior recent recently often even still yet only just very highly large small different same many number numbers including include includes'.split(' '),
]);

const MAX_STEM_CACHE = 500_000;
const stemCache = new Map<string, string>();

/** Porter stem of a lower-case word, cached. */
export function stem(word: string): string {
  let s = stemCache.get(word);
  if (s === undefined) {
    s = PorterStemmer.stem(word);
    if (stemCache.size < MAX_STEM_CACHE) stemCache.set(word, s);
  }
  return s;
}

/** Lower-case word tokens in order (no stopword removal). */
export function tokenize(text: string): string[] {
  if (!text) return [];
  return wordTokenizer.tokenize(text.toLowerCase());
}

export interface Token {
  surface: string; // lower-case word as written
  stem: string;
  stop: boolean;
}

/** Tokens with stems and a stopword flag; numbers-only and one-letter tokens count as stopwords. */
export function analyze(text: string): Token[] {
  const out: Token[] = [];
  for (const surface of tokenize(text)) {
    const stop = STOPWORDS.has(surface) || surface.length < 2 || /^\d+$/.test(surface);
    out.push({ surface, stem: stop ? surface : stem(surface), stop });
  }
  return out;
}

/** Stems of the content words of a text, in order. */
export function contentStems(text: string): string[] {
  const out: string[] = [];
  for (const surface of tokenize(text)) {
    if (surface.length < 2 || STOPWORDS.has(surface) || /^\d+$/.test(surface)) continue;
    out.push(stem(surface));
  }
  return out;
}
