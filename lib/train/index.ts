/** Training-side logic in TypeScript (docs/ALGORITHMS.md §9, §11): sampler, plan and lr, checkpoint selection. */
export { balanceSamplerEpochs, samplerRatios, EXP7_SAMPLER, BalanceSamplerOptions } from './balanceSampler';
export { readLabelsJson, readLabelsCsv } from './readLabels';
export { cosineLrAt, perEpochLr, scheduleEpochs, CosineSchedule } from './lrSchedule';
export { cosCorrectlyRounded } from './exactCos';
export {
  trainingPlan, stepSchedule, stepData, EXTERNAL_DATASETS, StepDataSource, experimentDir, experimentPrefix, COMMON_HYPERPARAMETERS, REPRODUCE_MODES, STAGE2_INIT_EPOCH,
  ReproduceMode, StepInit, TrainStep,
} from './plan';
export {
  rankCombinations, copySelected, readFoldEpoch, readPredRows, foldCheckpointDirs, product, CANDIDATE_EPOCHS, OOF_ROWS,
  SelectOptions, SelectionResult, RankedCombination, CombinationMetrics, CopiedCheckpoint, FoldEpochTable,
} from './selectCkpts';
