/**
 * scikit-learn 1.2.1 `StratifiedGroupKFold(n_splits, shuffle=True, random_state)` fold assignment,
 * bit-exact (ALGORITHMS.md §8.2–8.3), including the quirk that the shuffled class-count rows are
 * assigned by their shuffled POSITION while membership is tested with the original group index.
 */
import { Mt19937 } from './mt19937';

export interface StratifiedGroupKFoldOptions {
  nSplits: number;
  /** numpy legacy RandomState seed; omitted = no shuffle. */
  seed?: number;
}

/**
 * @param y class label per sample (compared as strings after numeric normalization, sorted like numpy.unique)
 * @param groups group key per sample (e.g. patient_id); numeric keys sort numerically
 * @returns the validation fold (0..nSplits−1) of every sample
 */
export function stratifiedGroupKFold(y: readonly number[], groups: readonly (string | number)[], options: StratifiedGroupKFoldOptions): Int32Array {
  const { nSplits, seed } = options;
  if (y.length !== groups.length) throw new RangeError(`${y.length} labels but ${groups.length} groups`);
  if (!Number.isInteger(nSplits) || nSplits < 2) throw new RangeError(`nSplits must be an integer >= 2, got ${nSplits}`);
  const classes = uniqueSorted(y);
  const yInv = inverse(y, classes);
  const yCnt = new Float64Array(classes.length);
  for (const c of yInv) yCnt[c]++;
  if (yCnt.every((c) => nSplits > c)) throw new RangeError(`nSplits=${nSplits} cannot be greater than the number of members in each class`);
  const nClasses = classes.length;

  const groupKeys = uniqueSorted(groups);
  const gInv = inverse(groups, groupKeys);
  const nGroups = groupKeys.length;
  let counts = new Float64Array(nGroups * nClasses);
  for (let i = 0; i < y.length; i++) counts[gInv[i] * nClasses + yInv[i]] += 1;

  if (seed !== undefined) {
    // rng.shuffle(y_counts_per_group): rows permuted in place.
    const perm = new Mt19937(seed).shufflePermutation(nGroups);
    const shuffled = new Float64Array(counts.length);
    for (let p = 0; p < nGroups; p++) shuffled.set(counts.subarray(perm[p] * nClasses, (perm[p] + 1) * nClasses), p * nClasses);
    counts = shuffled;
  }

  // Stable (mergesort) argsort of -std(row).
  const negStd = new Float64Array(nGroups);
  for (let g = 0; g < nGroups; g++) negStd[g] = -populationStd(counts.subarray(g * nClasses, (g + 1) * nClasses));
  const order = Array.from({ length: nGroups }, (_, g) => g).sort((a, b) => negStd[a] - negStd[b] || a - b);

  const perFold = new Float64Array(nSplits * nClasses);
  const foldOfRow = new Int32Array(nGroups).fill(-1);
  for (const g of order) {
    const row = counts.subarray(g * nClasses, (g + 1) * nClasses);
    const best = findBestFold(perFold, yCnt, row, nSplits);
    for (let c = 0; c < nClasses; c++) perFold[best * nClasses + c] += row[c];
    foldOfRow[g] = best;
  }
  // test indices of fold i = samples whose ORIGINAL group index is in groups_per_fold[i] (row positions).
  return Int32Array.from(gInv, (g) => foldOfRow[g]);
}

/** sklearn `_find_best_fold`: minimal mean-over-classes std-over-folds of count fractions; np.isclose ties → fewer samples, then lower index. */
function findBestFold(perFold: Float64Array, yCnt: Float64Array, row: Float64Array, nSplits: number): number {
  const nClasses = yCnt.length;
  let bestFold = -1;
  let minEval = Infinity;
  let minSamples = Infinity;
  const column = new Float64Array(nSplits);
  for (let i = 0; i < nSplits; i++) {
    for (let c = 0; c < nClasses; c++) perFold[i * nClasses + c] += row[c];
    let stdSum = 0;
    for (let c = 0; c < nClasses; c++) {
      for (let f = 0; f < nSplits; f++) column[f] = perFold[f * nClasses + c] / yCnt[c];
      stdSum += populationStd(column);
    }
    for (let c = 0; c < nClasses; c++) perFold[i * nClasses + c] -= row[c];
    const foldEval = stdSum / nClasses;
    let samples = 0;
    for (let c = 0; c < nClasses; c++) samples += perFold[i * nClasses + c];
    if (foldEval < minEval || (isClose(foldEval, minEval) && samples < minSamples)) {
      minEval = foldEval;
      minSamples = samples;
      bestFold = i;
    }
  }
  return bestFold;
}

/** numpy.std (ddof 0) on a short vector: sequential sums, mean = sum/n, sqrt(sum((x−mean)²)/n). */
export function populationStd(x: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i];
  const mean = sum / x.length;
  let ss = 0;
  for (let i = 0; i < x.length; i++) {
    const d = x[i] - mean;
    ss += d * d;
  }
  return Math.sqrt(ss / x.length);
}

/** numpy.isclose(a, b) with rtol 1e-5, atol 1e-8 (infinite b only equals itself). */
function isClose(a: number, b: number): boolean {
  if (!Number.isFinite(b) || !Number.isFinite(a)) return a === b;
  return Math.abs(a - b) <= 1e-8 + 1e-5 * Math.abs(b);
}

/** numpy.unique order: numbers numerically; strings lexicographically (numeric strings as numbers). */
function uniqueSorted<T extends string | number>(values: readonly T[]): T[] {
  const uniq = [...new Set(values)];
  const allNumeric = uniq.every((v) => typeof v === 'number' || (v !== '' && Number.isFinite(Number(v))));
  return uniq.sort((a, b) => (allNumeric ? Number(a) - Number(b) : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
}

function inverse<T>(values: readonly T[], keys: readonly T[]): Int32Array {
  const idx = new Map<T, number>();
  keys.forEach((k, i) => idx.set(k, i));
  return Int32Array.from(values, (v) => idx.get(v)!);
}
