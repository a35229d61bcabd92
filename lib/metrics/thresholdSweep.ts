/**
 * Best-threshold search (projects/rsna/exps/base_exp.py `_compute_metrics`, ALGORITHMS.md §6.2).
 */
import { confusionMetrics, ConfusionMetrics } from './confusion';
import { pfbeta } from './pfbeta';

export interface ThresholdMetrics extends ConfusionMetrics {
  /** The threshold as numpy's arange produced it (e.g. 0.07000000000000001). */
  threshold: number;
  /** pF1 of the binarized predictions (= F1 of the confusion matrix when defined). */
  pfbeta: number;
}

export interface ThresholdSweep {
  /** The selected threshold and its metrics. */
  best: ThresholdMetrics;
  /** Every threshold in ascending order. */
  all: ThresholdMetrics[];
  /** How many thresholds share the top pF1. */
  tiedAtTop: number;
}

/**
 * numpy.arange(start, stop, step) for floats: element i is start + i·step (so 0.07 is 0.07000000000000001),
 * length ceil((stop − start)/step).
 */
export function numpyArange(start: number, stop: number, step: number): number[] {
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = start + i * step;
  return out;
}

/** The original grid: numpy.arange(0, 1, 0.01), 100 values. */
export const DEFAULT_THRESHOLDS: readonly number[] = Object.freeze(numpyArange(0, 1, 0.01));

/**
 * Binarizes with `preds > t` (strict) for every threshold, scores each, sorts by pF1 descending
 * (stable) and among the thresholds tied with the top score picks the smallest |t − 0.5|
 * (the first in ascending-t order on equal distance).
 * @param gts labels (1 = positive)
 * @param preds probabilities
 * @param thresholds the grid (default numpy.arange(0, 1, 0.01))
 */
export function sweepThresholds(
  gts: ArrayLike<number>,
  preds: ArrayLike<number>,
  thresholds: readonly number[] = DEFAULT_THRESHOLDS,
): ThresholdSweep {
  if (thresholds.length === 0) throw new RangeError('sweepThresholds: empty threshold grid');
  const binary = new Uint8Array(preds.length);
  const all: ThresholdMetrics[] = thresholds.map((threshold) => {
    for (let i = 0; i < preds.length; i++) binary[i] = preds[i] > threshold ? 1 : 0;
    return { threshold, ...confusionMetrics(gts, binary), pfbeta: pfbeta(gts, binary) };
  });
  // Array.prototype.sort is stable (ES2019), as Python's list.sort.
  const sorted = [...all].sort((a, b) => descending(a.pfbeta, b.pfbeta));
  const top = sorted[0].pfbeta;
  let best = sorted[0];
  let bestDist = Math.abs(best.threshold - 0.5);
  let tiedAtTop = 1;
  for (let j = 1; j < sorted.length && sorted[j].pfbeta === top; j++) {
    tiedAtTop++;
    const dist = Math.abs(sorted[j].threshold - 0.5);
    if (dist < bestDist) {
      best = sorted[j];
      bestDist = dist;
    }
  }
  return { best, all, tiedAtTop };
}

/** Python's sort key with reverse=True on floats (pF1 is never NaN: pfbeta returns 0 then). */
function descending(a: number, b: number): number {
  return a > b ? -1 : a < b ? 1 : 0;
}
