/**
 * The YOLOX training-image conversion of `normalize_dicom_img(method='min_max', dtype uint8)` on the
 * native-dtype (legacy numpy) path (ALGORITHMS.md §1.8.3, §7.8.2): r = (x − min)/(max − min) in float64
 * (x − min when max == min), 1 − r if MONOCHROME1, ×255, truncated to uint8.
 */

/**
 * @param pixels stored sample values in their native dtype (uint16/int16/uint8…)
 * @param invert true for MONOCHROME1
 */
export function minMaxUint8(pixels: ArrayLike<number>, invert: boolean): Uint8Array {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const range = max - min;
  const out = new Uint8Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) {
    let r = range > 0 ? (pixels[i] - min) / range : pixels[i] - min;
    if (invert) r = 1 - r;
    out[i] = Math.trunc(r * 255);
  }
  return out;
}
