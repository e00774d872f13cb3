// Scoring predicted label sets against the truth: per-label precision, recall and F1.
import type { EvalReport, LabelScore } from './classifier.js';

/**
 * Per-label precision/recall/F1 (labels sorted by name), macro and micro F1, and accuracy: for
 * single-label data the share of papers whose true label is predicted, for multi-label data the
 * share whose predicted set equals the true set.
 */
export function scoreModel(truth: string[][], predicted: string[][], multiLabel: boolean, folds = 1): EvalReport {
  const tp = new Map<string, number>();
  const fp = new Map<string, number>();
  const fn = new Map<string, number>();
  const labels = new Set<string>();
  const inc = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  let exact = 0;
  truth.forEach((t, i) => {
    const want = new Set(t);
    const got = new Set(predicted[i]);
    for (const l of want) labels.add(l);
    for (const l of got) labels.add(l);
    let same = want.size === got.size;
    for (const l of got) {
      if (want.has(l)) inc(tp, l);
      else {
        inc(fp, l);
        same = false;
      }
    }
    for (const l of want) if (!got.has(l)) inc(fn, l);
    if (multiLabel ? same : predicted[i].length > 0 && want.has(predicted[i][0])) exact++;
  });
  const perLabel: LabelScore[] = [];
  let sumF1 = 0;
  let sTp = 0;
  let sFp = 0;
  let sFn = 0;
  for (const label of [...labels].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    const a = tp.get(label) ?? 0;
    const b = fp.get(label) ?? 0;
    const c = fn.get(label) ?? 0;
    const precision = a + b > 0 ? a / (a + b) : 0;
    const recall = a + c > 0 ? a / (a + c) : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    perLabel.push({ label, precision, recall, f1, support: a + c });
    sumF1 += f1;
    sTp += a;
    sFp += b;
    sFn += c;
  }
  const microP = sTp + sFp > 0 ? sTp / (sTp + sFp) : 0;
  const microR = sTp + sFn > 0 ? sTp / (sTp + sFn) : 0;
  return {
    folds,
    documents: truth.length,
    multiLabel,
    accuracy: truth.length ? exact / truth.length : 0,
    macroF1: perLabel.length ? sumF1 / perLabel.length : 0,
    microF1: microP + microR > 0 ? (2 * microP * microR) / (microP + microR) : 0,
    perLabel,
  };
}
