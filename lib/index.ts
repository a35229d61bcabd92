/**
 * rsna-mammo: the RSNA Screening Mammography 1st-place pipeline for Node.js.
 * Public API; each area's module re-exports its typed functions here.
 */
export { RsnaMammoError } from './errors';
export { loadSettings, DEFAULT_SETTINGS, SETTINGS_KEYS } from './settings';
export type { Settings } from './settings';
export { loadCpuAddon, cpuAddonStatus } from './native';
export { loadCudaAddon, tryLoadCudaAddon, cudaAddonStatus, cudaAddonPath } from './native';
export type { CudaAddon } from './native';
export type { CudaAddonStatus, CudaDevice, CudaDeviceInfo } from './gpu/cudaStatus';
export { GpuImage } from './gpu/pipeline';
export type { GpuDetectorInput, GpuClassifierInput } from './gpu/pipeline';
export { buildEngine, ensureEngine, createTensorRtSession, tensorrtBackend, tensorrtAvailability, TensorRtSession } from './runtime/tensorrt';
export type { EngineBuildOptions, TensorRtSessionOptions } from './runtime/tensorrt';
export { engineCacheKey } from './runtime/engineCache';
export { profileShapes } from './runtime/profileShapes';
export { selectBackend } from './runtime/selectBackend';
export { collectDoctorReport } from './doctor/report';
export type { DoctorReport } from './doctor/report';
export { decodeImage, windowMetaOf } from './image';
export type { MammoImage, MammoImageMeta, DecodeImageOptions } from './image';
export {
  minMaxScale255, percentileMinMaxScale, detectorInput, classifierInput, windowedCropUint8, resizeTrainingPath,
  windowToUint8,
} from './preprocess';
export type { Box, WindowMeta, DetectorInput, DetectorInput64, DisplayImageTags } from './preprocess';
export {
  parseDicom, readDicom, decodeFrame, toOriginalInt16, frameSha256, renderFrame, renderStandard,
  transferSyntax, supportedTransferSyntaxes, nativeCodecs, closeWasmPool, MAX_FRAME_PIXELS, dicomLimits, setDicomLimits,
} from './dicom';
export type {
  DicomImage, DecodedFrame, DecoderChoice, Lut, PixelDataLocation, StoredPixels, TransferSyntax, CodecFamily,
  RenderMode, RenderOptions, RenderedImage, StandardRenderOptions, DicomLimits,
} from './dicom';
export * from './models';
export * from './runtime';
export {
  decodeYolox, postprocessYolox, selectYoloxBox, otsuRoi, detectRoi, detectRoiFromScaled, roiFromDetectorInput, yoloxRunnerFromModel, ROI_DEFAULTS,
  registerRoiDetector, roiDetectorNames,
} from './roi';
export type { RoiMethod, RoiResult, YoloxCandidate, YoloxRunner, DetectRoiOptions, RoiDetector, RoiDetectorName, RoiDetectorNames } from './roi';
export {
  pfbeta, confusionMetrics, sweepThresholds, rocAuc, prAuc, computeMetrics, evaluatePredictions, DEFAULT_THRESHOLDS, METRIC_KEYS,
} from './metrics';
export type { PredictionRow, ReducerName, ReducerMetrics, ThresholdSweep, ThresholdMetrics } from './metrics';
export { cocoEvaluate, readCocoFiles, parseCocoGroundTruth, parseCocoDetections } from './metrics';
export type { CocoEvalResult, CocoGroundTruth, CocoDetection, CocoParseOptions } from './metrics';
export * as train from './train';
export { stratifiedGroupKFold } from './data/stratifiedGroupKFold';
export { runCvSplit } from './data/cvSplit';
export type { CvSplitOptions, CvSplitResult } from './data/cvSplit';
export { runStage1, DATASETS } from './data/stage1';
export type { DatasetName, Stage1Context, Stage1Result } from './data/stage1';
export { prepareClassificationDataset, STAGE2_SOURCES } from './data/prepareClassification';
export { stage2Image, writeStage2Image } from './data/stage2/processImage';
export { prepareRoiDataset } from './data/roiDataset/prepareRoiDataset';
export { Yolov5ToCoco } from './data/roiDataset/yolov5ToCoco';
export { createPipeline, createPipelineFromStages, aggregateBreasts, imageMean, groupStudies, DEFAULT_THRESHOLD, AUTO_THRESHOLD_QUANTILE } from './pipeline';
export type {
  Pipeline, PipelineOptions, PipelineRunOptions, PipelineStages, PredictRequest, ImagePrediction, ImageFailure, ImageResult,
  BreastPrediction, ThresholdRule, DeviceChoice, ImageDevice,
} from './pipeline';
export { runSubmit, formatSubmission } from './run/runSubmit';
export type { SubmitRunOptions, SubmitRunResult } from './run/runSubmit';
export { readTestCsv } from './run/testCsv';
export type { TestImageRow } from './run/testCsv';
