/** Metric and threshold search of ALGORITHMS.md §6. */
export { pfbeta } from './pfbeta';
export { confusionMetrics, ConfusionMetrics } from './confusion';
export { sweepThresholds, numpyArange, DEFAULT_THRESHOLDS, ThresholdMetrics, ThresholdSweep } from './thresholdSweep';
export { rocAuc, prAuc, rocCurve, precisionRecallCurve, trapezoidAuc } from './rankCurves';
export { reduceRows, REDUCER_NAMES, PredictionRow, ReducedTable, ReducerName } from './reducers';
export { computeMetrics, evaluatePredictions, METRIC_KEYS, MetricKey, ReducerMetrics } from './evaluate';
export { pfbetaFromSums } from './pfbeta';
export { confusionFromCounts } from './confusion';
export { thresholdCounts, sweepFromCounts, numpyLinspace, ThresholdCounts } from './thresholdSweep';
export { meanPerBreast, compareBreasts, BreastKey, BreastTable } from './reducers';
export { readCocoFiles, parseCocoGroundTruth, parseCocoDetections, CocoGroundTruth, CocoDetection, CocoGtAnnotation, CocoParseOptions } from './cocoData';
export { cocoEvaluate, cocoSummaryLines, defaultCocoParams, bboxIou, CocoEvalResult, CocoParams } from './cocoEval';
