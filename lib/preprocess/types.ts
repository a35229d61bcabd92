/** Public types of the preprocessing stage (ALGORITHMS.md §2.2, §2.8, §3). */

/** Crop box [x0, y0, x1, y1] in full-resolution pixels, end-exclusive (§2.8). */
export type Box = [number, number, number, number];

/** Window tags of one image (§1.3): all values of WindowCenter/WindowWidth, VOILUTFunction, MONOCHROME1. */
export interface WindowMeta {
  windowCenter: number[];
  windowWidth: number[];
  voiLutFunction?: string;
  invert: boolean;
}

/** The YOLOX detector input (§2.2.2–2.2.5). */
export interface DetectorInput {
  /** 1x3xSxS NCHW float32: three identical channels, resized image top-left, 114 elsewhere. */
  tensor: Float32Array;
  /** r = min(S/rows, S/cols) in double. */
  ratio: number;
  /** floor(rows·r) (can be S−1, §2.2.2). */
  resizedHeight: number;
  /** floor(cols·r). */
  resizedWidth: number;
  /** The resized (un-padded) image, resizedHeight x resizedWidth float32 (the Otsu fallback's input, §2.6). */
  resized: Float32Array;
}

/** The detector input of a float64 image (MiniDDSM, §2.2.1): float32 tensor, float64 resized image. */
export interface DetectorInput64 extends Omit<DetectorInput, 'resized'> {
  resized: Float64Array;
}
