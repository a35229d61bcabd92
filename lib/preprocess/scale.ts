/** Intensity scaling of whole images: min_max_scale (ALGORITHMS.md §1.5, §2.2.1) and the percentile variant (§1.6). */
import { imgprocAddon } from './addon';
import { checkImage, checkType, native } from './validate';

/**
 * The detector's full-resolution input F = min_max_scale(raw int16) × 255, float32, not truncated,
 * then 255 − F when `invert` (MONOCHROME1) — ALGORITHMS.md §2.2.1 with the int16 subtraction semantics of §1.5.2.
 * A constant image gives all zeros (255 when inverted); the original then fails on its int16 tensor
 * and uses the full frame (§1.5.3), so callers composing ROI detection should fall back to the full frame.
 * @param raw stored values cast to int16, row-major rows x cols
 * @param rows image height
 * @param cols image width
 * @param invert PhotometricInterpretation === 'MONOCHROME1'
 * @returns rows x cols float32 in [0, 255]
 * @throws RsnaMammoError ERR_INVALID_ARGUMENT on bad sizes
 * @example const f = await minMaxScale255(raw, 2776, 2082, false);
 */
export async function minMaxScale255(raw: Int16Array, rows: number, cols: number, invert: boolean): Promise<Float32Array> {
  checkType(raw, 'raw', [Int16Array]);
  checkImage(raw, rows, cols, 'raw');
  return native(() => imgprocAddon().imgprocMinMaxScale255(raw, rows, cols, Boolean(invert)));
}

/**
 * numpy percentile_min_max_scale (§1.6): hi = P99 (linear interpolation) − 1, lo = min,
 * (x − lo)/(hi − lo) clipped to [0, 1]. Returns float64 as numpy does (§1.6.4) — a Float64Array.
 * Used for MiniDDSM (uint16 PNG) and CDD-CESM (uint8 JPEG) stage-2 images (§7.7.2–7.7.3).
 * @param pixels uint16 or uint8 image, row-major
 * @param rows image height
 * @param cols image width
 * @returns Float64Array in [0, 1]
 * @throws RsnaMammoError ERR_PERCENTILE_RANGE when P99 − 1 < min (the original's assertion)
 * @example const r = await percentileMinMaxScale(u16, 3000, 2000);
 */
export async function percentileMinMaxScale(pixels: Uint16Array | Uint8Array, rows: number, cols: number): Promise<Float64Array> {
  checkType(pixels, 'pixels', [Uint16Array, Uint8Array]);
  checkImage(pixels, rows, cols);
  return native(() => imgprocAddon().imgprocPercentileMinMaxScale(pixels, rows, cols));
}
