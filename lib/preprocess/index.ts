/** Preprocessing stage: pixel kernels between the decoded DICOM and the models (ALGORITHMS.md §1.4–§3). */
export type { Box, WindowMeta, DetectorInput, DetectorInput64 } from './types';
export { minMaxScale255, percentileMinMaxScale } from './scale';
export { detectorInput } from './detector';
export { classifierInput, windowedCropUint8, resizeTrainingPath } from './classifier';
export { windowToUint8 } from './display';
export type { DisplayImageTags } from './display';
export type { ImgprocKernels, NativeWindow } from './addon';
export { windowFromMeta } from './validate';
