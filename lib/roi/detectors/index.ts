/** ROI detectors: the contract, the built-ins (yolox, otsu) and the registry. */
export type { DetectorInputLike, RoiDetectContext, RoiDetector, RoiDetectorName, RoiDetectorNames, RoiMethod, RoiModel, RoiResult } from './types';
export { isRoiDetectorName, registerRoiDetector, roiDetector, roiDetectorChain, roiDetectorNames } from './registry';
export { resizedUint8 } from './otsu';
