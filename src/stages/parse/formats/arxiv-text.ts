// arXiv's own plain-text block format: the daily mailing-list digest and the per-paper .abs
// records. An entry is
//   \\
//   arXiv:ID [(*cross-listing*)]
//   From: / Date: / Date (revised vN): / "replaced with revised version DATE"
//   Title: / Authors: / Categories: / Comments: / Journal-ref: / DOI: ...  (values continue on indented lines)
//   \\
//     abstract, hard-wrapped
//   \\   (an .abs file)   or   \\ ( https://arxiv.org/abs/ID ,  NNNkb)   (a digest)
// Replacement entries in a digest have no abstract: the metadata is followed by the "\\ (" line.
import { type RawPaper, normalizeArxivId, normalizeDoi, parseDate } from '../../../record.js';
import { latexToUnicode } from '../../../text/latex.js';
import { type FormatParser, type ParseContext, textLines } from '../types.js';
import { MAX_ENTRY_LINES, addLinks, brokenEntry, countMatches, joinLines, setExtra, splitAuthorList, splitCategories, warnWhenNothingFound, yearFromArxivId } from './common.js';

const ID_LINE = /^(?:arXiv|Paper)(?: \(\*cross-listing\*\))?:\s*(\S+)\s*(.*)$/;
const FIELD_LINE = /^([A-Za-z][A-Za-z-]*(?: [A-Za-z-]+)?(?: \([^)]*\))?):[ \t]*(.*)$/;
const REPLACED_LINE = /^replaced with revised version\s+(.*)$/i;
const DIGEST_END = /^\\\\\s*\(/;
const SEPARATOR = /^(?:-{20,}|%[-%]{20,})\s*$/;

interface Entry {
  line: number;
  id: string;
  fields: Array<{ label: string; lines: string[] }>;
  abstract: string[];
  replaced?: string;
  crossList: boolean;
  section: 'new' | 'cross' | 'replaced';
}

function field(entry: Entry, label: string): string | undefined {
  const f = entry.fields.find((x) => x.label.toLowerCase() === label);
  return f ? joinLines(f.lines) : undefined;
}

/** Map one complete entry onto record fields. */
function toRaw(entry: Entry, ctx: ParseContext): RawPaper | undefined {
  const title = field(entry, 'title');
  if (!title) {
    ctx.skip('arXiv entry without a Title');
    ctx.diagnostics.warn(`arXiv entry ${entry.id} has no Title: skipped`, { path: ctx.path, line: entry.line });
    return undefined;
  }
  const raw: RawPaper = { line: entry.line, title: latexToUnicode(title) };
  const arxivId = normalizeArxivId(entry.id);
  if (arxivId) raw.arxiv_id = arxivId;
  if (entry.abstract.length) raw.abstract = latexToUnicode(joinLines(entry.abstract));
  const authors = field(entry, 'authors') ?? field(entry, 'author');
  if (authors) raw.authors = splitAuthorList(authors);
  const cats = field(entry, 'categories');
  if (cats) {
    const { categories } = splitCategories(cats.split(/\s+/));
    if (categories.length) {
      raw.categories = categories;
      setExtra(raw, 'primary_category', categories[0]);
    }
  }
  const dois = (field(entry, 'doi') ?? '').split(/[\s,;]+/).map((d) => normalizeDoi(d)).filter((d): d is string => !!d);
  if (dois.length) raw.doi = dois[0];
  const journalRef = field(entry, 'journal-ref');
  if (journalRef) raw.venue = latexToUnicode(journalRef);

  // Dates: the first submission ("Date:"), the latest revision, or the replacement date.
  let submitted: string | undefined;
  let updated: string | undefined;
  let versions = 0;
  for (const f of entry.fields) {
    const label = f.label.toLowerCase();
    if (label === 'date') submitted ??= parseDate(joinLines(f.lines));
    const rev = /^date \(revised v(\d+)\)$/.exec(label);
    if (rev) {
      versions = Math.max(versions, Number(rev[1]));
      updated = parseDate(joinLines(f.lines)) ?? updated;
    }
  }
  if (entry.replaced !== undefined) updated = parseDate(entry.replaced) ?? updated;
  if (submitted) {
    raw.date = submitted;
    raw.year = Number(submitted.slice(0, 4));
  } else {
    raw.year = yearFromArxivId(arxivId);
  }

  const comments = field(entry, 'comments');
  if (comments) {
    setExtra(raw, 'comments', latexToUnicode(comments));
    addLinks(raw, comments);
  }
  setExtra(raw, 'journal_ref', journalRef && latexToUnicode(journalRef));
  if (dois.length > 1) setExtra(raw, 'dois', dois);
  setExtra(raw, 'report_no', field(entry, 'report-no'));
  setExtra(raw, 'msc_class', field(entry, 'msc-class'));
  setExtra(raw, 'acm_class', field(entry, 'acm-class'));
  setExtra(raw, 'license', field(entry, 'license'));
  const from = field(entry, 'from');
  if (from) setExtra(raw, 'submitter', latexToUnicode(from.replace(/<[^>]*>/g, '')));
  if (updated) setExtra(raw, 'updated', updated);
  if (versions) setExtra(raw, 'versions', versions);
  if (entry.crossList || entry.section === 'cross') setExtra(raw, 'cross_listing', true);
  if (entry.replaced !== undefined || entry.section === 'replaced') setExtra(raw, 'replaced', true);
  return raw;
}

async function* parseArxivText(chunks: AsyncIterable<string>, ctx: ParseContext): AsyncGenerator<RawPaper> {
  let state: 'outside' | 'head' | 'abstract' = 'outside';
  let entry: Entry | undefined;
  let pendingStart: number | undefined; // line of a "\\" that may open an entry
  let section: Entry['section'] = 'new';
  let current: { label: string; lines: string[] } | undefined;

  const begin = (line: number, m: RegExpExecArray, text: string): 'head' => {
    entry = {
      line,
      id: m[1],
      fields: [],
      abstract: [],
      crossList: /cross-list/i.test(text),
      section,
    };
    const rest = REPLACED_LINE.exec(m[2]);
    if (rest) entry.replaced = rest[1];
    current = undefined;
    return 'head';
  };

  for await (const { text, line } of textLines(chunks)) {
    const t = text.replace(/\s+$/, '');
    if (state === 'outside') {
      if (t === '\\\\') {
        pendingStart = line;
        continue;
      }
      const m = ID_LINE.exec(t);
      if (m && normalizeArxivId(m[1])) {
        state = begin(pendingStart ?? line, m, t);
        pendingStart = undefined;
        continue;
      }
      pendingStart = undefined;
      // Digest section markers: "%-%-%-" opens the cross-listings, "%%--%%--" the replacements.
      if (/^%%--%%--/.test(t)) section = 'replaced';
      else if (/^%-%-%-/.test(t)) section = 'cross';
      else if (/^%%%---/.test(t)) section = 'new';
      continue;
    }
    const e = entry as Entry;
    if (line - e.line > MAX_ENTRY_LINES) {
      brokenEntry(ctx, e.line, 'broken arXiv entry', `arXiv entry ${e.id} runs for more than ${MAX_ENTRY_LINES} lines without its closing "\\\\" line`);
      state = 'outside';
      continue;
    }
    if (state === 'head') {
      if (t === '\\\\') {
        state = 'abstract';
        continue;
      }
      if (DIGEST_END.test(t)) {
        const raw = toRaw(e, ctx);
        if (raw) yield raw;
        state = 'outside';
        continue;
      }
      if (SEPARATOR.test(t) || ID_LINE.test(t)) {
        brokenEntry(ctx, e.line, 'broken arXiv entry', `arXiv entry ${e.id} ends at line ${line} before its closing "\\\\" line`);
        const next = ID_LINE.exec(t);
        state = next && normalizeArxivId(next[1]) ? begin(line, next, t) : 'outside';
        continue;
      }
      if (t === '') {
        current = undefined;
        continue;
      }
      const rep = REPLACED_LINE.exec(t);
      if (rep) {
        e.replaced = rep[1];
        continue;
      }
      if (/^\s/.test(t) && current) {
        current.lines.push(t);
        continue;
      }
      const f = FIELD_LINE.exec(t);
      if (f) {
        current = { label: f[1], lines: [f[2]] };
        e.fields.push(current);
      } else if (current) {
        current.lines.push(t); // a continuation whose indentation was lost
      }
      continue;
    }
    // state === 'abstract'
    if (t === '\\\\' || DIGEST_END.test(t)) {
      const raw = toRaw(e, ctx);
      if (raw) yield raw;
      state = 'outside';
      continue;
    }
    e.abstract.push(t);
  }
  if (state !== 'outside' && entry) {
    brokenEntry(ctx, entry.line, 'broken arXiv entry', `arXiv entry ${entry.id} is cut short: the input ends before its closing "\\\\" line`);
  }
}

// An entry's opening lines: "\\" then "arXiv:ID" (or the pre-2007 "Paper:" form).
const ENTRY_START = /^\\\\\r?\n(?:arXiv|Paper)(?: \(\*cross-listing\*\))?:[ \t]*\S+/m;
const HAS_TITLE = /^Title:[ \t]*\S/m;

export const arxivMailFormat: FormatParser = {
  name: 'arxiv-mail',
  description: "arXiv daily mailing-list digest (e-mail text with \\\\-separated entries)",
  detect(sample) {
    if (!ENTRY_START.test(sample) || !HAS_TITLE.test(sample)) return 0;
    const mail = countMatches(sample, [
      /^\\\\ \( https?:\/\/arxiv\.org\/abs\//m,
      /^Subject: .*\b(?:daily|new|crosses)\b/im,
      /^received from .* to .*$/m,
      /^replaced with revised version /m,
    ]);
    return mail > 0 ? 0.95 : 0.7;
  },
  parse: warnWhenNothingFound('arXiv entries (a "\\\\" line then "arXiv:ID")', parseArxivText),
};

export const arxivAbsFormat: FormatParser = {
  name: 'arxiv-abs',
  description: 'arXiv .abs metadata record(s) (\\\\, arXiv:ID, From:, Date:, Title:, Authors:, abstract)',
  detect(sample) {
    if (!ENTRY_START.test(sample) || !HAS_TITLE.test(sample)) return 0;
    // In an .abs record the submitter line follows the id line directly.
    return /^(?:arXiv|Paper):[ \t]*\S+\r?\nFrom:[ \t]/m.test(sample) ? 0.96 : 0.65;
  },
  parse: warnWhenNothingFound('arXiv .abs records (a "\\\\" line then "arXiv:ID")', parseArxivText),
};
