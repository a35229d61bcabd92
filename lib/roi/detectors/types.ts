/**
 * The contract of a breast-ROI detector. A detector reads the detector input of one image (the 416
 * letterboxed tensor and the resized image, ALGORITHMS.md §2.2) and returns a box in full-resolution
 * pixels, or null to hand over to its fallback. Adding one = one file here plus its registration.
 */
import type { DetectorTensor } from '../../preprocess/types';
import type { Box } from '../../image/types';
import type { NativeOtsuSteps } from '../addon';

/**
 * Names of the registered detectors. A new detector adds its name by declaration merging:
 * `declare module '<path>/roi/detectors/types' { interface RoiDetectorNames { mine: true } }`.
 */
export interface RoiDetectorNames {
  yolox: true;
  otsu: true;
}

/** A registered detector's name ('yolox' | 'otsu' | whatever was merged in). */
export type RoiDetectorName = keyof RoiDetectorNames;

/** Which step produced the box: a detector, or the full frame (§2.7). */
export type RoiMethod = RoiDetectorName | 'full';

/** The chosen breast ROI of one image. */
export interface RoiResult {
  /** [x0, y0, x1, y1] in full-resolution pixels, clamped to the image. */
  box: Box;
  method: RoiMethod;
  /**
   * YOLOX: box area / image area (§2.5.6); Otsu: largest contour area / resized image area (§2.6.5);
   * full frame: 1.
   */
  areaPct: number;
  /** obj·cls of the chosen YOLOX box (float32 value); null for detectors without a score and the full frame. */
  score: number | null;
  /** r = min(416/H, 416/W) of the detector input (§2.2.2). */
  ratio: number;
}

/** The detector input a detector reads: the tensor, and the resized image truncated to uint8 when at hand. */
export type DetectorInputLike = DetectorTensor & {
  resized?: Float32Array;
  resizedU8?: Uint8Array;
  /** The Otsu steps (§2.6) when the input's native job ran them already, or why they failed. */
  otsu?: NativeOtsuSteps;
  otsuError?: Error;
};

/** A model a detector runs: 1×3×S×S float32 in, the raw head out (YOLOX: 3549×6, §2.3). */
export type RoiModel = (tensor: Float32Array) => Promise<Float32Array>;

/** What a detector is given besides the input. */
export interface RoiDetectContext {
  /** Full-resolution height H and width W. */
  rows: number;
  cols: number;
  /** The detector's model, when it has one and one was given. */
  model?: RoiModel;
}

/** One breast-ROI detector. */
export interface RoiDetector {
  readonly name: RoiDetectorName;
  /** Uses a model (`--roi <name>` then loads one); without it the detector is skipped. */
  readonly needsModel: boolean;
  /** The detector tried when this one returns null (YOLOX → Otsu, §2.6); then the full frame (§2.7). */
  readonly fallback?: RoiDetectorName;
  detect(input: DetectorInputLike, context: RoiDetectContext): Promise<RoiResult | null>;
}
