// Tagged text exports: PubMed/MEDLINE ("PMID- 123", "TI  - ...", 6-space continuation lines,
// records separated by blank lines) and Web of Science plain text / .ciw ("PT J", "AU Li, Wei",
// 3-space continuation lines, "ER" closes a record, "EF" ends the file).
import { type RawPaper, collapseWhitespace, normalizeDoi, parseYear } from '../../../record.js';
import { latexToUnicode } from '../../../text/latex.js';
import { type FormatParser, type ParseContext, textLines } from '../types.js';
import { MAX_ENTRY_LINES, brokenEntry, countMatches, invertName, joinLines, leadingLines, setExtra, warnWhenNothingFound } from './common.js';

interface Field {
  tag: string;
  lines: string[];
}

function all(fields: Field[], tag: string): Field[] {
  return fields.filter((f) => f.tag === tag);
}

function text(fields: Field[], tag: string): string | undefined {
  const f = fields.find((x) => x.tag === tag);
  const t = f ? joinLines(f.lines) : '';
  return t === '' ? undefined : t;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** "2017 Nov 15" (PubMed DP) or "DEC 16 2020" (WoS PD + PY): ISO date when the day is known. */
function monthDayDate(year: number | undefined, month: string | undefined, day: string | undefined): string | undefined {
  if (!year || !month || !day) return undefined;
  const mon = MONTHS.indexOf(month.slice(0, 3).toLowerCase());
  const d = Number(day);
  if (mon < 0 || !(d >= 1 && d <= 31)) return undefined;
  return `${year}-${String(mon + 1).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

// ---------------------------------------------------------------------------------------------
// PubMed / MEDLINE

const PUBMED_LINE = /^([A-Z][A-Z0-9]{1,3}) *- (.*)$/;

function pubmedToRaw(fields: Field[], line: number): RawPaper {
  const raw: RawPaper = { line };
  const title = text(fields, 'TI') ?? text(fields, 'BTI');
  if (title) raw.title = latexToUnicode(title);
  const abstract = all(fields, 'AB').map((f) => joinLines(f.lines)).join('\n');
  if (abstract) raw.abstract = latexToUnicode(abstract);
  // FAU "Neilen, Amanda D" is the full name; AU "Neilen AD" only when FAU is absent.
  const full = all(fields, 'FAU').map((f) => invertName(joinLines(f.lines)));
  // AU is "Lastname Initials" ("Neilen AD"): initials first, as in every other format.
  const authors = full.length ? full : all(fields, 'AU').map((f) => joinLines(f.lines).replace(/^(.+?) ([A-Z]{1,4})$/, '$2 $1'));
  if (authors.length) raw.authors = authors.map((a) => latexToUnicode(a));
  const dp = text(fields, 'DP');
  if (dp) {
    raw.year = parseYear(dp);
    const m = /^(\d{4}) ([A-Za-z]{3}) (\d{1,2})\b/.exec(dp);
    const date = m ? monthDayDate(Number(m[1]), m[2], m[3]) : undefined;
    if (date) raw.date = date;
  }
  for (const f of [...all(fields, 'LID'), ...all(fields, 'AID')]) {
    const v = joinLines(f.lines);
    const m = /^(\S+)\s*\[doi\]$/.exec(v);
    const doi = m ? normalizeDoi(m[1]) : undefined;
    if (doi) {
      raw.doi = doi;
      break;
    }
  }
  const venue = text(fields, 'JT') ?? text(fields, 'TA');
  if (venue) raw.venue = venue;
  setExtra(raw, 'pmid', text(fields, 'PMID'));
  setExtra(raw, 'pmcid', text(fields, 'PMC'));
  setExtra(raw, 'keywords', all(fields, 'OT').map((f) => joinLines(f.lines)));
  setExtra(raw, 'mesh_terms', all(fields, 'MH').map((f) => joinLines(f.lines)));
  setExtra(raw, 'journal_abbrev', text(fields, 'TA'));
  setExtra(raw, 'volume', text(fields, 'VI'));
  setExtra(raw, 'issue', text(fields, 'IP'));
  setExtra(raw, 'pages', text(fields, 'PG'));
  setExtra(raw, 'language', text(fields, 'LA'));
  setExtra(raw, 'type', all(fields, 'PT').map((f) => joinLines(f.lines)));
  return raw;
}

async function* parsePubmed(chunks: AsyncIterable<string>, ctx: ParseContext): AsyncGenerator<RawPaper> {
  let discarding = false;
  let fields: Field[] | undefined;
  let start = 0;
  let last: Field | undefined;
  const finish = (): RawPaper | undefined => {
    if (!fields) return undefined;
    const raw = pubmedToRaw(fields, start);
    fields = undefined;
    last = undefined;
    if (!raw.title) {
      ctx.skip('PubMed record without a title');
      return undefined;
    }
    return raw;
  };
  for await (const { text: lineText, line } of textLines(chunks)) {
    const t = lineText.replace(/\s+$/, '');
    if (discarding) {
      if (t !== '' && !/^PMID-/.test(t)) continue;
      discarding = false;
    }
    if (t === '') {
      const raw = finish();
      if (raw) yield raw;
      continue;
    }
    if (fields && line - start > MAX_ENTRY_LINES) {
      brokenEntry(ctx, start, 'broken PubMed record', `PubMed record runs for more than ${MAX_ENTRY_LINES} lines without a blank line`);
      fields = undefined;
      last = undefined;
      discarding = true;
      continue;
    }
    const m = PUBMED_LINE.exec(t);
    if (m && !/^\s/.test(t)) {
      if (m[1] === 'PMID' && fields && fields.some((f) => f.tag === 'PMID')) {
        // A new record without a blank line in between.
        const raw = finish();
        if (raw) yield raw;
      }
      if (!fields) {
        fields = [];
        start = line;
      }
      last = { tag: m[1], lines: [m[2]] };
      fields.push(last);
      continue;
    }
    if (/^\s/.test(t) && last) {
      last.lines.push(t.trim());
      continue;
    }
    if (fields) {
      brokenEntry(ctx, start, 'broken PubMed record', `PubMed record has a line that is neither a "TAG - value" field nor a continuation (line ${line})`);
      fields = undefined;
      last = undefined;
      discarding = true; // the rest of it, up to a blank line or the next PMID
    }
  }
  const raw = finish();
  if (raw) yield raw;
}

export const pubmedFormat: FormatParser = {
  name: 'pubmed',
  description: 'PubMed/MEDLINE text export (PMID- , TI  - , AB  - , FAU - ...)',
  detect(sample) {
    if (!/^PMID- ?\d+/m.test(sample)) return 0;
    const early = /^PMID-/.test(leadingLines(sample, 1)[0] ?? '');
    const fields = countMatches(sample, [/^TI {2}- /m, /^(?:AB|FAU|AU) {1,2}- /m]) >= 1;
    return early && fields ? 0.95 : fields ? 0.6 : 0.4;
  },
  parse: warnWhenNothingFound('PubMed records ("PMID- " lines)', parsePubmed),
};

// ---------------------------------------------------------------------------------------------
// Web of Science

const WOS_LINE = /^([A-Z][A-Z0-9]) (.*)$/;

function wosToRaw(fields: Field[], line: number): RawPaper {
  const raw: RawPaper = { line };
  const title = text(fields, 'TI');
  if (title) raw.title = latexToUnicode(title);
  const abstract = text(fields, 'AB');
  if (abstract) raw.abstract = latexToUnicode(abstract);
  // One author per line; AF has the full names.
  const names = (all(fields, 'AF')[0] ?? all(fields, 'AU')[0])?.lines ?? [];
  const authors = names.map((n) => invertName(n.trim())).filter(Boolean);
  if (authors.length) raw.authors = authors;
  const venue = text(fields, 'SO');
  if (venue) raw.venue = venue;
  const doi = normalizeDoi(text(fields, 'DI') ?? '');
  if (doi) raw.doi = doi;
  const year = parseYear(text(fields, 'PY') ?? '') ?? parseYear(text(fields, 'EY') ?? '');
  if (year) raw.year = year;
  const pd = /^([A-Z]{3})\s+(\d{1,2})\b/i.exec(text(fields, 'PD') ?? '');
  const date = pd ? monthDayDate(year, pd[1], pd[2]) : undefined;
  if (date) raw.date = date;
  const splitList = (tag: string) =>
    (text(fields, tag) ?? '')
      .split(/\s*;\s*/)
      .map((k) => collapseWhitespace(k))
      .filter(Boolean);
  setExtra(raw, 'keywords', splitList('DE'));
  setExtra(raw, 'keywords_plus', splitList('ID'));
  setExtra(raw, 'wos_id', text(fields, 'UT'));
  setExtra(raw, 'pmid', text(fields, 'PM'));
  setExtra(raw, 'type', text(fields, 'DT') ?? text(fields, 'PT'));
  setExtra(raw, 'volume', text(fields, 'VL'));
  setExtra(raw, 'issue', text(fields, 'IS'));
  const bp = text(fields, 'BP');
  const ep = text(fields, 'EP');
  setExtra(raw, 'pages', bp && ep && bp !== ep ? `${bp}-${ep}` : bp);
  setExtra(raw, 'article_number', text(fields, 'AR'));
  setExtra(raw, 'issn', text(fields, 'SN'));
  setExtra(raw, 'language', text(fields, 'LA'));
  return raw;
}

async function* parseWos(chunks: AsyncIterable<string>, ctx: ParseContext): AsyncGenerator<RawPaper> {
  let fields: Field[] | undefined;
  let start = 0;
  let last: Field | undefined;
  for await (const { text: lineText, line } of textLines(chunks)) {
    const t = lineText.replace(/^\uFEFF/, '').replace(/\s+$/, '');
    if (!fields) {
      if (/^PT\b/.test(t)) {
        fields = [{ tag: 'PT', lines: [t.slice(2).trim()] }];
        start = line;
        last = fields[0];
      }
      continue; // FN / VR header, EF, blank lines
    }
    if (line - start > MAX_ENTRY_LINES) {
      brokenEntry(ctx, start, 'Web of Science record without ER', `Web of Science record runs for more than ${MAX_ENTRY_LINES} lines without an "ER" end line`);
      fields = undefined;
      last = undefined;
      continue;
    }
    if (t === 'ER') {
      const raw = wosToRaw(fields, start);
      fields = undefined;
      last = undefined;
      if (!raw.title) {
        ctx.skip('Web of Science record without a title');
        continue;
      }
      yield raw;
      continue;
    }
    if (t === '') continue;
    if (t === 'EF' || /^PT\b/.test(t)) {
      brokenEntry(ctx, start, 'Web of Science record without ER', `Web of Science record has no "ER" end line before line ${line}`);
      fields = undefined;
      last = undefined;
      if (/^PT\b/.test(t)) {
        fields = [{ tag: 'PT', lines: [t.slice(2).trim()] }];
        start = line;
        last = fields[0];
      }
      continue;
    }
    if (/^ {2,3}\S/.test(t) && last) {
      last.lines.push(t.trim());
      continue;
    }
    const m = WOS_LINE.exec(t);
    if (m) {
      last = { tag: m[1], lines: [m[2]] };
      fields.push(last);
      continue;
    }
    if (/^[A-Z][A-Z0-9]$/.test(t)) {
      last = { tag: t, lines: [] }; // a tag with an empty value
      fields.push(last);
      continue;
    }
    brokenEntry(ctx, start, 'broken Web of Science record', `Web of Science record has a line that is neither a tagged field nor a continuation (line ${line})`);
    fields = undefined; // the rest of it is passed over until the next "PT"
    last = undefined;
  }
  if (fields) brokenEntry(ctx, start, 'Web of Science record without ER', 'Web of Science record has no "ER" end line: the input ends inside it');
}

export const wosFormat: FormatParser = {
  name: 'wos',
  description: 'Web of Science plain text / .ciw export (FN, PT J, AU, TI, ... ER)',
  detect(sample) {
    if (/^\uFEFF?FN (?:Clarivate|Thomson Reuters)/.test(sample)) return 0.97;
    if (!/^PT [A-Z]\s*$/m.test(sample) || !/^ER\s*$/m.test(sample)) return 0;
    const early = leadingLines(sample, 3).some((l) => /^PT [A-Z]$/.test(l));
    const fields = countMatches(sample, [/^TI \S/m, /^(?:AU|AF) \S/m, /^(?:SO|UT|DI) \S/m]) >= 2;
    return early && fields ? 0.9 : fields ? 0.6 : 0.4;
  },
  parse: warnWhenNothingFound('Web of Science records ("PT " lines)', parseWos),
};
