/** Small grey thumbnails for reports: area-average downsampling of float or uint8 images. */
import type { GreyPicture } from './types';

/**
 * Downsamples a single-channel image to `width` columns (aspect kept) by averaging source blocks.
 * @param pixels rows × cols values in 0..255 (float or uint8).
 */
export function thumbnail(pixels: ArrayLike<number>, rows: number, cols: number, width: number): GreyPicture {
  const w = Math.max(1, Math.min(cols, Math.round(width)));
  const h = Math.max(1, Math.round((rows * w) / cols));
  const data = new Uint8Array(w * h);
  for (let ty = 0; ty < h; ty++) {
    const y0 = Math.floor((ty * rows) / h);
    const y1 = Math.max(y0 + 1, Math.floor(((ty + 1) * rows) / h));
    for (let tx = 0; tx < w; tx++) {
      const x0 = Math.floor((tx * cols) / w);
      const x1 = Math.max(x0 + 1, Math.floor(((tx + 1) * cols) / w));
      let sum = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) sum += pixels[y * cols + x];
      data[ty * w + tx] = Math.min(255, Math.max(0, Math.round(sum / ((y1 - y0) * (x1 - x0)))));
    }
  }
  return { width: w, height: h, data };
}
