/** lib/pipeline: the async prediction pipeline and the per-breast aggregation (ALGORITHMS.md §5). */
export { createPipeline } from './createPipeline';
export type { PipelineOptions } from './createPipeline';
export { createPipelineFromStages } from './scheduler';
export type { Pipeline, PipelineRunOptions } from './scheduler';
export { CLASSIFIER_INPUT_SIZE, createPrepare } from './stages';
export type { PrepareStageOptions } from './stages';
export { cudaPreprocessor, resolvePreprocessor } from './gpuStages';
export type { DeviceChoice } from './gpuStages';
export { cpuPreprocessor } from './preprocessor';
export type { ImageDevice, ImagePreprocessor, PreprocessOptions, PreprocessResult } from './preprocessor';
export type { RealStageOptions } from './stages';
export {
  aggregateBreasts, imageMean, Float32GroupMean, quantileLinear, DEFAULT_THRESHOLD, AUTO_THRESHOLD_QUANTILE,
} from './aggregate';
export type { BreastPrediction, ThresholdRule } from './aggregate';
export { groupStudies } from './studies';
export { hostInput, isDeviceInput, releaseInput } from './classifierInput';
export type * from './types';
