// Merging a group of duplicates into its survivor: the most complete record is kept, fields it
// lacks are filled from the others, link lists are united, and absorbed ids are listed.
import { normalizeArxivId, normalizeDoi, type Paper } from '../../record.js';

const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);

// Fields whose presence makes a record more useful, each counting once.
const SCORED_FIELDS = ['abstract', 'authors', 'year', 'date', 'doi', 'arxiv_id', 'venue', 'categories', 'urls', 'code_urls'];
// List fields united across the group (order: survivor's items first, then others by rank).
const UNION_FIELDS = new Set(['urls', 'code_urls', 'categories']);
// List fields united and kept sorted (tags are sorted by contract).
const SORTED_UNION_FIELDS = new Set(['tags']);

/** True when a field holds nothing worth keeping. */
export function isEmptyValue(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0);
}

/**
 * Completeness: present fields dominate; a longer abstract breaks ties (a truncated abstract loses),
 * then more authors. Ties left after that go to the earlier record (the caller's tie-break).
 */
export function completeness(rec: Paper): number {
  let fields = 0;
  for (const f of SCORED_FIELDS) if (Object.hasOwn(rec, f) && !isEmptyValue(rec[f])) fields++;
  const abstractLen = typeof rec.abstract === 'string' ? Math.min(rec.abstract.length, 99_999) : 0;
  const authors = Array.isArray(rec.authors) ? Math.min(rec.authors.length, 9) : 0;
  return fields * 1_000_000 + abstractLen * 10 + authors;
}

const ARXIV_DOI = /^10\.48550\/arxiv\.(.+)$/;

/**
 * The group's identifiers must survive the merge, or a later run could join what this one kept
 * apart: a publisher DOI held by any member wins over an arXiv DOI or an unreadable value in the
 * survivor, and the arXiv id of any member (from arxiv_id, else from an arXiv DOI) is kept.
 */
function reconcileIdentifiers(out: Paper, ranked: Paper[]): void {
  let doi: string | undefined;
  let doiRaw: unknown;
  let arxiv: string | undefined;
  let arxivRaw: unknown;
  for (const r of ranked) {
    const d = typeof r.doi === 'string' ? normalizeDoi(r.doi) : undefined;
    if (d && !ARXIV_DOI.test(d)) {
      doi = d;
      doiRaw = r.doi;
      break;
    }
  }
  for (const r of ranked) {
    const a = normalizeArxivId(r.arxiv_id);
    if (a) {
      arxiv = a;
      arxivRaw = r.arxiv_id;
      break;
    }
  }
  if (!arxiv) {
    for (const r of ranked) {
      const m = typeof r.doi === 'string' ? ARXIV_DOI.exec(normalizeDoi(r.doi) ?? '') : null;
      const a = m ? normalizeArxivId(m[1]) : undefined;
      if (a) {
        arxiv = a;
        arxivRaw = a;
        break;
      }
    }
  }
  if (doi && (typeof out.doi !== 'string' || normalizeDoi(out.doi) !== doi)) out.doi = doiRaw as string;
  if (arxiv && normalizeArxivId(out.arxiv_id)?.toLowerCase() !== arxiv.toLowerCase()) out.arxiv_id = arxivRaw as string;
}

function itemKey(v: unknown): string {
  return typeof v === 'string' ? `s${v}` : `j${JSON.stringify(v)}`;
}

/**
 * Merge members (survivor first, the others by rank) into one new record. The survivor's own fields
 * stay as they are; the others only fill gaps. `duplicates` lists every absorbed id, including ids
 * the members had absorbed in an earlier run, without repeats and without the survivor's own id
 * (left out when that leaves nothing and the survivor had no list).
 */
export function mergeGroup(ranked: Paper[], inputOrder: Paper[]): Paper {
  const survivor = ranked[0];
  const out = { id: survivor.id } as Paper;
  for (const key of Object.keys(survivor)) {
    if (RESERVED.has(key) || key === 'duplicates' || key === 'id') continue;
    out[key] = survivor[key];
  }
  for (const other of ranked.slice(1)) {
    for (const key of Object.keys(other)) {
      if (RESERVED.has(key) || key === 'duplicates' || key === 'id') continue;
      if (isEmptyValue(out[key]) && !isEmptyValue(other[key])) out[key] = other[key];
    }
  }
  for (const key of [...UNION_FIELDS, ...SORTED_UNION_FIELDS]) {
    const lists = ranked.map((r) => r[key]).filter((v): v is unknown[] => Array.isArray(v));
    if (lists.length < 2) continue;
    const seen = new Set<string>();
    const united: unknown[] = [];
    for (const list of lists) {
      for (const item of list) {
        const k = itemKey(item);
        if (!seen.has(k)) {
          seen.add(k);
          united.push(item);
        }
      }
    }
    if (SORTED_UNION_FIELDS.has(key) && united.every((x) => typeof x === 'string')) (united as string[]).sort();
    out[key] = united;
  }
  reconcileIdentifiers(out, ranked);
  const absorbed: string[] = [];
  const seen = new Set<string>([survivor.id]);
  const add = (id: unknown) => {
    if (typeof id !== 'string' || seen.has(id)) return;
    seen.add(id);
    absorbed.push(id);
  };
  for (const id of Array.isArray(survivor.duplicates) ? survivor.duplicates : []) add(id);
  for (const rec of inputOrder) {
    if (rec === survivor) continue;
    add(rec.id);
    for (const id of Array.isArray(rec.duplicates) ? rec.duplicates : []) add(id);
  }
  // Copies of one record under one id absorb nothing: no empty list is added.
  if (absorbed.length || Array.isArray(survivor.duplicates)) out.duplicates = absorbed;
  return out;
}
