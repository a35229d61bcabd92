/**
 * Breast-ROI detection end to end (ALGORITHMS.md §2): detector input, YOLOX box (§2.5), Otsu fallback
 * (§2.6), full-frame fallback (§2.7), as the original RoiExtractor.detect_single and its caller do.
 */
import { invalidArgument } from '../errors';
import { detectorInput } from '../preprocess';
import type { GreyPicture } from '../image/types';
import { detectorImage } from './detectorImage';
import type { DetectorImage } from './detectorImage';
import { roiDetector, roiDetectorChain } from './detectors/registry';
import type { DetectorInputLike } from './detectors/types';
import { DetectRoiOptions, ROI_DEFAULTS, RoiResult } from './types';

function checkSize(rows: unknown, cols: unknown): void {
  if (!Number.isInteger(rows) || (rows as number) < 1) throw invalidArgument('rows', 'a positive integer', rows);
  if (!Number.isInteger(cols) || (cols as number) < 1) throw invalidArgument('cols', 'a positive integer', cols);
}

function checkOptions(options: DetectRoiOptions): void {
  if (options.detector !== undefined && typeof options.detector !== 'function') {
    throw invalidArgument('options.detector', 'a YoloxRunner function', options.detector);
  }
  if (options.method !== undefined) roiDetector(options.method, 'options.method');
}

/** r = min(416/H, 416/W) in double (§2.2.2). */
export function detectorRatio(rows: number, cols: number, inputSize: number = ROI_DEFAULTS.inputSize): number {
  return Math.min(inputSize / rows, inputSize / cols);
}

/** The full-frame ROI of §2.7: [0, 0, W, H]. */
export function fullFrameRoi(rows: number, cols: number): RoiResult {
  return { box: [0, 0, cols, rows], method: 'full', areaPct: 1, score: null, ratio: detectorRatio(rows, cols) };
}

/**
 * ROI of one image from its detector image F (§2.2.1: min-max × 255, inverted for MONOCHROME1).
 * With a detector: the YOLOX box if one passes obj·cls ≥ 0.5 and covers ≥ 4 % (§2.5); otherwise — or
 * without a detector, or with method 'otsu' — the Otsu box of the resized image truncated to uint8
 * (§2.6); otherwise the full frame. Any error inside detection gives the full frame (§2.7.1), reported
 * through `options.onError` when given.
 * @param scaled rows × cols float32 detector image F
 * @param rows full-resolution height H
 * @param cols full-resolution width W
 * @returns the box in full-resolution pixels and the method that produced it
 * @example const roi = await detectRoiFromScaled(f, 2776, 2082, { detector });
 */
export async function detectRoiFromScaled(
  scaled: Float32Array,
  rows: number,
  cols: number,
  options: DetectRoiOptions = {},
): Promise<RoiResult> {
  checkSize(rows, cols);
  if (!(scaled instanceof Float32Array) || scaled.length !== rows * cols) {
    throw invalidArgument('scaled', `a Float32Array of ${rows}×${cols} pixels`, scaled);
  }
  checkOptions(options);
  return roiFromDetectorInput(() => detectorInput(scaled, rows, cols, ROI_DEFAULTS.inputSize), rows, cols, options);
}

/**
 * The box choice of §2.5–2.7 from a detector input made by `makeInput` (CPU or GPU): the chain of the
 * registered detector `options.method` (lib/roi/detectors; yolox → otsu), e.g. the YOLOX box when a
 * detector is given and method is not 'otsu' and a box passes (§2.5), else the Otsu box (§2.6), else
 * the full frame; an error anywhere inside (making the input included) gives the full frame (§2.7.1),
 * reported through `options.onError`. Both pipeline devices call this, so their fallbacks are one code.
 * @param makeInput computes the 416 detector input (§2.2)
 * @param rows full-resolution height H
 * @param cols full-resolution width W
 * @example const roi = await roiFromDetectorInput(() => gpuImage.detectorInput(), 2776, 2082, { method: 'otsu' });
 */
export async function roiFromDetectorInput(
  makeInput: () => Promise<DetectorInputLike>,
  rows: number,
  cols: number,
  options: DetectRoiOptions = {},
): Promise<RoiResult> {
  checkSize(rows, cols);
  checkOptions(options);
  try {
    const input = await makeInput();
    for (const detector of roiDetectorChain(options.method ?? 'yolox')) {
      const roi = await detector.detect(input, { rows, cols, model: options.detector });
      if (roi) return roi;
    }
  } catch (err) {
    options.onError?.(err as Error);
  }
  return fullFrameRoi(rows, cols);
}

/**
 * True when every stored value is the same: such an image's ROI is the full frame (§1.5.3). The
 * pipeline gets this from the detect stage's native job; this scan is for callers holding a small image.
 */
export function isConstantImage(raw: Int16Array): boolean {
  for (let i = 1; i < raw.length; i++) if (raw[i] !== raw[0]) return false;
  return true;
}

/** The ROI of one decoded image and, when asked, the thumbnail of its min-max image (for reports). */
export interface ImageRoi {
  roi: RoiResult;
  preview?: GreyPicture;
}

/**
 * ROI of one decoded image (§2) in one native job (lib/roi/detectorImage.ts): F = min_max_scale(raw
 * int16) × 255 (255 − F for MONOCHROME1) kept native, the detector input, the Otsu fallback when it is
 * the first detector to run; then the detector chain of `options.method`. A constant image is the full
 * frame, as in the original, where the int16 zero tensor makes the resize fail (§1.5.3); a failure of
 * the job is the full frame too (§2.7.1, reported through `options.onError`).
 * @param previewWidth also return a thumbnail of F this wide
 */
export async function detectImageRoi(
  raw: Int16Array,
  rows: number,
  cols: number,
  invert: boolean,
  options: DetectRoiOptions & { previewWidth?: number } = {},
): Promise<ImageRoi> {
  checkSize(rows, cols);
  if (!(raw instanceof Int16Array) || raw.length !== rows * cols) {
    throw invalidArgument('raw', `an Int16Array of ${rows}×${cols} pixels`, raw);
  }
  checkOptions(options);
  const first = roiDetectorChain(options.method ?? 'yolox').find((d) => !d.needsModel || options.detector);
  let image: DetectorImage;
  try {
    image = await detectorImage(raw, rows, cols, invert, { withOtsu: first?.name === 'otsu', previewWidth: options.previewWidth });
  } catch (err) {
    options.onError?.(err as Error);
    return { roi: fullFrameRoi(rows, cols) };
  }
  const preview = image.preview;
  if (image.constant) return { roi: fullFrameRoi(rows, cols), preview };
  const input = image;
  return { roi: await roiFromDetectorInput(async () => input, rows, cols, options), preview };
}

/**
 * ROI of one decoded image (§2), see {@link detectImageRoi}.
 * @param raw stored values cast to int16, row-major rows × cols
 * @param invert PhotometricInterpretation === 'MONOCHROME1'
 * @example const roi = await detectRoi(pixels, 2776, 2082, false);
 */
export async function detectRoi(
  raw: Int16Array,
  rows: number,
  cols: number,
  invert: boolean,
  options: DetectRoiOptions = {},
): Promise<RoiResult> {
  return (await detectImageRoi(raw, rows, cols, invert, options)).roi;
}
