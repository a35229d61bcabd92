/** Public types of the preprocessing stage (ALGORITHMS.md §2.2, §2.8, §3). */

/** Crop box: one type for the whole package (lib/image). */
export type { Box } from '../image/types';

/** Window tags of one image: defined with the decoded image (lib/image). */
export type { WindowMeta } from '../image/types';

/** The YOLOX detector tensor and its geometry (§2.2.2–2.2.5), as every device produces it. */
export interface DetectorTensor {
  /** 1x3xSxS NCHW float32: three identical channels, resized image top-left, 114 elsewhere. */
  tensor: Float32Array;
  /** r = min(S/rows, S/cols) in double. */
  ratio: number;
  /** floor(rows·r) (can be S−1, §2.2.2). */
  resizedHeight: number;
  /** floor(cols·r). */
  resizedWidth: number;
}

/** The CPU detector input: the tensor plus the resized (un-padded) float32 image (the Otsu fallback's input, §2.6). */
export interface DetectorInput extends DetectorTensor {
  resized: Float32Array;
}

/** The detector input of a float64 image (MiniDDSM, §2.2.1): float32 tensor, float64 resized image. */
export interface DetectorInput64 extends DetectorTensor {
  resized: Float64Array;
}
