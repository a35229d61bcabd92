/**
 * Breast-ROI detection (ALGORITHMS.md §2): YOLOX post-processing, the Otsu fallback and the full-frame
 * fallback, backed by native kernels (native/roi).
 */
export type { Box, RoiMethod, RoiResult, YoloxCandidate, YoloxOptions, YoloxSelectOptions, YoloxRunner, DetectRoiOptions } from './types';
export { ROI_DEFAULTS } from './types';
export { decodeYolox, postprocessYolox, postprocessYoloxRows, selectYoloxBox } from './yolox';
export { otsuRoi, otsuSteps } from './otsu';
export type { NativeOtsuSteps } from './addon';
export type { ImageRoi } from './detect';
export { detectorImage } from './detectorImage';
export type { DetectorImage, DetectorImageInput } from './detectorImage';
export { detectImageRoi, detectRoi, detectRoiFromScaled, detectorRatio, fullFrameRoi, isConstantImage, roiFromDetectorInput } from './detect';
export { isRoiDetectorName, registerRoiDetector, resizedUint8, roiDetector, roiDetectorChain, roiDetectorNames } from './detectors';
export type { DetectorInputLike, RoiDetectContext, RoiDetector, RoiDetectorName, RoiDetectorNames, RoiModel } from './detectors';
export { yoloxRunnerFromModel } from './runner';
