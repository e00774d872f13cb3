// External clustering scores against known classes, as scikit-learn defines them
// (normalized_mutual_info_score with arithmetic averaging, adjusted_rand_score).

function contingency(truth: ArrayLike<string | number>, predicted: ArrayLike<string | number>) {
  const rowIds = new Map<string | number, number>();
  const colIds = new Map<string | number, number>();
  const cells = new Map<string, number>();
  for (let i = 0; i < truth.length; i++) {
    if (!rowIds.has(truth[i])) rowIds.set(truth[i], rowIds.size);
    if (!colIds.has(predicted[i])) colIds.set(predicted[i], colIds.size);
    const key = `${rowIds.get(truth[i])}:${colIds.get(predicted[i])}`;
    cells.set(key, (cells.get(key) ?? 0) + 1);
  }
  const rows = new Float64Array(rowIds.size);
  const cols = new Float64Array(colIds.size);
  const entries: Array<[number, number, number]> = [];
  for (const [key, count] of cells) {
    const [r, c] = key.split(':').map(Number);
    rows[r] += count;
    cols[c] += count;
    entries.push([r, c, count]);
  }
  return { rows, cols, entries, n: truth.length };
}

function entropy(counts: Float64Array, n: number): number {
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / n) * Math.log(c / n);
  return h;
}

/** Normalized mutual information, arithmetic mean of the entropies (scikit-learn's default). */
export function nmi(truth: ArrayLike<string | number>, predicted: ArrayLike<string | number>): number {
  if (truth.length !== predicted.length) throw new Error('nmi: label lists differ in length');
  const { rows, cols, entries, n } = contingency(truth, predicted);
  if (n === 0) return 1;
  const hu = entropy(rows, n);
  const hv = entropy(cols, n);
  if (hu === 0 && hv === 0) return 1;
  let mi = 0;
  for (const [r, c, count] of entries) mi += (count / n) * Math.log((count * n) / (rows[r] * cols[c]));
  const denom = (hu + hv) / 2;
  return denom > 0 ? Math.max(0, mi) / denom : 0;
}

/** Adjusted Rand index. */
export function ari(truth: ArrayLike<string | number>, predicted: ArrayLike<string | number>): number {
  if (truth.length !== predicted.length) throw new Error('ari: label lists differ in length');
  const { rows, cols, entries, n } = contingency(truth, predicted);
  const pairs = (x: number) => (x * (x - 1)) / 2;
  let index = 0;
  for (const [, , count] of entries) index += pairs(count);
  let a = 0;
  for (const r of rows) a += pairs(r);
  let b = 0;
  for (const c of cols) b += pairs(c);
  const expected = (a * b) / pairs(n);
  const max = (a + b) / 2;
  if (max === expected) return 1;
  return (index - expected) / (max - expected);
}
