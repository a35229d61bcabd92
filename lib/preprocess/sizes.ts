/** The model input sizes of the original, named once (ALGORITHMS.md §2.1.2, §5.1). */

/** MODEL_INPUT_SIZE: the classifier input, height × width (§5.1). */
export const CLASSIFIER_INPUT = Object.freeze({ height: 2048, width: 1024 });

/** The YOLOX detector's square input size S (§2.1.2). */
export const DETECTOR_INPUT_SIZE = 416;
