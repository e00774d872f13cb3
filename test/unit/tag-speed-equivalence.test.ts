// The fast paths of the tag stage give exactly what the plain ones give: SIMD scoring against the
// JavaScript loop, merged lookups (GramIndex) against the model's and the statistics' own tables,
// packed word lookups against the tokenizer, and so on.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/text/tokens.js';
import { DocTokens, lexicon } from '../../src/stages/tag/lexicon.js';
import { docGrams, docNgrams, GramCounter, NgramTable } from '../../src/stages/tag/ngrams.js';
import { GramIndex } from '../../src/stages/tag/gram-index.js';
import { LinearScorer, simdAvailable } from '../../src/stages/tag/simd.js';
import { KeywordExtractor, KeywordStats, KeywordStatsBuilder } from '../../src/stages/tag/keywords.js';
import { LabelledCorpus, rng, TagModel, trainModel } from '../../src/stages/tag/classifier.js';
import { buildKeywordStats, createTagger } from '../../src/stages/tag/index.js';

const WORDS = (
  'graph neural network networks kernel kernels attention transformer transformers language model models ' +
  'learning reinforcement policy gradient convolution image images segmentation detection robot robots ' +
  'quantum circuit circuits protein proteins molecule molecular cuda triton fused gpu memory training inference ' +
  'the of and for with a we our is are this that in on by to from'
).split(' ');

function paper(random: () => number, words: number): { title: string; abstract: string } {
  const pick = () => WORDS[Math.floor(random() * WORDS.length)];
  const sentence = (n: number) => Array.from({ length: n }, pick).join(random() < 0.2 ? '-' : ' ');
  const title = sentence(3 + Math.floor(random() * 5));
  const parts: string[] = [];
  for (let i = 0; i < words; i += 8) parts.push(sentence(8) + (random() < 0.5 ? '.' : ','));
  return { title: title[0].toUpperCase() + title.slice(1), abstract: parts.join(' ') };
}

describe('tag fast paths', () => {
  it('SIMD scoring equals the JavaScript loop bit for bit, for any label count', () => {
    const random = rng(7);
    for (const labels of [1, 2, 3, 4, 5, 7, 8, 118, 121]) {
      const features = 50;
      const w = new Float32Array(features * labels);
      for (let i = 0; i < w.length; i++) w[i] = random() < 0.3 ? 0 : (random() - 0.5) * 4;
      const bias = Float32Array.from({ length: labels }, () => random() - 0.5);
      const simd = new LinearScorer(features, labels);
      const plain = new LinearScorer(features, labels, false);
      simd.setRows(w);
      plain.setRows(w);
      expect(plain.simd).toBe(false);
      expect(simd.simd).toBe(simdAvailable());
      expect(Array.from(simd.rows())).toEqual(Array.from(w));
      for (let trial = 0; trial < 20; trial++) {
        const n = Math.floor(random() * 60);
        const feat = Int32Array.from({ length: n }, () => Math.floor(random() * features));
        const val = Float64Array.from({ length: n }, () => random());
        const a = Array.from(simd.score(bias, feat, val, n));
        const b = Array.from(plain.score(bias, feat, val, n));
        const ref = Array.from(bias, (x) => x as number);
        for (let i = 0; i < n; i++) for (let k = 0; k < labels; k++) ref[k] += val[i] * w[feat[i] * labels + k];
        expect(a).toEqual(ref);
        expect(b).toEqual(ref);
      }
    }
  });

  it('weights decode from base64 straight into the scorer as they do through a buffer', () => {
    const random = rng(3);
    for (const labels of [4, 118]) {
      const w = Float32Array.from({ length: 9 * labels }, () => random() - 0.5);
      const text = Buffer.from(w.buffer).toString('base64');
      const s = new LinearScorer(9, labels);
      expect(s.setRowsBase64(text)).toBe(true);
      expect(Array.from(s.rows())).toEqual(Array.from(w));
      expect(new LinearScorer(9, labels).setRowsBase64(text.slice(0, 40))).toBe(false);
    }
  });

  it('words are found by their packed form exactly as the tokenizer splits and stems them', () => {
    const long = 'Supercalifragilisticexpialidocious-ness and supercalifragilisticexpialidociousness, ' +
      'SUPERCALIFRAGILISTICEXPIALIDOCIOUS abcdefghijklmnopq abcdefghijklmnopr ABCDEFGHIJKLMNOPQ Naïve naive x1 2024';
    const d = new DocTokens();
    d.load('', long);
    const ref = analyze(long);
    expect(d.length).toBe(ref.length);
    for (let i = 0; i < ref.length; i++) {
      expect(d.surface(i)).toBe(ref[i].surface);
      expect(lexicon.stems[d.stem[i]]).toBe(ref[i].stem);
    }
    // Same form, same entry; different forms (differing only before their last 16 letters), different entries.
    const e = (w: string) => lexicon.entryOf(w);
    expect(d.entry[ref.findIndex((t) => t.surface === 'abcdefghijklmnopq')]).toBe(e('abcdefghijklmnopq'));
    expect(e('abcdefghijklmnopq')).not.toBe(e('bbcdefghijklmnopq'));
    expect(e('xsupercalifragilisticexpialidocious')).not.toBe(e('supercalifragilisticexpialidocious'));
  });

  it('quoted spans read as the regular expression collapses them', () => {
    const d = new DocTokens();
    const abstract = 'Graph  neural\tnetworks for  the\u00a0kernel - level and\n\nGPU kernels, fused (CUDA)';
    d.load('A  Title\twith   gaps', abstract);
    for (let i = 0; i < d.length; i++) {
      for (let j = i + 1; j <= Math.min(d.length, i + 4); j++) {
        if ((i < d.titleEnd) !== (j - 1 < d.titleEnd)) continue;
        const text = i < d.titleEnd ? d.title : d.abstract;
        expect(d.span(i, j)).toBe(text.slice(d.from[i], d.to[j - 1]).replace(/\s+/g, ' '));
      }
    }
  });

  it('distinct n-grams count what a scan of the occurrences counts', () => {
    const random = rng(11);
    const d = new DocTokens();
    for (let t = 0; t < 50; t++) {
      const p = paper(random, 40);
      d.load(p.title, p.abstract);
      const buf = docNgrams(d);
      const g = docGrams(d);
      const table = new NgramTable(64);
      const count = new Map<number, number>();
      const title = new Map<number, number>();
      for (let k = 0; k < buf.length; k++) {
        const e = table.add(buf.a[k], buf.b[k], buf.c[k]);
        count.set(e, (count.get(e) ?? 0) + 1);
        if (buf.title[k]) title.set(e, (title.get(e) ?? 0) + 1);
      }
      expect(g.size).toBe(table.size);
      for (let e = 0; e < g.size; e++) {
        const id = table.find(g.a[e], g.b[e], g.c[e]);
        expect(id).toBe(e); // same first-occurrence order
        expect(g.count[e]).toBe(count.get(id));
        expect(g.titleCount[e]).toBe(title.get(id) ?? 0);
        let n = 0;
        for (let k = g.first[e]; k >= 0; k = g.next[k]) {
          expect([buf.a[k], buf.b[k], buf.c[k]]).toEqual([g.a[e], g.b[e], g.c[e]]);
          n++;
        }
        expect(n).toBe(g.count[e]);
      }
    }
  });

  it('the first-pass counter counts what the table counts, through pruning', () => {
    const random = rng(5);
    const counter = new GramCounter(4);
    const table = new NgramTable(4);
    for (let i = 0; i < 5000; i++) {
      const a = Math.floor(random() * 300);
      const b = random() < 0.5 ? -1 : Math.floor(random() * 300);
      const c = b < 0 || random() < 0.5 ? -1 : Math.floor(random() * 300);
      counter.increment(a, b, c);
      const e = table.add(a, b, c); // (before reading table.count: adding may grow it)
      table.count[e]++;
    }
    counter.prune(1);
    table.prune(1);
    const t = counter.toTable();
    expect(t.size).toBe(table.size);
    for (let e = 0; e < table.size; e++) expect(t.count[t.find(table.a[e], table.b[e], table.c[e])]).toBe(table.count[e]);
  });

  it('a Tagger (merged lookups) gives what the model and the extractor give on their own', () => {
    const random = rng(21);
    const papers = Array.from({ length: 300 }, (_, i) => ({ id: `p${i}`, ...paper(random, 30 + Math.floor(random() * 60)) }));
    const corpus = new LabelledCorpus();
    const stats = new KeywordStatsBuilder();
    const d = new DocTokens();
    for (const p of papers) {
      d.load(p.title, p.abstract);
      const labels = [p.abstract.includes('graph') ? 'graphs' : 'other'];
      if (p.abstract.includes('quantum')) labels.push('quantum');
      corpus.add(d, labels, true);
      stats.add(d);
    }
    const model = trainModel(corpus, 'labels', {}, stats.finish());
    const again = TagModel.fromJSON(JSON.parse(JSON.stringify(model.toJSON())), 'm.json');
    for (const m of [model, again]) {
      const tagger = createTagger({ model: m, taxonomy: null });
      const extractor = new KeywordExtractor(m.keywordStats!);
      const own = new DocTokens();
      for (const p of papers.slice(0, 100)) {
        own.load(p.title, p.abstract);
        const pred = m.predict(own);
        const out = tagger.tag(p);
        expect(out.tags).toEqual(pred.labels.map((k) => m.tags[k]).sort());
        expect(out.keywords).toEqual(extractor.extract(own));
      }
    }
    // Saved statistics and statistics counted here: the same keywords.
    const local = buildKeywordStats(papers);
    const saved = KeywordStats.fromJSON(JSON.parse(JSON.stringify(local.toJSON(1))));
    const a = createTagger({ keywordStats: local });
    const b = createTagger({ keywordStats: saved });
    for (const p of papers.slice(0, 50)) expect(a.tag(p).keywords).toEqual(b.tag(p).keywords);
    // The merged index agrees with the tables it merges.
    const index = new GramIndex(model.features, model.keywordStats!.table);
    for (const p of papers.slice(0, 50)) {
      d.load(p.title, p.abstract);
      const g = docGrams(d);
      index.resolve(g, 3);
      for (let e = 0; e < g.size; e++) {
        expect(index.df[e]).toBe(model.keywordStats!.df(g.a[e], g.b[e], g.c[e]));
        const f = model.features.find(g.a[e], g.b[e], g.c[e]);
        expect(index.feature[e]).toBe(f);
      }
    }
  });

  it('a zero title weight still scores as the occurrence scan does', () => {
    const random = rng(8);
    const papers = Array.from({ length: 120 }, () => paper(random, 40));
    const corpus = new LabelledCorpus(2, 0);
    const d = new DocTokens();
    for (const p of papers) {
      d.load(p.title, p.abstract);
      corpus.add(d, [p.title.toLowerCase().includes('graph') ? 'g' : 'o'], false);
    }
    const model = trainModel(corpus, 'labels');
    expect(model.titleWeight).toBe(0);
    const tagger = createTagger({ model, taxonomy: null, keywords: 0 });
    for (const p of papers.slice(0, 40)) {
      d.load(p.title, p.abstract);
      const scores = Array.from(model.predict(d).scores);
      const labels = model.predict(d).labels.map((k) => model.tags[k]).sort();
      expect(tagger.tag({ id: 'x', ...p }).tags).toEqual(labels);
      expect(scores.length).toBe(model.labels.length);
    }
  });
});
