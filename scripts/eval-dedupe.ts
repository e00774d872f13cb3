// Measures `dedupe` on real data (run: npm run eval:dedupe [-- options]).
//   1. DBLP-ACM: dblp.csv + acm.csv concatenated into one input (ids "dblp:<row>", "acm:<row>"),
//      every pair inside a merged group compared with gt.csv: precision, recall, F1.
//   2. arXiv cs 2016: 11 pairs of different arXiv ids share a normalized title; different ids must
//      keep them apart (no merge at all is expected in that file).
//   3. Text-rule calibration on arXiv cs 2016 (ids removed): 1,200 real abstracts each get one variant
//      (sentence added, sentence removed, words changed, truncated) under a title that lost its last
//      word, so only the text rule can join them; recall per kind and the false pairs over 10,800 records.
// Options: --data DIR (default ../shared/data), --set name=value (a DedupeOptions field, repeatable),
//          --groups FILE (write the DBLP-ACM groups as JSONL), --errors N (print N false pairs and misses),
//          --only dblp|arxiv|variants (run one part).
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Paper } from '../src/record.js';
import { dedupe, DEFAULT_DEDUPE_OPTIONS, type DedupeOptions } from '../src/stages/dedupe/index.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const args = process.argv.slice(2);
let dataDir = resolve(here, '../../shared/data');
const overrides: Partial<DedupeOptions> = {};
let groupsFile: string | undefined;
let showErrors = 0;
let only: string | undefined;
for (let k = 0; k < args.length; k++) {
  const a = args[k];
  if (a === '--data') dataDir = resolve(args[++k]);
  else if (a === '--groups') groupsFile = args[++k];
  else if (a === '--errors') showErrors = Number(args[++k]);
  else if (a === '--only') only = args[++k];
  else if (a === '--set') {
    const [name, value] = args[++k].split('=');
    if (!(name in DEFAULT_DEDUPE_OPTIONS)) throw new Error(`unknown option ${name}`);
    (overrides as Record<string, number>)[name] = Number(value);
  } else throw new Error(`unknown argument ${a}`);
}

function readPercentCsv(path: string, prefix: string): Paper[] {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  const header = lines[0].split('%');
  const col = (name: string) => header.indexOf(name);
  const out: Paper[] = [];
  for (const line of lines.slice(1)) {
    if (!line) continue;
    const f = line.split('%');
    const rec: Paper = { id: `${prefix}:${f[col('id')]}`, title: f[col('title')] };
    const authors = f[col('authors')].split(',').map((s) => s.trim()).filter(Boolean);
    if (authors.length) rec.authors = authors;
    if (f[col('venue')]) rec.venue = f[col('venue')];
    if (f[col('year')]) rec.year = Number(f[col('year')]);
    out.push(rec);
  }
  return out;
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

function evalDblpAcm(): void {
  const dir = join(dataDir, 'dblp-acm');
  if (!existsSync(join(dir, 'gt.csv'))) {
    console.log(`DBLP-ACM: skipped (${dir} not found)`);
    return;
  }
  const records = [...readPercentCsv(join(dir, 'dblp.csv'), 'dblp'), ...readPercentCsv(join(dir, 'acm.csv'), 'acm')];
  const truth = new Set<string>();
  for (const line of readFileSync(join(dir, 'gt.csv'), 'utf8').split(/\r?\n/).slice(1)) {
    if (!line) continue;
    const [d, a] = line.split('%');
    truth.add(pairKey(`dblp:${d}`, `acm:${a}`));
  }
  const t0 = performance.now();
  const result = dedupe(records, overrides);
  const ms = performance.now() - t0;
  const predicted = new Set<string>();
  for (const g of result.groups) {
    for (let x = 0; x < g.members.length; x++) for (let y = x + 1; y < g.members.length; y++) predicted.add(pairKey(g.members[x], g.members[y]));
  }
  const report = (label: string, pred: Set<string>) => {
    let tp = 0;
    for (const p of pred) if (truth.has(p)) tp++;
    const precision = pred.size ? tp / pred.size : 0;
    const recall = tp / truth.size;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    console.log(
      `  ${label.padEnd(22)} predicted ${String(pred.size).padStart(5)}  true ${String(tp).padStart(5)}  ` +
        `precision ${precision.toFixed(4)}  recall ${recall.toFixed(4)}  F1 ${f1.toFixed(4)}`,
    );
  };
  const cross = new Set([...predicted].filter((p) => p.startsWith('acm:') !== p.includes('|acm:')));
  const byRule = new Map<string, number>();
  for (const g of result.groups) for (const p of g.pairs) byRule.set(p.rule, (byRule.get(p.rule) ?? 0) + 1);
  console.log(`DBLP-ACM (${records.length} records, ${truth.size} true pairs; ${ms.toFixed(0)} ms)`);
  console.log(`  records in ${result.stats.in}, out ${result.stats.out}, merged ${result.stats.merged}, groups ${result.stats.groups}`);
  console.log(`  accepted pairs by rule: ${[...byRule].map(([r, c]) => `${r} ${c}`).join(', ')}`);
  report('all pairs in groups', predicted);
  report('cross-source pairs', cross);
  if (showErrors > 0) {
    const title = new Map(records.map((r) => [r.id, `${r.title} (${r.year ?? '?'}; ${(r.authors ?? []).join(', ')}; ${r.venue ?? ''})`]));
    console.log('  false pairs:');
    for (const p of [...predicted].filter((q) => !truth.has(q)).slice(0, showErrors)) {
      const [a, b] = p.split('|');
      console.log(`    ${a}: ${title.get(a)}\n    ${b}: ${title.get(b)}\n`);
    }
    console.log('  missed pairs:');
    for (const p of [...truth].filter((q) => !predicted.has(q)).slice(0, showErrors)) {
      const [a, b] = p.split('|');
      console.log(`    ${a}: ${title.get(a)}\n    ${b}: ${title.get(b)}\n`);
    }
  }
  if (groupsFile) {
    writeFileSync(groupsFile, result.groups.map((g) => JSON.stringify(g)).join('\n') + '\n');
    console.log(`  groups written to ${groupsFile}`);
  }
}

function evalArxivSameTitle(): void {
  const path = join(dataDir, 'arxiv-cs-2016', 'papers.jsonl');
  if (!existsSync(path)) {
    console.log(`arXiv cs 2016: skipped (${path} not found)`);
    return;
  }
  const rows = readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  const toPaper = (r: Record<string, unknown>, withIds: boolean): Paper => {
    const p: Paper = { id: String(r.arxiv_id), title: String(r.title), abstract: String(r.abstract), authors: r.authors as string[] };
    const year = Number(String(r.created).slice(0, 4));
    if (year) p.year = year;
    if (withIds) {
      p.arxiv_id = String(r.arxiv_id);
      if (r.doi) p.doi = String(r.doi);
    }
    return p;
  };
  const t0 = performance.now();
  const withIds = dedupe(rows.map((r) => toPaper(r, true)), overrides);
  const ms = performance.now() - t0;
  console.log(`arXiv cs 2016 (${rows.length} records; ${ms.toFixed(0)} ms)`);
  console.log(`  with arXiv ids: merged ${withIds.stats.merged} records in ${withIds.stats.groups} groups (expected 0: the 11 same-title pairs have different ids)`);
  for (const g of withIds.groups.slice(0, 5)) console.log(`    ${g.members.join(' + ')}: ${g.pairs.map((p) => `${p.rule} ${p.score}`).join(', ')}`);
  const noIds = dedupe(rows.map((r) => toPaper(r, false)), overrides);
  console.log(`  ids removed (title, authors, year, abstract only): merged ${noIds.stats.merged} records in ${noIds.stats.groups} groups`);
  for (const g of noIds.groups) console.log(`    ${g.members.join(' + ')}: ${g.pairs.map((p) => `${p.rule} ${p.score}`).join(', ')}`);
}

/** Small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KINDS = ['sentence added', 'sentence removed', 'five words changed', 'truncated to 60%'] as const;

function evalTextVariants(): void {
  const path = join(dataDir, 'arxiv-cs-2016', 'papers.jsonl');
  if (!existsSync(path)) {
    console.log(`text variants: skipped (${path} not found)`);
    return;
  }
  const rows = readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  const random = rng(20240611);
  const papers: Paper[] = rows.map((r) => ({ id: String(r.arxiv_id), title: String(r.title), abstract: String(r.abstract), authors: r.authors as string[], year: Number(String(r.created).slice(0, 4)) }));
  const vocabulary = papers.slice(0, 200).flatMap((p) => String(p.abstract).split(/\s+/)).filter((w) => /^[a-z]{4,}$/.test(w));
  const sentences = (t: string) => t.trim().split(/(?<=[.!?])\s+/).filter(Boolean);
  const variants: Paper[] = [];
  const kindOf = new Map<string, string>();
  let k = 0;
  for (let i = 0; i < papers.length && variants.length < 1200; i += 8) {
    const p = papers[i];
    const words = String(p.title).trim().split(/\s+/);
    const sents = sentences(String(p.abstract));
    if (words.length < 4 || sents.length < 3) continue;
    const kind = KINDS[k++ % KINDS.length];
    let abstract: string;
    if (kind === 'sentence added') abstract = `${p.abstract} ${sentences(String(papers[(i + 4801) % papers.length].abstract))[0]}`;
    else if (kind === 'sentence removed') {
      const drop = 1 + Math.floor(random() * (sents.length - 1));
      abstract = sents.filter((_, x) => x !== drop).join(' ');
    } else if (kind === 'five words changed') {
      const w = String(p.abstract).trim().split(/\s+/);
      for (let c = 0; c < 5; c++) w[Math.floor(random() * w.length)] = vocabulary[Math.floor(random() * vocabulary.length)];
      abstract = w.join(' ');
    } else abstract = String(p.abstract).slice(0, Math.floor(String(p.abstract).length * 0.6));
    const id = `${p.id}#variant`;
    kindOf.set(id, kind);
    variants.push({ ...p, id, title: words.slice(0, -1).join(' '), abstract });
  }
  const result = dedupe([...papers, ...variants], overrides);
  const found = new Map<string, number>(KINDS.map((x) => [x, 0]));
  const total = new Map<string, number>(KINDS.map((x) => [x, 0]));
  for (const v of variants) total.set(kindOf.get(v.id)!, total.get(kindOf.get(v.id)!)! + 1);
  let pairs = 0;
  let wrong = 0;
  let originals = 0; // two records of the file itself (it holds re-submissions under new arXiv ids)
  for (const g of result.groups) {
    for (let x = 0; x < g.members.length; x++) {
      for (let y = x + 1; y < g.members.length; y++) {
        pairs++;
        const [a, b] = [g.members[x], g.members[y]];
        const same = a.replace('#variant', '') === b.replace('#variant', '');
        if (same) {
          const v = a.endsWith('#variant') ? a : b;
          found.set(kindOf.get(v)!, found.get(kindOf.get(v)!)! + 1);
        } else if (!a.endsWith('#variant') && !b.endsWith('#variant')) originals++;
        else {
          wrong++;
          if (showErrors > 0 && wrong <= showErrors) console.log(`  variant joined to another paper: ${g.members.join(' + ')} (${g.pairs.map((p) => `${p.rule} ${p.score}`).join(', ')})`);
        }
      }
    }
  }
  const rules = new Map<string, number>();
  for (const g of result.groups) for (const p of g.pairs) rules.set(p.rule, (rules.get(p.rule) ?? 0) + 1);
  if (showErrors > 0) {
    const joined = new Set(result.groups.flatMap((g) => g.members));
    for (const v of variants.filter((x) => !joined.has(x.id)).slice(0, showErrors)) console.log(`  missed (${kindOf.get(v.id)}): ${v.id} ${v.title}`);
  }
  console.log(`text variants (${papers.length} arXiv abstracts + ${variants.length} variants whose title lost its last word)`);
  for (const kind of KINDS) console.log(`  ${kind.padEnd(20)} found ${found.get(kind)} of ${total.get(kind)}`);
  const foundAll = [...found.values()].reduce((a, b) => a + b, 0);
  console.log(`  recall ${(foundAll / variants.length).toFixed(4)}; merged pairs ${pairs}: variant with its paper ${foundAll}, variant with another paper ${wrong}, two original records ${originals}`);
  console.log(`  rules: ${[...rules].map(([r, c]) => `${r} ${c}`).join(', ')}`);
}

console.log(`options: ${JSON.stringify({ ...DEFAULT_DEDUPE_OPTIONS, ...overrides })}`);
if (!only || only === 'dblp') evalDblpAcm();
if (!only || only === 'arxiv') evalArxivSameTitle();
if (!only || only === 'variants') evalTextVariants();
