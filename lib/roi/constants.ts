/** The ROI extractor constants of the original (ALGORITHMS.md §2.1.2). */
import { DETECTOR_INPUT_SIZE } from '../preprocess/sizes';

export const ROI_DEFAULTS = Object.freeze({
  inputSize: DETECTOR_INPUT_SIZE,
  confThres: 0.5,
  nmsThres: 0.9,
  areaPctThres: 0.04,
  padValue: 114,
});
