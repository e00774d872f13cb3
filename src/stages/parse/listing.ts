// A "trending papers" page copied as text: a title line, then an abstract line, with page
// boilerplate (subscribe prompts, buttons, counters) mixed in and sometimes glued onto a title.
import type { RawPaper } from '../../record.js';
import { type FormatParser, textLines } from './types.js';

// Whole lines that are page furniture, not papers.
const BOILERPLATE_LINES: RegExp[] = [
  /^get trending papers in your email inbox( once a day)?!?$/i,
  /^(subscribe|sign in|sign up|log in|login|upvote|share|follow|view all|load more|see all|show more|read more|daily papers|trending papers|trending|new|top|back to top)$/i,
  /^(submitted by|published on|added on)\b.*$/i,
  /^[\d,.]+\s*(k|m)?\s*(stars?|upvotes?|likes?|comments?|views?|citations?)?$/i,
  /^(stars?|upvotes?|github|arxiv|pdf|code|paper|project page|hugging ?face)$/i,
  /^[•·|–—-]+$/,
];

// Interface words that a copy glues onto the next line ("SubscribeFisher Information ...").
const GLUED_PREFIX = /^(?:Subscribe|Sign in|Sign up|Log in|Upvote|Share|Follow|Trending|Get trending papers in your email inbox(?: once a day)?!)(?=[A-Z0-9"'“(])/;

export function isBoilerplate(line: string): boolean {
  const t = line.trim();
  return BOILERPLATE_LINES.some((re) => re.test(t));
}

export function stripGluedBoilerplate(line: string): string {
  let s = line;
  for (let i = 0; i < 3; i++) {
    const next = s.replace(GLUED_PREFIX, '');
    if (next === s) break;
    s = next;
  }
  return s;
}

/** An abstract is prose: long, or several sentences. A title is short and rarely ends in a period. */
export function isAbstractLike(line: string): boolean {
  const t = line.trim();
  if (t.length >= 250) return true;
  const sentences = (t.match(/[.!?](\s|$)/g) ?? []).length;
  return t.length >= 120 && sentences >= 2;
}

function isTitleLike(line: string): boolean {
  const t = line.trim();
  return t.length > 0 && t.length <= 300 && !isAbstractLike(t);
}

export const listingFormat: FormatParser = {
  name: 'listing',
  description: 'a copied listing page: a title line followed by its abstract line, boilerplate removed',
  detect(sample) {
    const lines = sample
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l && !isBoilerplate(l));
    if (lines.length < 2) return 0;
    let pairs = 0;
    for (let i = 0; i + 1 < lines.length; i++) {
      if (isTitleLike(lines[i]) && isAbstractLike(lines[i + 1])) {
        pairs++;
        i++;
      }
    }
    if (pairs === 0) return 0;
    const covered = (pairs * 2) / lines.length;
    return covered >= 0.6 ? 0.6 : covered >= 0.3 ? 0.3 : 0.1;
  },
  async *parse(chunks, ctx) {
    let pending: { title: string; line: number } | undefined;
    const flushTitleOnly = (): RawPaper | undefined => {
      if (!pending) return undefined;
      ctx.diagnostics.warn(`title without an abstract: "${pending.title.slice(0, 60)}"`, { path: ctx.path, line: pending.line });
      const raw: RawPaper = { title: pending.title, line: pending.line };
      pending = undefined;
      return raw;
    };
    for await (const { text, line } of textLines(chunks)) {
      const t = stripGluedBoilerplate(text.replace(/^\uFEFF/, '').trim());
      if (!t || isBoilerplate(t)) continue;
      if (isAbstractLike(t)) {
        if (pending) {
          yield { title: pending.title, abstract: t, line: pending.line };
          pending = undefined;
        } else {
          ctx.skip('abstract without a title', line);
          ctx.diagnostics.warn('abstract without a title line before it; skipped', { path: ctx.path, line });
        }
        continue;
      }
      const orphan = flushTitleOnly();
      if (orphan) yield orphan;
      pending = { title: t, line };
    }
    const orphan = flushTitleOnly();
    if (orphan) yield orphan;
  },
};
