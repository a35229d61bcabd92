/**
 * Breast-ROI detection (ALGORITHMS.md §2): YOLOX post-processing, the Otsu fallback and the full-frame
 * fallback, backed by native kernels (native/roi).
 */
export type { Box, RoiMethod, RoiResult, YoloxCandidate, YoloxOptions, YoloxSelectOptions, YoloxRunner, DetectRoiOptions } from './types';
export { ROI_DEFAULTS } from './types';
export { decodeYolox, postprocessYolox, postprocessYoloxRows, selectYoloxBox } from './yolox';
export { otsuRoi, otsuSteps } from './otsu';
export type { NativeOtsuSteps } from './addon';
export { detectRoi, detectRoiFromScaled, detectorRatio, fullFrameRoi, isConstantImage, resizedUint8, roiFromDetectorInput } from './detect';
export type { DetectorInputLike } from './detect';
export { yoloxRunnerFromModel } from './runner';
