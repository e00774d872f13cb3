// RIS, as exported by Scopus, Ovid, EBSCO, Zotero, Mendeley, EndNote: "TY  - JOUR" opens a record,
// "XX  - value" lines carry the fields (repeatable: AU, KW, AB), lines without a tag continue the
// field before them, and "ER  -" closes the record. Text outside records (Ovid's "1." counters and
// full-text links) is ignored.
import { type RawPaper, collapseWhitespace, normalizeDoi, parseYear } from '../../../record.js';
import { latexToUnicode } from '../../../text/latex.js';
import { type FormatParser, type ParseContext, textLines } from '../types.js';
import { MAX_ENTRY_LINES, addUrl, brokenEntry, countMatches, invertName, leadingLines, setExtra, warnWhenNothingFound } from './common.js';

const TAG_LINE = /^([A-Z][A-Z0-9]) {1,2}-(?: (.*))?$/;

interface RisField {
  tag: string;
  value: string;
}

function values(fields: RisField[], ...tags: string[]): string[] {
  const out: string[] = [];
  for (const tag of tags) for (const f of fields) if (f.tag === tag && f.value.trim()) out.push(f.value.trim());
  return out;
}

function first(fields: RisField[], ...tags: string[]): string | undefined {
  for (const tag of tags) {
    const f = fields.find((x) => x.tag === tag && x.value.trim());
    if (f) return f.value.trim();
  }
  return undefined;
}

/** RIS dates: "2016", "2016/09//", "2018/05/04/", "2020///Spring". */
export function risDate(value: string | undefined): { year?: number; date?: string } {
  if (!value) return {};
  const m = /^(\d{4})(?:[/-](\d{1,2})(?:[/-](\d{1,2}))?)?/.exec(value.trim());
  if (!m) return { year: parseYear(value) };
  const out: { year?: number; date?: string } = { year: Number(m[1]) };
  if (m[2] && m[3]) {
    const mm = Number(m[2]);
    const dd = Number(m[3]);
    if (mm >= 1 && mm <= 12 && dd >= 1 && dd <= 31) out.date = `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}`;
  }
  return out;
}

// EBSCO appends the database's copyright notice as a second AB paragraph.
const COPYRIGHT_NOTICE = /^Copyright of .* is the property of .*/i;

function toRaw(fields: RisField[], line: number): RawPaper {
  const raw: RawPaper = { line };
  const title = first(fields, 'TI', 'T1', 'CT', 'BT');
  if (title) raw.title = latexToUnicode(collapseWhitespace(title));
  const paragraphs: string[] = [];
  let copyright: string | undefined;
  for (const p of values(fields, 'AB', 'N2')) {
    if (COPYRIGHT_NOTICE.test(p)) copyright = p;
    else if (!paragraphs.includes(p)) paragraphs.push(p);
  }
  if (paragraphs.length) raw.abstract = latexToUnicode(paragraphs.join('\n'));
  const authors = values(fields, 'AU', 'A1').map((a) => latexToUnicode(invertName(a)));
  if (authors.length) raw.authors = authors;
  const venue = first(fields, 'JF', 'T2', 'JO', 'JA', 'J2', ...(title && first(fields, 'BT') !== title ? ['BT'] : []));
  if (venue) raw.venue = latexToUnicode(collapseWhitespace(venue));
  const dated = risDate(first(fields, 'DA'));
  const year = risDate(first(fields, 'PY', 'Y1'));
  raw.year = year.year ?? dated.year;
  const date = dated.date ?? year.date;
  if (date) raw.date = date;
  // DOI: DO (sometimes a resolver URL), EBSCO's L3, or a doi.org link.
  for (const v of [...values(fields, 'DO', 'DI', 'L3', 'M3'), ...values(fields, 'UR').filter((u) => /doi\.org\//i.test(u))]) {
    const doi = normalizeDoi(v);
    if (doi) {
      raw.doi = doi;
      break;
    }
  }
  for (const u of values(fields, 'UR')) addUrl(raw, u);
  const keywords = values(fields, 'KW').flatMap((k) => k.split(/\s*;\s*/)).map((k) => collapseWhitespace(k)).filter(Boolean);
  setExtra(raw, 'keywords', keywords);
  setExtra(raw, 'type', first(fields, 'TY'));
  setExtra(raw, 'volume', first(fields, 'VL'));
  setExtra(raw, 'issue', first(fields, 'IS'));
  const sp = first(fields, 'SP');
  const ep = first(fields, 'EP');
  setExtra(raw, 'pages', sp && ep && sp !== ep ? `${sp}-${ep}` : sp);
  setExtra(raw, 'issn', first(fields, 'SN'));
  setExtra(raw, 'publisher', first(fields, 'PB'));
  setExtra(raw, 'language', first(fields, 'LA'));
  setExtra(raw, 'database', first(fields, 'DB', 'DP'));
  setExtra(raw, 'copyright', copyright);
  return raw;
}

async function* parseRis(chunks: AsyncIterable<string>, ctx: ParseContext): AsyncGenerator<RawPaper> {
  let fields: RisField[] | undefined;
  let start = 0;
  let last: RisField | undefined;
  for await (const { text, line } of textLines(chunks)) {
    const t = text.replace(/\s+$/, '');
    const m = TAG_LINE.exec(t);
    if (!fields) {
      if (m && m[1] === 'TY') {
        fields = [{ tag: 'TY', value: m[2] ?? '' }];
        start = line;
        last = undefined;
      }
      continue; // text between records (Ovid counters and links, blank lines)
    }
    if (line - start > MAX_ENTRY_LINES) {
      brokenEntry(ctx, start, 'RIS record without ER', `RIS record runs for more than ${MAX_ENTRY_LINES} lines without an "ER  -" end tag`);
      fields = undefined;
      continue;
    }
    if (m) {
      const tag = m[1];
      if (tag === 'ER') {
        const raw = toRaw(fields, start);
        fields = undefined;
        if (!raw.title) {
          ctx.skip('RIS record without a title');
          ctx.diagnostics.warn('RIS record without a title (TI/T1): skipped', { path: ctx.path, line: raw.line });
          continue;
        }
        yield raw;
        continue;
      }
      if (tag === 'TY') {
        brokenEntry(ctx, start, 'RIS record without ER', `RIS record has no "ER  -" end tag before the next record at line ${line}`);
        fields = [{ tag: 'TY', value: m[2] ?? '' }];
        start = line;
        last = undefined;
        continue;
      }
      last = { tag, value: m[2] ?? '' };
      fields.push(last);
      continue;
    }
    // A line without a tag continues the field before it (wrapped abstracts, notes).
    if (last && t.trim()) last.value += `\n${t.trim()}`;
  }
  if (fields) brokenEntry(ctx, start, 'RIS record without ER', 'RIS record has no "ER  -" end tag: the input ends inside it');
}

export const risFormat: FormatParser = {
  name: 'ris',
  description: 'RIS export (Scopus, Ovid, EBSCO, Zotero, EndNote): TY  - ... ER  -',
  detect(sample) {
    if (!/^TY {1,2}- ?\S/m.test(sample)) return 0;
    const hits = countMatches(sample, [/^ER {1,2}-/m, /^(?:TI|T1) {1,2}- /m, /^(?:AU|A1) {1,2}- /m, /^(?:AB|N2|PY|Y1|DO|JF|T2) {1,2}- /m]);
    // Exports start with a record (Ovid puts a "1." counter line before it).
    const early = leadingLines(sample, 3).some((l) => /^TY {1,2}- ?\S/.test(l));
    if (!early) return hits >= 2 ? 0.6 : 0.3;
    return hits >= 2 ? 0.95 : hits === 1 ? 0.7 : 0.4;
  },
  parse: warnWhenNothingFound('RIS records ("TY  - " lines)', parseRis),
};
