// arXiv's XML: the API's Atom feed and OAI-PMH ListRecords/GetRecord pages (metadata formats
// arXiv, arXivRaw and oai_dc). Streaming through saxes: each <entry>/<record> becomes a small
// tree that is mapped and dropped as soon as it closes, so a large harvest page never sits in
// memory whole.
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { DataError } from '../../../errors.js';
import { type RawPaper, collapseWhitespace, normalizeArxivId, normalizeDoi, parseDate } from '../../../record.js';
import { latexToUnicode } from '../../../text/latex.js';
import type { FormatParser, ParseContext } from '../types.js';
import { addLinks, addUrl, entryError, setExtra, splitAuthorList, splitCategories, warnWhenNothingFound, xmlRootStart, yearFromArxivId } from './common.js';

const NS = {
  atom: 'http://www.w3.org/2005/Atom',
  arxivAtom: 'http://arxiv.org/schemas/atom',
  oai: 'http://www.openarchives.org/OAI/2.0/',
  arxiv: 'http://arxiv.org/OAI/arXiv/',
  arxivRaw: 'http://arxiv.org/OAI/arXivRaw/',
  oaiDc: 'http://www.openarchives.org/OAI/2.0/oai_dc/',
  dc: 'http://purl.org/dc/elements/1.1/',
};

/** One element of a captured subtree. */
export interface XNode {
  uri: string;
  local: string;
  attrs: Record<string, string>;
  text: string;
  children: XNode[];
  line: number;
}

function child(node: XNode, local: string, uri?: string): XNode | undefined {
  return node.children.find((c) => c.local === local && (uri === undefined || c.uri === uri));
}

function children(node: XNode, local: string, uri?: string): XNode[] {
  return node.children.filter((c) => c.local === local && (uri === undefined || c.uri === uri));
}

function textOf(node: XNode | undefined): string | undefined {
  if (!node) return undefined;
  const t = collapseWhitespace(node.text);
  return t === '' ? undefined : t;
}

/**
 * Stream the subtrees whose root `capture` selects, each yielded as soon as its end tag is read.
 * A malformed or truncated document throws DataError at the start line of the subtree that is
 * open (the broken entry), after everything complete before it has been yielded.
 */
export async function* xmlSubtrees(
  chunks: AsyncIterable<string>,
  ctx: ParseContext,
  capture: (uri: string, local: string) => boolean,
  what: string,
): AsyncGenerator<XNode> {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: XNode[] = [];
  const done: XNode[] = [];
  parser.on('opentag', (tag: SaxesTagNS) => {
    const attrs: Record<string, string> = Object.create(null);
    for (const a of Object.values(tag.attributes)) attrs[a.local] = a.value;
    const node: XNode = { uri: tag.uri, local: tag.local, attrs, text: '', children: [], line: parser.line };
    if (stack.length) {
      stack[stack.length - 1].children.push(node);
      stack.push(node);
    } else if (capture(tag.uri, tag.local)) stack.push(node);
  });
  const onText = (text: string): void => {
    if (stack.length) stack[stack.length - 1].text += text;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', () => {
    const node = stack.pop();
    if (node && stack.length === 0) done.push(node);
  });

  const fail = (err: unknown): DataError => {
    const message = (err instanceof Error ? err.message : String(err)).replace(/^\d+:\d+: /, '');
    const open = stack[0];
    if (open) {
      return entryError(ctx, open.line, `${what} starting here is broken: XML ${message} (at line ${parser.line})`);
    }
    return new DataError(`XML is not well-formed: ${message}`, { path: ctx.path, line: parser.line });
  };

  let error: DataError | undefined;
  // Only errors raised by the XML parser itself are XML errors; others (I/O) pass through.
  const feed = (chunk: string | null): void => {
    try {
      if (chunk === null) parser.close();
      else parser.write(chunk);
    } catch (err) {
      error = fail(err);
    }
  };
  // XML cannot be resynchronised after an error: with --skip-invalid the open entry is skipped and
  // the rest of this input is left unread, with a warning.
  const stop = (err: DataError): void => {
    if (!ctx.options.skipInvalid) throw err;
    const line = stack[0]?.line ?? parser.line;
    ctx.skip(`broken XML ${what} (rest of input not read)`, line);
    ctx.diagnostics.warn(`${err.message.replace(/^.*?:\d+: /, '')}; the rest of this input is not read`, { path: ctx.path, line });
  };
  for await (const chunk of chunks) {
    feed(chunk);
    yield* drain();
    if (error) return stop(error);
  }
  feed(null);
  yield* drain();
  if (error) stop(error);

  function* drain(): Generator<XNode> {
    const ready = done.splice(0, done.length);
    yield* ready;
  }
}

// ---------------------------------------------------------------------------------------------
// Atom (arXiv API)

function mapAtomEntry(entry: XNode, ctx: ParseContext): RawPaper | undefined {
  const idText = textOf(child(entry, 'id', NS.atom)) ?? '';
  const title = textOf(child(entry, 'title', NS.atom));
  if (/arxiv\.org\/api\/errors/i.test(idText)) {
    const summary = textOf(child(entry, 'summary', NS.atom)) ?? title ?? 'unknown error';
    throw entryError(ctx, entry.line, `the arXiv API returned an error: ${summary}`);
  }
  if (!title) {
    ctx.skip('Atom entry without a title');
    return undefined;
  }
  const raw: RawPaper = { line: entry.line, title: latexToUnicode(title) };
  const arxivId = normalizeArxivId(idText);
  if (arxivId) raw.arxiv_id = arxivId;
  const summary = textOf(child(entry, 'summary', NS.atom)) ?? textOf(child(entry, 'content', NS.atom));
  if (summary) raw.abstract = latexToUnicode(summary);
  const authors = children(entry, 'author', NS.atom)
    .map((a) => textOf(child(a, 'name', NS.atom)))
    .filter((n): n is string => !!n)
    .map((n) => latexToUnicode(n));
  if (authors.length) raw.authors = authors;

  const primary = child(entry, 'primary_category', NS.arxivAtom)?.attrs.term;
  const terms = children(entry, 'category', NS.atom).flatMap((c) => (c.attrs.term ? [c.attrs.term] : []));
  const { categories, other } = splitCategories(primary ? [primary, ...terms] : terms);
  if (categories.length) raw.categories = categories;
  if (primary) setExtra(raw, 'primary_category', primary);
  setExtra(raw, 'subject_classes', other);

  const published = parseDate(textOf(child(entry, 'published', NS.atom)) ?? '');
  if (published) {
    raw.date = published;
    raw.year = Number(published.slice(0, 4));
  } else raw.year = yearFromArxivId(arxivId);
  const updated = parseDate(textOf(child(entry, 'updated', NS.atom)) ?? '');
  if (updated && updated !== published) setExtra(raw, 'updated', updated);

  let doi = normalizeDoi(textOf(child(entry, 'doi', NS.arxivAtom)) ?? '');
  for (const link of children(entry, 'link', NS.atom)) {
    if (!doi && link.attrs.title === 'doi') doi = normalizeDoi(link.attrs.href ?? '');
    // Non-arXiv feeds: the entry's own page is its link.
    if (!arxivId && (link.attrs.rel ?? 'alternate') === 'alternate') addUrl(raw, link.attrs.href);
  }
  if (doi) raw.doi = doi;
  const journalRef = textOf(child(entry, 'journal_ref', NS.arxivAtom));
  if (journalRef) {
    raw.venue = latexToUnicode(journalRef);
    setExtra(raw, 'journal_ref', raw.venue);
  }
  const comment = textOf(child(entry, 'comment', NS.arxivAtom));
  if (comment) {
    setExtra(raw, 'comments', latexToUnicode(comment));
    addLinks(raw, comment);
  }
  return raw;
}

export const atomFormat: FormatParser = {
  name: 'arxiv-atom',
  description: 'arXiv API response (Atom XML feed of <entry> elements)',
  detect(sample) {
    if (!/<feed\b[^>]*\bxmlns\s*=\s*["']http:\/\/www\.w3\.org\/2005\/Atom["']/.test(sample)) return 0;
    if (!xmlRootStart(sample).startsWith('<feed')) return 0; // Atom quoted inside something else
    return /arxiv\.org/i.test(sample) ? 0.95 : 0.6;
  },
  parse: warnWhenNothingFound('Atom <entry> elements', async function* (chunks, ctx) {
    const capture = (uri: string, local: string) => local === 'entry' && uri === NS.atom;
    for await (const entry of xmlSubtrees(chunks, ctx, capture, '<entry>')) {
      const raw = mapAtomEntry(entry, ctx);
      if (raw) yield raw;
    }
  }),
};

// ---------------------------------------------------------------------------------------------
// OAI-PMH

function fromArxivMetadata(meta: XNode, raw: RawPaper): void {
  const get = (local: string) => textOf(child(meta, local));
  const title = get('title');
  if (title) raw.title = latexToUnicode(title);
  const abstract = get('abstract');
  if (abstract) raw.abstract = latexToUnicode(abstract);
  const id = normalizeArxivId(get('id') ?? '');
  if (id) raw.arxiv_id = id;
  const authorsNode = child(meta, 'authors');
  if (authorsNode && authorsNode.children.length) {
    // arXiv format: <author><keyname/><forenames/><suffix/></author>
    raw.authors = children(authorsNode, 'author').map((a) =>
      latexToUnicode(
        [textOf(child(a, 'forenames')), textOf(child(a, 'keyname')), textOf(child(a, 'suffix'))].filter(Boolean).join(' '),
      ),
    );
  } else if (authorsNode) {
    // arXivRaw format: the free-text author line.
    raw.authors = splitAuthorList(authorsNode.text);
  }
  const cats = get('categories');
  if (cats) {
    const { categories } = splitCategories(cats.split(/\s+/));
    if (categories.length) {
      raw.categories = categories;
      setExtra(raw, 'primary_category', categories[0]);
    }
  }
  const doi = normalizeDoi((get('doi') ?? '').split(/\s+/)[0]);
  if (doi) raw.doi = doi;
  const journalRef = get('journal-ref');
  if (journalRef) raw.venue = latexToUnicode(journalRef);
  // arXiv: <created>/<updated>; arXivRaw: <version><date>RFC 2822</date></version>.
  const versions = children(meta, 'version');
  const created = parseDate(get('created') ?? textOf(child(versions[0] ?? meta, 'date')) ?? '');
  const updated = parseDate(get('updated') ?? (versions.length > 1 ? textOf(child(versions[versions.length - 1], 'date')) ?? '' : ''));
  if (created) {
    raw.date = created;
    raw.year = Number(created.slice(0, 4));
  } else raw.year = yearFromArxivId(id);
  const comments = get('comments');
  if (comments) {
    setExtra(raw, 'comments', latexToUnicode(comments));
    addLinks(raw, comments);
  }
  setExtra(raw, 'journal_ref', raw.venue);
  setExtra(raw, 'report_no', get('report-no'));
  setExtra(raw, 'msc_class', get('msc-class'));
  setExtra(raw, 'acm_class', get('acm-class'));
  setExtra(raw, 'license', get('license'));
  const submitter = get('submitter');
  if (submitter) setExtra(raw, 'submitter', latexToUnicode(submitter.replace(/<[^>]*>/g, '')));
  if (updated) setExtra(raw, 'updated', updated);
  if (versions.length > 1) setExtra(raw, 'versions', versions.length);
}

function fromDublinCore(meta: XNode, raw: RawPaper): void {
  const all = (local: string) => children(meta, local, NS.dc).map(textOf).filter((t): t is string => !!t);
  const title = all('title')[0];
  if (title) raw.title = latexToUnicode(title);
  const creators = all('creator').map((c) => latexToUnicode(c));
  if (creators.length) raw.authors = creators.map((c) => (/^[^,]+,[^,]+$/.test(c) ? `${c.split(',')[1].trim()} ${c.split(',')[0].trim()}` : c));
  // arXiv's oai_dc puts the abstract first and "Comment: ..." in a later description.
  const descriptions = all('description');
  const comment = descriptions.find((d) => /^Comment:/i.test(d));
  const abstract = descriptions.find((d) => !/^Comment:/i.test(d));
  if (abstract) raw.abstract = latexToUnicode(abstract);
  if (comment) {
    setExtra(raw, 'comments', latexToUnicode(comment.replace(/^Comment:\s*/i, '')));
    addLinks(raw, comment);
  }
  for (const id of all('identifier')) {
    const ax = normalizeArxivId(id);
    if (ax && !raw.arxiv_id) raw.arxiv_id = ax;
    const doi = normalizeDoi(id);
    if (doi && !raw.doi) raw.doi = doi;
    if (!ax && !doi && /^https?:\/\//.test(id)) addUrl(raw, id);
  }
  const date = all('date').map((d) => parseDate(d)).find(Boolean);
  if (date) {
    raw.date = date;
    raw.year = Number(date.slice(0, 4));
  } else raw.year = yearFromArxivId(raw.arxiv_id);
  setExtra(raw, 'subjects', all('subject'));
}

function mapOaiRecord(record: XNode, ctx: ParseContext): RawPaper | undefined {
  const header = child(record, 'header', NS.oai);
  if (header?.attrs.status === 'deleted') {
    ctx.skip('deleted OAI-PMH record');
    return undefined;
  }
  const metadata = child(record, 'metadata', NS.oai);
  const meta = metadata?.children[0];
  if (!meta) {
    ctx.skip('OAI-PMH record without metadata');
    return undefined;
  }
  const raw: RawPaper = { line: record.line };
  if (meta.uri === NS.arxiv || meta.uri === NS.arxivRaw) fromArxivMetadata(meta, raw);
  else if (meta.uri === NS.oaiDc) fromDublinCore(meta, raw);
  else {
    throw entryError(ctx, record.line, `OAI-PMH metadata format <${meta.local} xmlns="${meta.uri}"> is not supported (arXiv, arXivRaw and oai_dc are)`);
  }
  const identifier = textOf(child(header ?? record, 'identifier', NS.oai));
  if (!raw.arxiv_id && identifier) {
    const ax = normalizeArxivId(identifier);
    if (ax) raw.arxiv_id = ax;
  }
  if (!raw.title) {
    ctx.skip('OAI-PMH record without a title');
    return undefined;
  }
  const sets = header ? children(header, 'setSpec', NS.oai).map(textOf).filter((s): s is string => !!s) : [];
  setExtra(raw, 'oai_sets', sets);
  return raw;
}

export const oaiPmhFormat: FormatParser = {
  name: 'oai-pmh',
  description: 'OAI-PMH ListRecords/GetRecord XML (arXiv, arXivRaw or oai_dc metadata)',
  detect(sample) {
    if (!/<OAI-PMH\b/.test(sample)) return 0;
    if (!xmlRootStart(sample).startsWith('<OAI-PMH')) return 0;
    return /http:\/\/www\.openarchives\.org\/OAI\/2\.0\//.test(sample) ? 0.97 : 0.8;
  },
  async *parse(chunks, ctx) {
    const capture = (uri: string, local: string) => uri === NS.oai && (local === 'record' || local === 'error' || local === 'resumptionToken');
    let records = 0;
    let noMatch = false;
    for await (const node of xmlSubtrees(chunks, ctx, capture, '<record>')) {
      if (node.local === 'error') {
        const code = node.attrs.code ?? 'error';
        if (code === 'noRecordsMatch') {
          noMatch = true;
          ctx.diagnostics.info(`${ctx.path}: OAI-PMH: no records match the request`);
          continue;
        }
        throw entryError(ctx, node.line, `the OAI-PMH server returned an error (${code}): ${textOf(node) ?? ''}`.trim());
      }
      if (node.local === 'resumptionToken') {
        const token = textOf(node);
        if (token) {
          const size = node.attrs.completeListSize ? ` of ${node.attrs.completeListSize}` : '';
          ctx.diagnostics.info(`${ctx.path}: OAI-PMH page is partial (list${size}); resumptionToken=${token} fetches the next page`);
        }
        continue;
      }
      records++;
      const raw = mapOaiRecord(node, ctx);
      if (raw) yield raw;
    }
    if (records === 0 && !noMatch) ctx.diagnostics.warn('no OAI-PMH <record> elements found in this input', { path: ctx.path });
  },
};
