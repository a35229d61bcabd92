/** Metric and threshold search of ALGORITHMS.md §6. */
export { pfbeta } from './pfbeta';
export { confusionMetrics, ConfusionMetrics } from './confusion';
export { sweepThresholds, numpyArange, DEFAULT_THRESHOLDS, ThresholdMetrics, ThresholdSweep } from './thresholdSweep';
export { rocAuc, prAuc, rocCurve, precisionRecallCurve, trapezoidAuc } from './rankCurves';
export { reduceRows, REDUCER_NAMES, PredictionRow, ReducedTable, ReducerName } from './reducers';
export { computeMetrics, evaluatePredictions, METRIC_KEYS, MetricKey, ReducerMetrics } from './evaluate';
