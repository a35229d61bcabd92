/**
 * Confusion-matrix metrics of binarized predictions (timm/metrics/_binary.py compute_usual_metrics,
 * ALGORITHMS.md §6.2). Undefined ratios are NaN, as numpy gives them.
 */

export interface ConfusionMetrics {
  tp: number;
  tn: number;
  fp: number;
  fn: number;
  acc: number;
  precision: number;
  recall: number;
  fbeta: number;
}

/**
 * Counts tp/tn/fp/fn of `binary` (0/1) against `gts` (label 1 = positive) and derives the ratios.
 * @param gts labels
 * @param binary 0/1 predictions
 * @param beta F-beta weight
 */
export function confusionMetrics(gts: ArrayLike<number>, binary: ArrayLike<number>, beta = 1): ConfusionMetrics {
  let tp = 0;
  let tn = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < gts.length; i++) {
    const pos = gts[i] === 1;
    const pred = binary[i] === 1;
    if (pos && pred) tp++;
    else if (pos) fn++;
    else if (pred) fp++;
    else tn++;
  }
  return confusionFromCounts(tp, tn, fp, fn, beta);
}

/** The ratios of §6.2 from the four counts (NaN where numpy gives NaN). */
export function confusionFromCounts(tp: number, tn: number, fp: number, fn: number, beta = 1): ConfusionMetrics {
  const acc = (tp + tn) / (tn + fp + fn + tp);
  const precision = tp / (tp + fp);
  const recall = tp / (tp + fn);
  const b2 = beta * beta;
  const fbeta = ((1 + b2) * precision * recall) / (b2 * precision + recall);
  return { tp, tn, fp, fn, acc, precision, recall, fbeta };
}
