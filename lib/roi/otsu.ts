/**
 * The Otsu ROI fallback of the original (`extract_roi_otsu`, ALGORITHMS.md §2.6) on the resized uint8
 * detector image, bit-exact with OpenCV 4.6/4.7 (P8).
 */
import { invalidArgument } from '../errors';
import { nativeCall } from '../util/nativeCall';
import { NativeOtsuSteps, roiAddon } from './addon';
import { Box, ROI_DEFAULTS, RoiResult } from './types';

function checkImage(resized: unknown, height: number, width: number): Uint8Array {
  if (!Number.isInteger(height) || height < 1) throw invalidArgument('resizedHeight', 'a positive integer', height);
  if (!Number.isInteger(width) || width < 1) throw invalidArgument('resizedWidth', 'a positive integer', width);
  if (!(resized instanceof Uint8Array) || resized.length !== height * width) {
    throw invalidArgument('resized', `a Uint8Array of ${height}×${width} pixels`, resized);
  }
  return resized;
}

/**
 * Every step of the Otsu fallback on one resized image: P95 clip to the minimum, 5×5 Gaussian,
 * Otsu threshold, 3×3 dilation, external contours, the largest one's area and bounding rect.
 * @param keepImages also return the clipped / blurred / binary / dilated images (for parity checks)
 */
export async function otsuSteps(
  resized: Uint8Array,
  resizedHeight: number,
  resizedWidth: number,
  keepImages = false,
): Promise<NativeOtsuSteps> {
  checkImage(resized, resizedHeight, resizedWidth);
  return nativeCall(() => roiAddon().otsuRoi(resized, resizedHeight, resizedWidth, keepImages));
}

/**
 * The Otsu ROI (§2.6) mapped back to the full image with clamp(trunc(v / r), 0, W|H).
 * @param resized h'×w' uint8 = the resized detector image truncated to uint8 (not the padded tensor)
 * @param ratio r of the detector input
 * @param rows full-resolution height H
 * @param cols full-resolution width W
 * @returns the ROI, or null when there is no contour or the largest one covers < 4 % of the resized
 *   image (the caller then uses the full frame, §2.7)
 * @example const roi = await otsuRoi(u8, 416, 312, 0.1498, 2776, 2082);
 */
export async function otsuRoi(
  resized: Uint8Array,
  resizedHeight: number,
  resizedWidth: number,
  ratio: number,
  rows: number,
  cols: number,
): Promise<RoiResult | null> {
  if (typeof ratio !== 'number' || !(ratio > 0) || !Number.isFinite(ratio)) throw invalidArgument('ratio', 'a positive number', ratio);
  if (!Number.isInteger(rows) || rows < 1) throw invalidArgument('rows', 'a positive integer', rows);
  if (!Number.isInteger(cols) || cols < 1) throw invalidArgument('cols', 'a positive integer', cols);
  return otsuRoiFromSteps(await otsuSteps(resized, resizedHeight, resizedWidth, false), ratio, rows, cols);
}

/**
 * The Otsu ROI of computed steps: null when there is no contour or the largest covers < 4 % (§2.6.5),
 * else the box mapped back with §2.6.6: int(v / ratio) (double division, truncation) clamped to [0, W|H].
 */
export function otsuRoiFromSteps(st: NativeOtsuSteps, ratio: number, rows: number, cols: number): RoiResult | null {
  if (st.largest < 0 || !(st.areaPct >= ROI_DEFAULTS.areaPctThres)) return null;
  const limits = [cols, rows, cols, rows];
  const box = st.box.map((v, k) => Math.min(Math.max(Math.trunc(v / ratio), 0), limits[k])) as Box;
  return { box, method: 'otsu', areaPct: st.areaPct, score: null, ratio };
}
