// Cluster labels: class-based TF-IDF, phrases, written forms; and the corpus tokenizer.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tokenize } from '../../src/text/tokens.js';
import { Corpus, splitWords } from '../../src/stages/cluster/corpus.js';
import { classTfIdf, describeClusters, pickForm } from '../../src/stages/cluster/labels.js';

describe('splitWords', () => {
  it('gives exactly the tokens of tokenize() (src/text/tokens.ts)', () => {
    const samples = [
      'Graph Neural Networks (GNNs): a survey', '  leading and trailing  ', '', '---', 'Poincaré embeddings, 3D-CNNs & ÆON',
      'İstanbul ǅemal ﬁne', 'x\u0301y 𝑥+𝑦 日本語テキスト', '$\\mathcal{O}(n^2)$ time', 'a_b-c.d/e',
    ];
    for (const s of samples) expect(splitWords(s)).toEqual(tokenize(s));
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => {
        expect(splitWords(s)).toEqual(tokenize(s));
      }),
      { numRuns: 500 },
    );
  });
});

describe('class-based TF-IDF', () => {
  it('rewards terms used by many papers of the cluster and few outside', () => {
    const everywhere = classTfIdf(10, 10, 100, 100);
    const distinctive = classTfIdf(9, 10, 10, 100);
    const rare = classTfIdf(2, 10, 2, 100);
    expect(everywhere).toBe(0);
    expect(distinctive).toBeGreaterThan(rare);
    expect(classTfIdf(1, 10, 50, 100)).toBe(0); // less common in the cluster than overall
  });

  it('spells a term as writers do: lower case if common, else the usual spelling', () => {
    expect(pickForm(new Map([['Transformer', 5], ['transformer', 3]]))).toBe('transformer');
    expect(pickForm(new Map([['LLMs', 9], ['llms', 1]]))).toBe('LLMs');
    expect(pickForm(new Map([['ImageNet', 4], ['Imagenet', 1]]))).toBe('ImageNet');
  });
});

function describe2(docsA: string[][], docsB: string[][]) {
  const corpus = new Corpus({ sampleSize: 1000, seed: 1 });
  for (const [t, a] of [...docsA, ...docsB]) corpus.add(t, t, a);
  const docs = corpus.finish();
  const labels = Int32Array.from(docs.map((d) => (d.row < docsA.length ? 0 : 1)));
  return describeClusters(corpus, docs, labels, 2, () => true, { labelTerms: 3, topTerms: 6 });
}

describe('describeClusters', () => {
  const gnn: string[][] = [
    ['Graph neural networks for molecules', 'Graph neural networks (GNNs) learn molecule properties from atoms and bonds.'],
    ['Scalable graph neural networks', 'We train graph neural networks (GNNs) on large citation graphs with sampling.'],
    ['Expressive power of graph neural networks', 'Message passing graph neural networks are bounded by the WL test; GNNs fail on some graphs.'],
    ['Graph neural networks for traffic', 'Road sensors form graphs; graph neural networks forecast traffic speed.'],
  ];
  const quantum: string[][] = [
    ['Surface codes for quantum error correction', 'Quantum error correction protects qubits; surface codes tolerate noise.'],
    ['Decoding quantum codes', 'Fast decoders for quantum error correction with surface codes and qubits.'],
    ['Fault tolerant qubits', 'Quantum error correction thresholds for superconducting qubits.'],
    ['Magic states', 'Magic state distillation for fault tolerant quantum computation on qubits.'],
  ];
  const [a, b] = describe2(gnn, quantum);

  it('finds the topic phrase, grown to the words that always come with it', () => {
    expect(a.terms[0]).toBe('graph neural networks');
    expect(b.terms).toContain('quantum error correction');
    expect(b.terms).toContain('qubits');
  });

  it('never repeats a word shown in a phrase, and keeps acronyms as written', () => {
    expect(a.terms).not.toContain('graph');
    expect(a.terms).not.toContain('neural');
    expect(a.terms.filter((t) => /GNNs/.test(t))).toEqual(['GNNs']); // "(GNNs)" is no part of a phrase
    expect(a.label).toBe(a.terms.slice(0, 3).join(', '));
  });

  it('keeps words of the other cluster out', () => {
    expect(a.terms.join(' ')).not.toMatch(/quantum|qubit/);
    expect(b.terms.join(' ')).not.toMatch(/graph|neural/);
  });
});
