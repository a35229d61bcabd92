/**
 * Best-threshold search (projects/rsna/exps/base_exp.py `_compute_metrics`, ALGORITHMS.md §6.2).
 */
import { confusionFromCounts, ConfusionMetrics } from './confusion';
import { pfbetaFromSums } from './pfbeta';

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

/** numpy.linspace(start, stop, num) for floats: start + i·step, the last value set to stop. */
export function numpyLinspace(start: number, stop: number, num: number): number[] {
  const div = num - 1;
  const step = (stop - start) / div;
  const out: number[] = [];
  for (let i = 0; i < num; i++) out.push(div > 0 ? i * step + start : start);
  if (num > 1) out[num - 1] = stop;
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
  return sweepFromCounts(thresholdCounts(gts, preds, thresholds), thresholds);
}

/**
 * Confusion counts at every threshold (binarized with `preds > t`): positives are labels equal to 1,
 * everything else counts as negative, as sklearn's confusion_matrix with labels [0, 1] does for 0/1 labels.
 * Counts of disjoint row sets add up, so a concatenation's counts are the sum of its parts'.
 */
export interface ThresholdCounts {
  /** tp[j], fp[j]: rows predicted positive at thresholds[j]. */
  tp: Float64Array;
  fp: Float64Array;
  positives: number;
  negatives: number;
}

/** Counts of {@link ThresholdCounts} for one label/prediction vector. */
export function thresholdCounts(gts: ArrayLike<number>, preds: ArrayLike<number>, thresholds: readonly number[] = DEFAULT_THRESHOLDS): ThresholdCounts {
  if (gts.length !== preds.length) throw new RangeError(`thresholdCounts: ${gts.length} labels but ${preds.length} predictions`);
  const tp = new Float64Array(thresholds.length);
  const fp = new Float64Array(thresholds.length);
  let positives = 0;
  for (let i = 0; i < preds.length; i++) {
    const pos = gts[i] === 1;
    if (pos) positives++;
    const counts = pos ? tp : fp;
    for (let j = 0; j < thresholds.length; j++) if (preds[i] > thresholds[j]) counts[j]++;
  }
  return { tp, fp, positives, negatives: preds.length - positives };
}

/**
 * The sweep from counts: scores each threshold, sorts by pF1 descending (stable) and among the
 * thresholds tied with the top score picks the smallest |t − 0.5| (the first in that order on equal distance).
 */
export function sweepFromCounts(c: ThresholdCounts, thresholds: readonly number[] = DEFAULT_THRESHOLDS): ThresholdSweep {
  if (thresholds.length === 0) throw new RangeError('sweepThresholds: empty threshold grid');
  const all: ThresholdMetrics[] = thresholds.map((threshold, j) => {
    const tp = c.tp[j];
    const fp = c.fp[j];
    const conf = confusionFromCounts(tp, c.negatives - fp, fp, c.positives - tp);
    // pF1 of 0/1 predictions: ctp = TP, cfp = FP (sums of 1.0, exact in float64).
    return { threshold, ...conf, pfbeta: pfbetaFromSums(tp, fp, c.positives) };
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
