/** The YOLOX detector input (ALGORITHMS.md §2.2.2–2.2.5). */
import { imgprocAddon } from './addon';
import { DETECTOR_INPUT_SIZE } from './sizes';
import type { DetectorInput, DetectorInput64 } from './types';
import { checkImage, checkSize, checkType, native } from './validate';

/**
 * Resizes the full-resolution float image with torch bilinear semantics (scale_factor r =
 * min(S/rows, S/cols), recompute_scale_factor=True, align_corners=False; the torch CPU recipe,
 * bit-exact on the goldens), letterboxes it top-left on a 114-filled S×S canvas and replicates it to
 * 3 channels (1x3xSxS NCHW).
 * @param image rows x cols float32, e.g. from {@link minMaxScale255}
 * @param rows image height
 * @param cols image width
 * @param size detector input size S (416)
 * @returns tensor, ratio r, resized size floor(rows·r) x floor(cols·r) (415 happens) and the resized image
 * @throws RsnaMammoError ERR_EMPTY_RESIZE when floor(rows·r) or floor(cols·r) is 0 (torch fails there;
 *   the original then uses the full frame, §2.7)
 * @example const d = await detectorInput(f, 2776, 2082); // d.resizedHeight 416, d.resizedWidth 312
 */
export async function detectorInput(image: Float32Array, rows: number, cols: number, size?: number): Promise<DetectorInput>;
/**
 * The float64 variant (MiniDDSM: percentile_min_max_scale ×255 is float64, §2.2.1/§7.7.2): torch's
 * float64 kernel (scale, index, lambdas and sum in double); the tensor is its float32 cast (`.float()`)
 * and `resized` stays float64 (the Otsu input truncates it).
 */
export async function detectorInput(image: Float64Array, rows: number, cols: number, size?: number): Promise<DetectorInput64>;
export async function detectorInput(image: Float32Array | Float64Array, rows: number, cols: number, size = DETECTOR_INPUT_SIZE): Promise<DetectorInput | DetectorInput64> {
  checkType(image, 'image', [Float32Array, Float64Array]);
  checkImage(image, rows, cols, 'image');
  const s = checkSize(size, 'size', DETECTOR_INPUT_SIZE);
  // resized has the input's element type (checked by the native binding).
  return native(() => imgprocAddon().imgprocDetectorInput(image, rows, cols, s)) as Promise<DetectorInput | DetectorInput64>;
}
