// A taxonomy is a file people edit by hand (YAML, or JSON, which YAML reads too): families with a
// colour, and tags with the phrases that give them, optionally only near (or not near) other phrases.
// Phrases are words, matched after tokenizing and stemming; no pattern language, so nothing a user
// writes can make matching slower than linear.
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import { DataError } from '../../errors.js';
import { tokenize } from '../../text/tokens.js';

export const TAXONOMY_VERSION = 1;

/** Colours a family may use (chalk names). */
export const COLORS = [
  'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white', 'gray',
  'redBright', 'greenBright', 'yellowBright', 'blueBright', 'magentaBright', 'cyanBright', 'whiteBright',
] as const;
export type ColorName = (typeof COLORS)[number];

export interface PhraseRule {
  /** Words as written in the file. */
  phrase: string;
  /** At least one of these must occur within `window` tokens (when given). */
  near: string[];
  /** None of these may occur within `window` tokens. */
  notNear: string[];
  window: number;
  weight: number;
  /** Match the word forms as written (lower-cased) instead of their stems. */
  exact: boolean;
  /** Line in the taxonomy file (0 when unknown). */
  line: number;
}

export interface TagDefinition {
  id: string;
  family: string;
  name: string;
  description?: string;
  minScore: number;
  phrases: PhraseRule[];
  /** Tags also given whenever this one is. */
  implies: string[];
  line: number;
}

export interface FamilyDefinition {
  id: string;
  color: ColorName;
  description?: string;
  /** When no tag of this family reaches its min_score, give the best-scoring one that scored at all. */
  atLeastOne: boolean;
}

export interface TaxonomyDefaults {
  window: number;
  titleWeight: number;
  minScore: number;
}

export interface Taxonomy {
  version: number;
  name: string;
  /** Where it came from (for messages). */
  path: string;
  defaults: TaxonomyDefaults;
  families: FamilyDefinition[];
  tags: TagDefinition[];
}

export const TAG_ID = /^[a-z0-9][a-z0-9.+-]{0,63}$/;
const MAX_WINDOW = 100;
// Characters that only mean something in a pattern language; a phrase holding them was meant as a regex.
const PATTERN_CHARS = /[\\^$*+?()[\]{}|]/;
const MAX_ALIASES = 10_000;

type Value =
  | { kind: 'map'; entries: Array<[string, Value]>; line: number }
  | { kind: 'seq'; items: Value[]; line: number }
  | { kind: 'scalar'; value: unknown; line: number };

class Reader {
  private aliases = 0;
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    private readonly path: string,
  ) {}

  // yaml's Alias.resolve walks the whole document each time; index the anchors once instead.
  private anchors?: Map<string, Array<{ at: number; node: Node }>>;

  private resolve(name: string, at: number): Node | undefined {
    if (!this.anchors) {
      const anchors = new Map<string, Array<{ at: number; node: Node }>>();
      visit(this.doc, {
        Node(_key, node) {
          if (!isAlias(node) && node.anchor) {
            let list = anchors.get(node.anchor);
            if (!list) anchors.set(node.anchor, (list = []));
            list.push({ at: node.range?.[0] ?? 0, node });
          }
        },
      });
      this.anchors = anchors;
    }
    // The alias refers to the latest definition of the anchor before it.
    let found: Node | undefined;
    for (const d of this.anchors.get(name) ?? []) if (d.at < at) found = d.node;
    return found;
  }

  line(node: Node | null | undefined): number {
    const start = node?.range?.[0];
    return start === undefined ? 0 : this.lines.linePos(start).line;
  }

  read(node: unknown): Value {
    if (isAlias(node)) {
      if (++this.aliases > MAX_ALIASES) throw this.fail(`too many aliases (more than ${MAX_ALIASES})`, this.line(node));
      const target = this.resolve(node.source, node.range?.[0] ?? Infinity);
      if (!target) throw this.fail(`unresolved alias *${node.source}`, this.line(node));
      return this.read(target);
    }
    if (isMap(node)) {
      const entries: Array<[string, Value]> = [];
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (typeof key !== 'string' && typeof key !== 'number') {
          throw this.fail('map keys must be plain words', this.line(pair.key as Node));
        }
        entries.push([String(key), this.read(pair.value)]);
      }
      return { kind: 'map', entries, line: this.line(node) };
    }
    if (isSeq(node)) return { kind: 'seq', items: node.items.map((n) => this.read(n)), line: this.line(node) };
    if (isScalar(node)) return { kind: 'scalar', value: node.value, line: this.line(node) };
    return { kind: 'scalar', value: null, line: 0 };
  }

  fail(message: string, line: number): DataError {
    return new DataError(message, line ? { path: this.path, line } : { path: this.path });
  }
}

function describe(v: Value): string {
  if (v.kind === 'map') return 'a mapping';
  if (v.kind === 'seq') return 'a list';
  if (v.value === null) return 'empty';
  return `${typeof v.value} ${JSON.stringify(v.value)}`;
}

/**
 * Read and check a taxonomy. Every problem is a DataError naming the file, the line, the tag and
 * what is wrong ("tags.vision.phrases[2]: 'near' must be a list of phrases").
 */
export function parseTaxonomy(text: string, path: string): Taxonomy {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const line = e.linePos?.[0]?.line ?? (e.pos ? lines.linePos(e.pos[0]).line : 0);
    let message = e.message.split('\n')[0];
    if (e.code === 'DUPLICATE_KEY' && line) {
      const key = /^\s*([^:#]+?)\s*:/.exec(text.split(/\r?\n/)[line - 1] ?? '')?.[1];
      if (key) message = `'${key}' is defined twice in the same mapping (a tag id must be unique)`;
    }
    throw new DataError(`not valid YAML or JSON: ${message}`, line ? { path, line } : { path });
  }
  const r = new Reader(doc, lines, path);
  const root = r.read(doc.contents);
  if (root.kind !== 'map') throw r.fail(`a taxonomy is a mapping with 'tags' (and 'families', 'defaults'); found ${describe(root)}`, root.line);

  const top = new Map(root.entries);
  for (const [key, v] of root.entries) {
    if (!['version', 'name', 'description', 'defaults', 'families', 'tags'].includes(key)) {
      throw r.fail(`unknown top-level key '${key}' (expected version, name, description, defaults, families, tags)`, v.line);
    }
  }
  const version = top.get('version');
  if (version && !(version.kind === 'scalar' && version.value === TAXONOMY_VERSION)) {
    throw r.fail(`version: this papers understands taxonomy version ${TAXONOMY_VERSION}, found ${describe(version)}`, version.line);
  }
  const nameV = top.get('name');
  const name = nameV?.kind === 'scalar' && typeof nameV.value === 'string' ? nameV.value : path;

  const defaults: TaxonomyDefaults = { window: 8, titleWeight: 2, minScore: 2 };
  const d = top.get('defaults');
  if (d) {
    if (d.kind !== 'map') throw r.fail(`defaults must be a mapping, found ${describe(d)}`, d.line);
    for (const [key, v] of d.entries) {
      if (key === 'window') defaults.window = intIn(r, v, 'defaults.window', 0, MAX_WINDOW);
      else if (key === 'title_weight') defaults.titleWeight = numberIn(r, v, 'defaults.title_weight', 0, 100);
      else if (key === 'min_score') defaults.minScore = numberIn(r, v, 'defaults.min_score', 0.001, 1000);
      else throw r.fail(`defaults: unknown key '${key}' (expected window, title_weight, min_score)`, v.line);
    }
  }

  const families: FamilyDefinition[] = [];
  const f = top.get('families');
  if (f) {
    if (f.kind !== 'map') throw r.fail(`families must be a mapping of family id to {color, description}, found ${describe(f)}`, f.line);
    for (const [id, v] of f.entries) {
      if (!TAG_ID.test(id)) throw r.fail(`family '${id}': ids are lower-case letters, digits, '.', '+' and '-'`, v.line);
      const fam: FamilyDefinition = { id, color: 'white', atLeastOne: false };
      if (v.kind === 'map') {
        for (const [key, fv] of v.entries) {
          if (key === 'color') {
            const c = fv.kind === 'scalar' ? String(fv.value) : '';
            if (!(COLORS as readonly string[]).includes(c)) {
              throw r.fail(`family '${id}': color ${describe(fv)} is not one of ${COLORS.join(', ')}`, fv.line);
            }
            fam.color = c as ColorName;
          } else if (key === 'description') fam.description = stringOf(r, fv, `family '${id}': description`);
          else if (key === 'at_least_one') {
            if (fv.kind !== 'scalar' || typeof fv.value !== 'boolean') throw r.fail(`family '${id}': at_least_one must be true or false, found ${describe(fv)}`, fv.line);
            fam.atLeastOne = fv.value;
          } else throw r.fail(`family '${id}': unknown key '${key}' (expected color, description, at_least_one)`, fv.line);
        }
      } else if (!(v.kind === 'scalar' && v.value === null)) {
        throw r.fail(`family '${id}' must be a mapping with color and description, found ${describe(v)}`, v.line);
      }
      families.push(fam);
    }
  }

  const t = top.get('tags');
  if (!t) throw r.fail("a taxonomy needs 'tags': a mapping of tag id to its phrases", root.line);
  if (t.kind !== 'map') throw r.fail(`tags must be a mapping of tag id to its definition, found ${describe(t)}`, t.line);
  const tags: TagDefinition[] = [];
  for (const [id, v] of t.entries) tags.push(readTag(r, id, v, defaults, families));
  if (tags.length === 0) throw r.fail('tags is empty: define at least one tag', t.line);
  const ids = new Set(tags.map((x) => x.id));
  for (const tag of tags) {
    for (const other of tag.implies) {
      if (!ids.has(other)) throw r.fail(`tag '${tag.id}': implies unknown tag '${other}'`, tag.line);
    }
  }
  return { version: TAXONOMY_VERSION, name, path, defaults, families, tags };
}

function readTag(r: Reader, id: string, v: Value, defaults: TaxonomyDefaults, families: FamilyDefinition[]): TagDefinition {
  const where = `tag '${id}'`;
  if (!TAG_ID.test(id)) {
    throw r.fail(`${where}: tag ids are lower-case letters, digits, '.', '+' and '-', starting with a letter or digit (at most 64)`, v.line);
  }
  const tag: TagDefinition = { id, family: '', name: id, minScore: defaults.minScore, phrases: [], implies: [], line: v.line };
  // Shorthand: a tag given as a bare list of phrases.
  if (v.kind === 'seq') {
    tag.phrases = v.items.map((item, i) => readPhrase(r, `${where}, phrase ${i + 1}`, item, defaults));
  } else if (v.kind === 'map') {
    let sawPhrases = false;
    for (const [key, fv] of v.entries) {
      switch (key) {
        case 'family':
          tag.family = stringOf(r, fv, `${where}: family`);
          break;
        case 'name':
          tag.name = stringOf(r, fv, `${where}: name`);
          break;
        case 'description':
          tag.description = stringOf(r, fv, `${where}: description`);
          break;
        case 'min_score':
          tag.minScore = numberIn(r, fv, `${where}: min_score`, 0.001, 1000);
          break;
        case 'implies': {
          const items = fv.kind === 'seq' ? fv.items : [fv];
          tag.implies = items.map((x) => {
            if (x.kind !== 'scalar' || typeof x.value !== 'string') throw r.fail(`${where}: implies must be a list of tag ids, found ${describe(x)}`, x.line);
            return x.value;
          });
          break;
        }
        case 'phrases':
          sawPhrases = true;
          if (fv.kind !== 'seq') throw r.fail(`${where}: phrases must be a list, found ${describe(fv)}`, fv.line);
          tag.phrases = fv.items.map((item, i) => readPhrase(r, `${where}, phrase ${i + 1}`, item, defaults));
          break;
        default:
          throw r.fail(`${where}: unknown key '${key}' (expected family, name, description, min_score, implies, phrases)`, fv.line);
      }
    }
    if (!sawPhrases) throw r.fail(`${where}: has no 'phrases'`, v.line);
  } else {
    throw r.fail(`${where}: must be a mapping with 'phrases' (or a list of phrases), found ${describe(v)}`, v.line);
  }
  if (tag.phrases.length === 0) throw r.fail(`${where}: phrases is empty`, v.line);
  if (families.length && !tag.family) throw r.fail(`${where}: needs a family (one of ${families.map((x) => x.id).join(', ')})`, v.line);
  if (tag.family && !families.some((x) => x.id === tag.family)) {
    const known = families.length ? `families: ${families.map((x) => x.id).join(', ')}` : "no 'families' are defined";
    throw r.fail(`${where}: unknown family '${tag.family}' (${known})`, v.line);
  }
  return tag;
}

function readPhrase(r: Reader, where: string, v: Value, defaults: TaxonomyDefaults): PhraseRule {
  const rule: PhraseRule = { phrase: '', near: [], notNear: [], window: defaults.window, weight: 1, exact: false, line: v.line };
  if (v.kind === 'scalar') {
    rule.phrase = checkPhrase(r, where, v);
    return rule;
  }
  if (v.kind !== 'map') throw r.fail(`${where}: a phrase is a string or a mapping {phrase, near, not_near, window, weight, exact}, found ${describe(v)}`, v.line);
  for (const [key, fv] of v.entries) {
    switch (key) {
      case 'phrase':
        rule.phrase = checkPhrase(r, where, fv);
        break;
      case 'near':
        rule.near = phraseList(r, `${where}: 'near'`, fv);
        break;
      case 'not_near':
        rule.notNear = phraseList(r, `${where}: 'not_near'`, fv);
        break;
      case 'window':
        rule.window = intIn(r, fv, `${where}: window`, 0, MAX_WINDOW);
        break;
      case 'weight':
        rule.weight = numberIn(r, fv, `${where}: weight`, 0.001, 100);
        break;
      case 'exact':
        if (fv.kind !== 'scalar' || typeof fv.value !== 'boolean') throw r.fail(`${where}: exact must be true or false, found ${describe(fv)}`, fv.line);
        rule.exact = fv.value;
        break;
      default:
        throw r.fail(`${where}: unknown key '${key}' (expected phrase, near, not_near, window, weight, exact)`, fv.line);
    }
  }
  if (!rule.phrase) throw r.fail(`${where}: has no 'phrase'`, v.line);
  return rule;
}

function checkPhrase(r: Reader, where: string, v: Value): string {
  if (v.kind !== 'scalar' || (typeof v.value !== 'string' && typeof v.value !== 'number')) {
    throw r.fail(`${where}: a phrase must be a string, found ${describe(v)}`, v.line);
  }
  const s = String(v.value);
  if (PATTERN_CHARS.test(s)) {
    throw r.fail(
      `${where}: "${s}" looks like a regular expression; phrases are plain words matched after stemming ("kernels", "Kernel" and "kernel-level" all match "kernel"), patterns are not supported`,
      v.line,
    );
  }
  const words = tokenize(s.startsWith('=') ? s.slice(1) : s);
  if (words.length === 0) throw r.fail(`${where}: "${s}" has no words (phrases match letters and digits only)`, v.line);
  if (words.length > 8) throw r.fail(`${where}: "${s}" is longer than 8 words`, v.line);
  return s;
}

function phraseList(r: Reader, where: string, v: Value): string[] {
  if (v.kind === 'scalar' && typeof v.value === 'string') return [checkPhrase(r, where, v)];
  if (v.kind !== 'seq') throw r.fail(`${where} must be a list of phrases, found ${describe(v)}`, v.line);
  if (v.items.length === 0) throw r.fail(`${where} is an empty list`, v.line);
  return v.items.map((item) => checkPhrase(r, where, item));
}

function stringOf(r: Reader, v: Value, where: string): string {
  if (v.kind !== 'scalar' || typeof v.value !== 'string') throw r.fail(`${where} must be a string, found ${describe(v)}`, v.line);
  return v.value;
}

function numberIn(r: Reader, v: Value, where: string, min: number, max: number): number {
  if (v.kind !== 'scalar' || typeof v.value !== 'number' || !Number.isFinite(v.value) || v.value < min || v.value > max) {
    throw r.fail(`${where} must be a number from ${min} to ${max}, found ${describe(v)}`, v.line);
  }
  return v.value;
}

function intIn(r: Reader, v: Value, where: string, min: number, max: number): number {
  const n = numberIn(r, v, where, min, max);
  if (!Number.isInteger(n)) throw r.fail(`${where} must be a whole number, found ${n}`, v.line);
  return n;
}
