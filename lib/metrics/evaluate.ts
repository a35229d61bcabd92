/**
 * All selection metrics of one validation table (ALGORITHMS.md §6.3–6.5), keyed `${reducer}_${key}`
 * exactly as base_exp.py `compute_metrics` names them (e.g. `gbmean_best_pfbeta`).
 */
import { pfbeta } from './pfbeta';
import { prAuc, rocAuc } from './rankCurves';
import { PredictionRow, reduceRows, ReducerName } from './reducers';
import { sweepThresholds } from './thresholdSweep';

/** The per-reducer keys of §6.4, in the original's insertion order. */
export const METRIC_KEYS = [
  'best_thres',
  'best_acc',
  'best_precision',
  'best_recall',
  'best_fbeta',
  'best_pfbeta',
  'pfbeta',
  'auc',
  'prauc',
] as const;

export type MetricKey = (typeof METRIC_KEYS)[number];

/** The metrics of one reducer (NaN where numpy gives NaN, e.g. precision with no positive prediction). */
export type ReducerMetrics = Record<MetricKey, number>;

/**
 * Metrics of one label/prediction vector: pF1 on probabilities, ROC AUC, PR-AUC and the best threshold.
 * @param gts labels (1 = positive)
 * @param preds probabilities
 */
export function computeMetrics(gts: ArrayLike<number>, preds: ArrayLike<number>): ReducerMetrics {
  const { best } = sweepThresholds(gts, preds);
  return {
    best_thres: best.threshold,
    best_acc: best.acc,
    best_precision: best.precision,
    best_recall: best.recall,
    best_fbeta: best.fbeta,
    best_pfbeta: best.pfbeta,
    pfbeta: pfbeta(gts, preds),
    auc: rocAuc(gts, preds),
    prauc: prAuc(gts, preds),
  };
}

/**
 * Applies each reducer and flattens the results to `${reducer}_${key}`.
 * @param rows image-level rows (site, patient, laterality, target, prediction)
 * @param reducers which reducers, default single, gbmean, gbmean_site1, gbmean_site2
 * @example evaluatePredictions(rows).gbmean_best_pfbeta
 */
export function evaluatePredictions(
  rows: readonly PredictionRow[],
  reducers: readonly ReducerName[] = ['single', 'gbmean', 'gbmean_site1', 'gbmean_site2'],
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of reducers) {
    const { gts, preds } = reduceRows(rows, r);
    const m = computeMetrics(gts, preds);
    for (const k of METRIC_KEYS) out[`${r}_${k}`] = m[k];
  }
  return out;
}
