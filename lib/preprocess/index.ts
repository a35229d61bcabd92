/** Preprocessing stage: pixel kernels between the decoded DICOM and the models (ALGORITHMS.md §1.4–§3). */
export type { Box, WindowMeta, DetectorTensor, DetectorInput, DetectorInput64 } from './types';
export { minMaxScale255, percentileMinMaxScale } from './scale';
export { detectorInput } from './detector';
export { classifierInput, prepareInput, windowedCropUint8, resizeTrainingPath } from './classifier';
export type { PreparedInput } from './classifier';
export { windowToUint8 } from './display';
export type { DisplayImageTags } from './display';
export type { ImgprocKernels, NativeWindow } from './addon';
export { windowFromMeta } from './validate';
export { CLASSIFIER_INPUT, DETECTOR_INPUT_SIZE } from './sizes';
