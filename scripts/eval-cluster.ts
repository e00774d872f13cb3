// Clustering quality and speed on real abstracts.
//
// Quality (NMI and ARI against a known category, computed as scikit-learn does):
//   npx tsx scripts/eval-cluster.ts [papers.jsonl] [--k 12] [--seeds 1,2,3] [--label primary_category]
//                                   [--dims 50] [--restarts 10] [--engine auto|ml-kmeans|typed]
// Engines (ml-kmeans against the typed-array k-means on the same LSA vectors and starts):
//   npx tsx scripts/eval-cluster.ts --engines [papers.jsonl] [--k 12]
// Scale (synthetic corpus of N papers mixing real sentences within a category, streamed through
// the fitter as `papers cluster` does; prints phase times and peak RSS):
//   npx tsx scripts/eval-cluster.ts --scale 100000 [papers.jsonl] [--k 20]
// The default input is ../shared/data/arxiv-cs-2016/papers.jsonl (9,600 papers, 12 categories).
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { ClusterFitter, clusterRecords, type ClusterOptions } from '../src/stages/cluster/index.js';
import { Corpus } from '../src/stages/cluster/corpus.js';
import { buildMatrix, vocabularyLimits } from '../src/stages/cluster/matrix.js';
import { projectAll, truncatedSvd } from '../src/stages/cluster/svd.js';
import { kmeansPlusPlus, lloydMl, lloydTyped } from '../src/stages/cluster/kmeans.js';
import { ari, nmi } from '../src/stages/cluster/metrics.js';
import { Random } from '../src/stages/cluster/random.js';
import type { Paper } from '../src/record.js';

const args = process.argv.slice(2);
function flag(name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
}
function bool(name: string): boolean {
  const i = args.indexOf(`--${name}`);
  if (i >= 0) args.splice(i, 1);
  return i >= 0;
}
const kFlag = flag('k');
const labelField = flag('label') ?? 'primary_category';
const seeds = (flag('seeds') ?? flag('seed') ?? '42').split(',').map(Number);
const dims = flag('dims');
const engine = flag('engine') as ClusterOptions['engine'] | undefined;
const restarts = flag('restarts');
const scale = flag('scale');
const engines = bool('engines');
const path = args[0] ?? new URL('../../shared/data/arxiv-cs-2016/papers.jsonl', import.meta.url).pathname;

interface Labelled {
  record: Paper;
  label: string;
}

function load(): Labelled[] {
  const out: Labelled[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const o = JSON.parse(line) as Record<string, unknown>;
    out.push({
      record: { id: String(o.id ?? o.arxiv_id), title: String(o.title ?? ''), abstract: String(o.abstract ?? '') },
      label: String(o[labelField]),
    });
  }
  return out;
}

const mb = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MB`;

function quality(): void {
  const data = load();
  const records = data.map((d) => d.record);
  const truth = data.map((d) => d.label);
  console.log(`${path}: ${records.length} papers, ${new Set(truth).size} classes in "${labelField}"`);
  const scores: number[][] = [];
  for (const seed of seeds) {
    const t0 = performance.now();
    const result = clusterRecords(records, {
      k: kFlag === undefined || kFlag === 'auto' ? undefined : Number(kFlag),
      seed,
      dims: dims ? Number(dims) : undefined,
      engine,
      restarts: restarts ? Number(restarts) : undefined,
    });
    const seconds = (performance.now() - t0) / 1000;
    const predicted = result.records.map((r) => r.cluster as number);
    const s = [nmi(truth, predicted), ari(truth, predicted)];
    scores.push(s);
    console.log(`seed ${seed}: k=${result.k} NMI ${s[0].toFixed(3)} ARI ${s[1].toFixed(3)} (${seconds.toFixed(1)} s)`);
    if (seeds.length === 1) {
      for (const c of result.clusters) {
        const members = new Map<string, number>();
        result.records.forEach((r, i) => {
          if (r.cluster === c.id) members.set(truth[i], (members.get(truth[i]) ?? 0) + 1);
        });
        const top = [...members].sort((a, b) => b[1] - a[1]).slice(0, 2).map(([name, n]) => `${name} ${n}`).join(', ');
        console.log(`  ${String(c.id).padStart(2)} ${String(c.size).padStart(5)}  ${c.label.padEnd(50)} [${top}]`);
      }
    }
  }
  if (seeds.length > 1) {
    const mean = (i: number) => scores.reduce((a, s) => a + s[i], 0) / scores.length;
    const min = (i: number) => Math.min(...scores.map((s) => s[i]));
    console.log(`mean NMI ${mean(0).toFixed(3)} (min ${min(0).toFixed(3)}), mean ARI ${mean(1).toFixed(3)} (min ${min(1).toFixed(3)}) over ${seeds.length} seeds`);
  }
}

function compareEngines(): void {
  const data = load();
  const corpus = new Corpus({ sampleSize: 0, seed: 42 });
  for (const d of data) corpus.add(d.record.id, d.record.title, d.record.abstract ?? '');
  corpus.finish();
  const matrix = buildMatrix(corpus, vocabularyLimits(corpus.rows));
  const d = Number(dims ?? 50);
  const projection = truncatedSvd(matrix, null, { rank: d, oversample: 10, powerIterations: 2 }, new Random(1));
  const { vectors } = projectAll(matrix, projection);
  const n = matrix.rows;
  for (const k of kFlag ? [Number(kFlag)] : [12, 20]) {
    const init = kmeansPlusPlus(vectors, n, d, k, new Random(7));
    let t = performance.now();
    const typed = lloydTyped(vectors, n, d, init, k);
    const typedMs = performance.now() - t;
    t = performance.now();
    const ml = lloydMl(vectors, n, d, init, k);
    const mlMs = performance.now() - t;
    console.log(
      `n=${n} d=${d} k=${k}: ml-kmeans ${(mlMs / 1000).toFixed(2)} s (${ml.iterations} iterations), typed ${(typedMs / 1000).toFixed(2)} s (${typed.iterations} iterations); ` +
        `same labels: ${ari(ml.labels, typed.labels) === 1 ? 'yes' : `no (ARI ${ari(ml.labels, typed.labels).toFixed(4)})`}, inertia ${ml.inertia.toFixed(3)} / ${typed.inertia.toFixed(3)}`,
    );
  }
}

function atScale(total: number): void {
  const data = load();
  // Sentence pools per category: synthetic papers keep real vocabulary, lengths and topics.
  const pools = new Map<string, { titles: string[]; sentences: string[] }>();
  for (const d of data) {
    let p = pools.get(d.label);
    if (!p) pools.set(d.label, (p = { titles: [], sentences: [] }));
    p.titles.push(d.record.title);
    for (const s of (d.record.abstract ?? '').replace(/\s+/g, ' ').split(/(?<=\.) /)) if (s.trim()) p.sentences.push(s.trim());
  }
  const labels = [...pools.keys()].sort();
  const rng = new Random(2024);
  const truth: number[] = [];
  const t0 = performance.now();
  let mark = t0;
  let phase = 'pass 1 (tokenize, count)';
  const times: string[] = [];
  const lap = (next: string) => {
    const now = performance.now();
    times.push(`${phase} ${((now - mark) / 1000).toFixed(1)} s`);
    mark = now;
    phase = next;
  };
  const fitter = new ClusterFitter({
    k: kFlag ? Number(kFlag) : undefined,
    seed: seeds[0],
    dims: dims ? Number(dims) : undefined,
    progress: (next) => lap(next),
  });
  // Papers are generated in chunks outside the timed work, then added: only the fitter is timed.
  let bytes = 0;
  let generating = 0;
  const chunk: Paper[] = [];
  for (let i = 0; i < total; ) {
    const g0 = performance.now();
    chunk.length = 0;
    for (; chunk.length < 10_000 && i < total; i++) {
      const c = rng.int(labels.length);
      truth.push(c);
      const pool = pools.get(labels[c])!;
      const parts: string[] = [];
      const sentences = 5 + rng.int(5);
      for (let s = 0; s < sentences; s++) parts.push(pool.sentences[rng.int(pool.sentences.length)]);
      // Flat strings, as JSON.parse gives them.
      const rec = { id: `synthetic-${i}`, title: pool.titles[rng.int(pool.titles.length)], abstract: JSON.parse(JSON.stringify(parts.join(' '))) as string };
      bytes += rec.title.length + rec.abstract.length;
      chunk.push(rec);
    }
    generating += performance.now() - g0;
    for (const rec of chunk) fitter.add(rec);
  }
  mark += generating;
  const fit = fitter.fit();
  lap('');
  const seconds = (performance.now() - t0) / 1000;
  const predicted = Array.from(fit.assignment);
  console.log(`${total} synthetic papers (${mb(bytes)} of title+abstract text), k=${fit.k}`);
  console.log(`phases: ${times.join(', ')}`);
  console.log(`(generating the papers took ${(generating / 1000).toFixed(1)} s more, not counted)`);
  console.log(`total ${(seconds - generating / 1000).toFixed(1)} s (${Math.round(total / (seconds - generating / 1000))} papers/s), peak RSS ${mb(process.resourceUsage().maxRSS * 1024)}`);
  console.log(`NMI ${nmi(truth, predicted).toFixed(3)} ARI ${ari(truth, predicted).toFixed(3)} against the source category`);
  for (const c of fit.clusters.slice(0, 30)) console.log(`  ${String(c.id).padStart(2)} ${String(c.size).padStart(7)}  ${c.label}`);
}

if (scale) atScale(Number(scale));
else if (engines) compareEngines();
else quality();
