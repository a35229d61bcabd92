/**
 * Probabilistic F-beta of the RSNA competition (ALGORITHMS.md §6.1).
 */

/**
 * pF-beta: predictions clipped to [0, 1], ctp/cfp summed over positive/negative labels.
 * A label counts as positive iff it equals 1 (the original's `gts == 1`). Undefined precision or
 * recall (0/0) compares false and gives 0, as numpy's NaN does in the original.
 * @param gts labels (0/1; breast-level means stay 0/1 in RSNA)
 * @param preds probabilities or binarized predictions, same length as `gts`
 * @param beta the F-beta weight (1 in the pipeline)
 * @returns the score in [0, 1]
 */
export function pfbeta(gts: ArrayLike<number>, preds: ArrayLike<number>, beta = 1): number {
  if (gts.length !== preds.length) throw new RangeError(`pfbeta: ${gts.length} labels but ${preds.length} predictions`);
  let positives = 0;
  let ctp = 0;
  let cfp = 0;
  for (let i = 0; i < gts.length; i++) {
    const p = Math.min(Math.max(preds[i], 0), 1);
    if (gts[i] === 1) {
      positives += 1;
      ctp += p;
    } else {
      cfp += p;
    }
  }
  return pfbetaFromSums(ctp, cfp, positives, beta);
}

/**
 * The final step of pF-beta from its sums, in the original's float64 operation order (precision and
 * recall first, then the multi-step F formula; not always the correctly rounded quotient).
 * @param ctp summed clipped predictions of positives (= TP count for 0/1 predictions)
 * @param cfp summed clipped predictions of negatives (= FP count)
 * @param positives number of positive labels
 */
export function pfbetaFromSums(ctp: number, cfp: number, positives: number, beta = 1): number {
  const b2 = beta * beta;
  const precision = ctp / (ctp + cfp);
  const recall = ctp / positives;
  if (precision > 0 && recall > 0) return ((1 + b2) * (precision * recall)) / (b2 * precision + recall);
  return 0;
}
