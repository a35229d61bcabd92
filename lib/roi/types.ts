/**
 * Types and constants of breast-ROI detection (ALGORITHMS.md §2).
 */

import type { Box } from '../image/types';
import type { RoiDetectorName, RoiModel } from './detectors/types';

/** Integer box [x0, y0, x1, y1] in full-resolution pixels, end-exclusive (the crop is raw[y0:y1, x0:x1]). */
export type { Box };

export type { RoiMethod, RoiResult } from './detectors/types';
export { ROI_DEFAULTS } from './constants';

/** One YOLOX detection after decode, filter and NMS, in 416-input pixels (post_process row). */
export interface YoloxCandidate {
  /** Corners [x0, y0, x1, y1] = cx ∓ w/2, cy ∓ h/2 (§2.4.2). */
  box: [number, number, number, number];
  /** Objectness (already sigmoid-activated, §2.3.2). */
  obj: number;
  /** Best class score. */
  cls: number;
  /** Index of the best class (always 0 for the 1-class RSNA model). */
  clsId: number;
}

/** Thresholds of YOLOX post-processing; defaults are the ROI extractor's (§2.1.2). */
export interface YoloxOptions {
  /** Keep anchors with obj·cls ≥ confThres (default 0.5). */
  confThres?: number;
  /** Suppress boxes whose IoU with a better box exceeds nmsThres (default 0.9). */
  nmsThres?: number;
  /** Square detector input size (default 416); feature maps are size/8, size/16, size/32. */
  inputSize?: number;
}

/** Options of the box choice: post-processing thresholds plus the area rule (§2.5.6). */
export interface YoloxSelectOptions extends YoloxOptions {
  /** Accept the box only when its area covers at least this fraction of the image (default 0.04). */
  areaPctThres?: number;
}

/**
 * Runs the YOLOX detector: input (1, 3, 416, 416) float32 in [0, 255] (114 padding), output the raw
 * head (1, 3549, 6) `[tx, ty, tw, th, obj, cls]` with obj/cls sigmoid-activated (§2.3).
 */
export type YoloxRunner = RoiModel;

/** How detectRoi chooses the box. */
export interface DetectRoiOptions {
  /** The YOLOX detector; without one the original's "nothing detected" path runs (Otsu, then full frame). */
  detector?: YoloxRunner;
  /** A registered detector (lib/roi/detectors): 'yolox' (default): detector then fallbacks; 'otsu': skip the detector. */
  method?: RoiDetectorName;
  /** Called with the error when detection failed and the full frame was used (§2.7.1). */
  onError?: (err: Error) => void;
}

