/**
 * ROC AUC and PR-AUC as scikit-learn 1.2.1 computes them in base_exp.py (ALGORITHMS.md §6.4):
 * `auc(*roc_curve(gts, preds)[:2])` and `auc(recall, precision)` of `precision_recall_curve`.
 */

interface BinaryCurve {
  /** Cumulative false positives at each distinct score, scores descending. */
  fps: Float64Array;
  /** Cumulative true positives at each distinct score. */
  tps: Float64Array;
}

/** sklearn `_binary_clf_curve`: sort scores descending, cumulate at the last index of each distinct score. */
function binaryClfCurve(gts: ArrayLike<number>, scores: ArrayLike<number>): BinaryCurve {
  const n = scores.length;
  // Stable ascending argsort then reversed, as `np.argsort(kind="mergesort")[::-1]`.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b] || a - b).reverse();
  const fps: number[] = [];
  const tps: number[] = [];
  let tp = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k];
    if (gts[i] === 1) tp += 1;
    if (k === n - 1 || scores[order[k + 1]] !== scores[i]) {
      tps.push(tp);
      fps.push(k + 1 - tp);
    }
  }
  return { fps: Float64Array.from(fps), tps: Float64Array.from(tps) };
}

/**
 * sklearn `auc` (trapezoidal rule): x must be monotonic; a decreasing x gives the area with direction −1.
 * @throws RangeError when x is neither increasing nor decreasing.
 */
export function trapezoidAuc(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length < 2) throw new RangeError(`auc needs at least 2 points, got ${x.length}`);
  let anyNeg = false;
  let allNonPos = true;
  for (let i = 1; i < x.length; i++) {
    const dx = x[i] - x[i - 1];
    if (dx < 0) anyNeg = true;
    if (dx > 0) allNonPos = false;
  }
  let direction = 1;
  if (anyNeg) {
    if (!allNonPos) throw new RangeError('auc: x is neither increasing nor decreasing');
    direction = -1;
  }
  let area = 0;
  for (let i = 1; i < x.length; i++) area += ((x[i] - x[i - 1]) * (y[i] + y[i - 1])) / 2.0;
  return direction * area;
}

/**
 * sklearn `roc_curve(drop_intermediate=True)` false/true positive rates (with the (0, 0) start point).
 * @returns NaN-filled rates when one class is absent (sklearn warns and divides by zero).
 */
export function rocCurve(gts: ArrayLike<number>, scores: ArrayLike<number>): { fpr: Float64Array; tpr: Float64Array } {
  const { fps, tps } = binaryClfCurve(gts, scores);
  // Drop points collinear with their neighbours (second differences zero in both fps and tps).
  const keep: number[] = [];
  for (let i = 0; i < fps.length; i++) {
    if (i === 0 || i === fps.length - 1) keep.push(i);
    else {
      const d2f = fps[i + 1] - 2 * fps[i] + fps[i - 1];
      const d2t = tps[i + 1] - 2 * tps[i] + tps[i - 1];
      if (d2f !== 0 || d2t !== 0) keep.push(i);
    }
  }
  const fpr = new Float64Array(keep.length + 1);
  const tpr = new Float64Array(keep.length + 1);
  const fLast = fps[fps.length - 1];
  const tLast = tps[tps.length - 1];
  keep.forEach((k, j) => {
    fpr[j + 1] = fps[k] / fLast;
    tpr[j + 1] = tps[k] / tLast;
  });
  fpr[0] = 0 / fLast;
  tpr[0] = 0 / tLast;
  return { fpr, tpr };
}

/**
 * sklearn 1.2.1 `precision_recall_curve` (no truncation at full recall since 1.1): precision 0 where
 * nothing is predicted positive, recall 1 everywhere when there is no positive label; reversed and
 * closed with the point (recall 0, precision 1).
 */
export function precisionRecallCurve(
  gts: ArrayLike<number>,
  scores: ArrayLike<number>,
): { precision: Float64Array; recall: Float64Array } {
  const { fps, tps } = binaryClfCurve(gts, scores);
  const m = tps.length;
  const precision = new Float64Array(m + 1);
  const recall = new Float64Array(m + 1);
  const tLast = tps[m - 1];
  for (let i = 0; i < m; i++) {
    const ps = tps[i] + fps[i];
    precision[m - 1 - i] = ps !== 0 ? tps[i] / ps : 0;
    recall[m - 1 - i] = tLast === 0 ? 1 : tps[i] / tLast;
  }
  precision[m] = 1;
  recall[m] = 0;
  return { precision, recall };
}

/** ROC AUC = auc(fpr, tpr) of `rocCurve` (NaN when only one class is present). */
export function rocAuc(gts: ArrayLike<number>, scores: ArrayLike<number>): number {
  if (scores.length === 0) return NaN;
  const { fpr, tpr } = rocCurve(gts, scores);
  return trapezoidAuc(fpr, tpr);
}

/** PR-AUC = auc(recall, precision) of `precisionRecallCurve` (what base_exp.py logs as `prauc`). */
export function prAuc(gts: ArrayLike<number>, scores: ArrayLike<number>): number {
  if (scores.length === 0) return NaN;
  const { precision, recall } = precisionRecallCurve(gts, scores);
  return trapezoidAuc(recall, precision);
}
