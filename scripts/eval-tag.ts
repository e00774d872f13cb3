// Learned-tag accuracy on arXiv abstracts with their primary category, against the reference figure
// of scikit-learn's LinearSVC on TF-IDF (0.873 on a stratified 80/20 split of arxiv-cs-2016).
//
//   npx tsx scripts/eval-tag.ts [papers.jsonl] [--field primary_category] [--seed 42] [--c 0.5]
//                               [--test-share 0.2] [--cv 5] [--grid 0.125,0.25,0.5,1,2]
//
// Split: stratified by label, seeded (mulberry32), 1/k of each label held out (k = 1 / test-share).
// --grid picks C by cross-validation on the training part only (the test part is never looked at).
// --cv K also reports K-fold cross-validation over the whole file.
// --areas instead checks the default taxonomy: how often the area tag that corresponds to a paper's
// primary category (cs.CV -> vision, cs.CL -> nlp, ...) is given, and how often that tag goes to
// papers of that category.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { crossValidate, DEFAULT_TRAIN_OPTIONS, LabelledCorpus, score, stratifiedFolds, trainAndPredict } from '../src/stages/tag/classifier.js';
import { DocTokens } from '../src/stages/tag/lexicon.js';
import { compiledDefault } from '../src/stages/tag/index.js';

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const file = process.argv[2] && !process.argv[2].startsWith('--') ? process.argv[2] : resolve(import.meta.dirname, '../../shared/data/arxiv-cs-2016/papers.jsonl');
const field = arg('field', 'primary_category')!;
const seed = Number(arg('seed', '42'));
const testShare = Number(arg('test-share', '0.2'));
const cvFolds = arg('cv') ? Number(arg('cv')) : 0;
const grid = arg('grid')?.split(',').map(Number);
let c = Number(arg('c', String(DEFAULT_TRAIN_OPTIONS.c)));

if (process.argv.includes('--areas')) {
  const expected: Record<string, string> = {
    'cs.CV': 'vision', 'cs.CL': 'nlp', 'cs.CR': 'security-privacy', 'cs.NI': 'networking', 'cs.DB': 'databases',
    'cs.RO': 'robotics', 'cs.LO': 'logic-verification', 'cs.IT': 'information-theory', 'cs.GT': 'game-theory',
    'quant-ph': 'quantum', 'math.CO': 'discrete-math', 'physics.soc-ph': 'social-networks',
  };
  const tx = compiledDefault();
  const d = new DocTokens();
  const total = new Map<string, number>();
  const hit = new Map<string, number>();
  const given = new Map<string, number>();
  let tags = 0;
  let n = 0;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as Record<string, unknown>;
    const cat = String(r.primary_category);
    if (!(cat in expected)) continue;
    d.load(String(r.title ?? ''), String(r.abstract ?? ''));
    const t = tx.match(d).tags;
    n++;
    tags += t.length;
    total.set(cat, (total.get(cat) ?? 0) + 1);
    if (t.includes(expected[cat])) hit.set(cat, (hit.get(cat) ?? 0) + 1);
    for (const tag of t) given.set(tag, (given.get(tag) ?? 0) + 1);
  }
  console.log(`${n} papers, ${(tags / n).toFixed(2)} default-taxonomy tags per paper`);
  console.log(`${'category'.padEnd(16)}${'area tag'.padEnd(20)}  given to the category's papers  share of the tag's papers in the category`);
  let sum = 0;
  for (const [cat, tag] of Object.entries(expected)) {
    const recall = (hit.get(cat) ?? 0) / (total.get(cat) ?? 1);
    const precision = (hit.get(cat) ?? 0) / (given.get(tag) ?? 1);
    sum += recall;
    console.log(`${cat.padEnd(16)}${tag.padEnd(20)}  ${(recall * 100).toFixed(1).padStart(29)}%  ${(precision * 100).toFixed(1).padStart(41)}%`);
  }
  console.log(`mean share given: ${((sum / Object.keys(expected).length) * 100).toFixed(1)}%`);
  process.exit(0);
}

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

const t0 = performance.now();
const corpus = new LabelledCorpus();
const doc = new DocTokens();
let skipped = 0;
for (const line of readFileSync(file, 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const r = JSON.parse(line) as Record<string, unknown>;
  const v = r[field];
  const labels = typeof v === 'string' ? [v] : Array.isArray(v) ? v.map(String) : [];
  if (!labels.length) {
    skipped++;
    continue;
  }
  doc.load(String(r.title ?? ''), String(r.abstract ?? ''));
  corpus.add(doc, labels, Array.isArray(v));
}
const loadSeconds = (performance.now() - t0) / 1000;
console.log(`${file}: ${corpus.size} papers, ${corpus.labels.length} labels from "${field}"${skipped ? `, ${skipped} without a label skipped` : ''} (read and tokenized in ${loadSeconds.toFixed(1)} s)`);

const k = Math.round(1 / testShare);
const folds = stratifiedFolds(corpus, k, seed);
const test = folds[0];
const train = folds.slice(1).flat().sort((a, b) => a - b);

if (grid) {
  // Choose C by 5-fold cross-validation on the training part.
  const sub = new LabelledCorpus();
  // Rebuilding a corpus of the training part keeps the test part out of every statistic.
  const keep = new Set(train);
  let best = { c, acc: -1 };
  const rows = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim());
  let i = 0;
  for (const line of rows) {
    const r = JSON.parse(line) as Record<string, unknown>;
    const v = r[field];
    const labels = typeof v === 'string' ? [v] : Array.isArray(v) ? v.map(String) : [];
    if (!labels.length) continue;
    if (keep.has(i)) {
      doc.load(String(r.title ?? ''), String(r.abstract ?? ''));
      sub.add(doc, labels, Array.isArray(v));
    }
    i++;
  }
  for (const g of grid) {
    const rep = crossValidate(sub, 5, { c: g, seed });
    console.log(`  C=${g}: 5-fold CV accuracy on the training part ${rep.accuracy.toFixed(4)}`);
    if (rep.accuracy > best.acc) best = { c: g, acc: rep.accuracy };
  }
  c = best.c;
  console.log(`chosen C=${c}`);
}

const c0 = cpu();
const t1 = performance.now();
const predicted = trainAndPredict(corpus, Int32Array.from(train), Int32Array.from(test), { c, seed: DEFAULT_TRAIN_OPTIONS.seed });
const report = score(corpus, test, predicted, 1);
console.log(
  `stratified ${Math.round((1 - testShare) * 100)}/${Math.round(testShare * 100)} split (seed ${seed}): train ${train.length}, test ${test.length}, C=${c}: ` +
    `accuracy ${report.accuracy.toFixed(4)}, macro-F1 ${report.macroF1.toFixed(4)} (train+predict ${((performance.now() - t1) / 1000).toFixed(1)} s wall, ${(cpu() - c0).toFixed(1)} s CPU)`,
);
console.log(`reference: scikit-learn LinearSVC on TF-IDF, 0.873 -> ${report.accuracy >= 0.873 ? 'matched or beaten' : 'NOT reached'}`);
console.log('');
console.log(`${'label'.padEnd(16)} precision  recall      f1  support`);
for (const l of report.perLabel) {
  console.log(`${l.label.padEnd(16)} ${l.precision.toFixed(3).padStart(9)}  ${l.recall.toFixed(3).padStart(6)}  ${l.f1.toFixed(3).padStart(6)}  ${String(l.support).padStart(7)}`);
}

if (cvFolds >= 2) {
  const rep = crossValidate(corpus, cvFolds, { c, seed });
  console.log(`\n${cvFolds}-fold stratified cross-validation over all ${rep.documents} papers: accuracy ${rep.accuracy.toFixed(4)}, macro-F1 ${rep.macroF1.toFixed(4)}`);
}
