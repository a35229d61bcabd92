/**
 * From fold probabilities to the binary submission (ALGORITHMS.md §5.6.6–§5.8), reproducing the
 * original's float32 arithmetic (numpy / pandas order of operations, see ../shared/golden/e2e/README.md).
 */
import { invalidArgument } from '../errors';

const f32 = Math.fround;

/** The original's threshold THRES (ALGORITHMS.md §5.1). */
export const DEFAULT_THRESHOLD = 0.31;
/** AUTO_THRES_PERCENTILE of the original (§5.1), used when the auto-percentile mode is chosen. */
export const AUTO_THRESHOLD_QUANTILE = 0.97935;

/**
 * Per-image prediction: `np.nan_to_num` then `mean(axis=-1)` over float32 fold probabilities (§5.6.6).
 * For an (N, k) float32 array numpy walks the reduced axis outermost, so each row is summed left to
 * right in float32 (((p0 + p1) + p2) + p3), then divided by k in float32; checked bit-exact against
 * ../shared/golden/e2e/image_mean.f32.bin.
 * @param foldProbabilities one probability per fold model.
 * @returns the float32 mean as a JS number.
 */
export function imageMean(foldProbabilities: ArrayLike<number>): number {
  const k = foldProbabilities.length;
  if (k === 0) throw invalidArgument('foldProbabilities', 'at least one fold probability', foldProbabilities);
  let sum = nanToNum(f32(foldProbabilities[0]));
  for (let i = 1; i < k; i++) sum = f32(sum + nanToNum(f32(foldProbabilities[i])));
  return f32(sum / k);
}

/** `np.nan_to_num` for probabilities: NaN → 0, ±Infinity → ±float32 max. */
export function nanToNum(x: number): number {
  if (Number.isNaN(x)) return 0;
  if (x === Infinity) return 3.4028234663852886e38;
  if (x === -Infinity) return -3.4028234663852886e38;
  return x;
}

/**
 * Incremental float32 group mean as pandas `groupby().mean()` computes it on a float32 column
 * (Kahan-compensated float32 sum, then sum / count rounded to float32).
 */
export class Float32GroupMean {
  private sum = 0;
  private compensation = 0;
  private n = 0;

  /** Adds one per-image prediction. */
  add(value: number): void {
    const y = f32(f32(value) - this.compensation);
    const t = f32(this.sum + y);
    this.compensation = f32(f32(t - this.sum) - y);
    this.sum = t;
    this.n += 1;
  }

  get count(): number {
    return this.n;
  }

  /** The float32 mean; `fallback` (0) when no image of the group was predicted. */
  mean(fallback = 0): number {
    return this.n === 0 ? fallback : f32(this.sum / this.n);
  }
}

/** One row of the submission: the breast's mean prediction and its binarized label. */
export interface BreastPrediction {
  predictionId: string;
  probability: number;
  /** Images that contributed (failed images are left out of the mean). */
  imageCount: number;
  cancer: 0 | 1;
}

/** How to binarize: the fixed threshold (default 0.31) or the auto-percentile mode of §5.1. */
export type ThresholdRule = { threshold: number } | { quantile: number };

/**
 * Groups per-image predictions by prediction_id (mean, §5.7), binarizes with `> threshold` in float32
 * (§5.8) and returns rows sorted by prediction_id as strings (§5.9).
 * A prediction_id whose images all failed gets probability 0 (documented in README: failed images
 * are left out of the mean of their breast).
 * @param images per-image entries in any order; `probability` null/undefined marks a failed image.
 * @param rule threshold rule; defaults to `{ threshold: 0.31 }`.
 */
export function aggregateBreasts(
  images: Iterable<{ predictionId: string; probability?: number | null }>,
  rule: ThresholdRule = { threshold: DEFAULT_THRESHOLD },
): { rows: BreastPrediction[]; threshold: number } {
  const groups = new Map<string, Float32GroupMean>();
  for (const img of images) {
    let g = groups.get(img.predictionId);
    if (!g) groups.set(img.predictionId, (g = new Float32GroupMean()));
    if (img.probability !== null && img.probability !== undefined) g.add(img.probability);
  }
  const ids = [...groups.keys()].sort(compareStrings);
  const means = ids.map((id) => groups.get(id)!.mean(0));
  const threshold = 'quantile' in rule ? quantileLinear(means, rule.quantile) : rule.threshold;
  // numpy 1.x value-based casting: float32 array > python/float64 scalar compares in float32.
  const t32 = f32(threshold);
  const rows = ids.map((id, i) => ({
    predictionId: id,
    probability: means[i],
    imageCount: groups.get(id)!.count,
    cancer: (means[i] > t32 ? 1 : 0) as 0 | 1,
  }));
  return { rows, threshold };
}

/** Code-unit string order, as Python sorts str keys (pandas groupby). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `np.quantile(values, q)` with the default linear interpolation (numpy's lerp form). */
export function quantileLinear(values: readonly number[], q: number): number {
  if (!(q >= 0 && q <= 1)) throw invalidArgument('quantile', 'a number in [0, 1]', q);
  if (values.length === 0) return NaN;
  const a = [...values].sort((x, y) => x - y);
  const pos = q * (a.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, a.length - 1);
  const t = pos - lo;
  const diff = a[hi] - a[lo];
  return t >= 0.5 ? a[hi] - diff * (1 - t) : a[lo] + diff * t;
}
