// The --seen state of a daily digest: one JSON line per paper already reported, so tomorrow's
// digest lists only new papers, deduplicated against every earlier day.
//
// A paper counts as seen when it shares with a state line its arXiv id, its DOI, a stable id, or
// its normalized title (titles of three words or more, and only when no arXiv id or DOI says they
// are different papers). Ids derived from the title, or made unique with "~2", are not stable
// across runs and are compared through the title instead.
import { DataError } from '../errors.js';
import { type Paper, normalizeArxivId, normalizeDoi, normalizeTitle, titleId } from '../record.js';

export interface SeenLine {
  id: string;
  arxiv_id?: string;
  doi?: string;
  /** Normalized title (see normalizeTitle). */
  title?: string;
  /** Ids this paper absorbed as duplicates. */
  duplicates?: string[];
  /** The digest date that first reported it. */
  date: string;
}

const MIN_TITLE_WORDS = 3;

/** True for ids that say nothing across runs: derived from the title, or suffixed "~N" for uniqueness. */
function unstableId(id: string, title: string): boolean {
  return /~\d+$/.test(id) || (title !== '' && id === titleId(title));
}

function titleKey(title: unknown): string | undefined {
  if (typeof title !== 'string') return undefined;
  const t = normalizeTitle(title);
  return t.split(' ').filter(Boolean).length >= MIN_TITLE_WORDS ? t : undefined;
}

/** The state line recording that `record` was reported on `date`. */
export function seenLineFor(record: Paper, date: string): SeenLine {
  const line: SeenLine = { id: String(record.id), date };
  const arxiv = normalizeArxivId(record.arxiv_id);
  const doi = normalizeDoi(record.doi);
  const title = typeof record.title === 'string' ? normalizeTitle(record.title) : '';
  if (arxiv) line.arxiv_id = arxiv;
  if (doi) line.doi = doi;
  if (title) line.title = title;
  if (Array.isArray(record.duplicates)) {
    const dups = record.duplicates.filter((d): d is string => typeof d === 'string');
    if (dups.length) line.duplicates = dups;
  }
  return line;
}

export function formatSeenLine(line: SeenLine): string {
  // Fixed key order for stable bytes.
  const out: Record<string, unknown> = { id: line.id };
  if (line.arxiv_id) out.arxiv_id = line.arxiv_id;
  if (line.doi) out.doi = line.doi;
  if (line.title) out.title = line.title;
  if (line.duplicates?.length) out.duplicates = line.duplicates;
  out.date = line.date;
  return JSON.stringify(out);
}

/** Parse one state line; a broken line is a DataError naming the file and line. */
export function parseSeenLine(text: string, path: string, lineNumber: number): SeenLine | undefined {
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new DataError(`not valid JSON: ${(err as Error).message}`, { path, line: lineNumber });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || typeof (value as SeenLine).id !== 'string') {
    throw new DataError('not a --seen state line (expected an object with a string "id")', { path, line: lineNumber });
  }
  const v = value as Record<string, unknown>;
  const line: SeenLine = { id: v.id as string, date: typeof v.date === 'string' ? v.date : '' };
  if (typeof v.arxiv_id === 'string') line.arxiv_id = v.arxiv_id;
  if (typeof v.doi === 'string') line.doi = v.doi;
  if (typeof v.title === 'string') line.title = v.title;
  if (Array.isArray(v.duplicates)) line.duplicates = v.duplicates.filter((d): d is string => typeof d === 'string');
  return line;
}

/** Everything the state knows, as lookup sets (no per-line objects kept). */
export class SeenIndex {
  private readonly ids = new Set<string>();
  private readonly arxiv = new Set<string>();
  private readonly dois = new Set<string>();
  // Normalized title -> the arXiv id / DOI it was seen with ("" when none), to veto conflicts.
  private readonly titles = new Map<string, { arxiv: string; doi: string }>();
  lines = 0;

  add(line: SeenLine): void {
    this.lines++;
    const title = line.title ?? '';
    if (!unstableId(line.id, title)) this.ids.add(line.id);
    for (const d of line.duplicates ?? []) if (!/~\d+$/.test(d)) this.ids.add(d);
    const arxiv = normalizeArxivId(line.arxiv_id);
    const doi = normalizeDoi(line.doi);
    if (arxiv) this.arxiv.add(arxiv);
    if (doi) this.dois.add(doi);
    const key = line.title && line.title.split(' ').filter(Boolean).length >= MIN_TITLE_WORDS ? line.title : undefined;
    if (key && !this.titles.has(key)) this.titles.set(key, { arxiv: arxiv ?? '', doi: doi ?? '' });
  }

  /** Whether this record (or one it absorbed) was reported before. */
  has(record: Paper): boolean {
    const arxiv = normalizeArxivId(record.arxiv_id);
    if (arxiv && this.arxiv.has(arxiv)) return true;
    const doi = normalizeDoi(record.doi);
    if (doi && this.dois.has(doi)) return true;
    const title = typeof record.title === 'string' ? record.title : '';
    const id = String(record.id);
    if (!unstableId(id, title) && this.ids.has(id)) return true;
    if (Array.isArray(record.duplicates)) {
      for (const d of record.duplicates) if (typeof d === 'string' && !/~\d+$/.test(d) && this.ids.has(d)) return true;
    }
    const key = titleKey(title);
    if (key) {
      const before = this.titles.get(key);
      if (before) {
        const conflict = (arxiv && before.arxiv && arxiv !== before.arxiv) || (doi && before.doi && doi !== before.doi);
        if (!conflict) return true;
      }
    }
    return false;
  }
}

export interface SeenFilterResult {
  fresh: Paper[];
  dropped: number;
  /** Duplicates the dropped records had absorbed. */
  droppedMerged: number;
}

/** Keep the records not reported before, in order. */
export function filterUnseen(records: Iterable<Paper>, index: SeenIndex): SeenFilterResult {
  const fresh: Paper[] = [];
  let dropped = 0;
  let droppedMerged = 0;
  for (const r of records) {
    if (index.has(r)) {
      dropped++;
      if (Array.isArray(r.duplicates)) droppedMerged += r.duplicates.length;
    } else fresh.push(r);
  }
  return { fresh, dropped, droppedMerged };
}
