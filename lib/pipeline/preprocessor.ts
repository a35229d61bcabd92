/**
 * The device-dependent middle of the prepare stage (DESIGN.md "The one path every image takes"): from
 * the decoded int16 image to its ROI (ALGORITHMS.md §2) and classifier input (§2.8, §3.1). The CPU
 * implementation is here; the CUDA one (lib/pipeline/gpuStages.ts) gives bit-identical results.
 */
import { classifierInput } from '../preprocess';
import type { WindowMeta } from '../preprocess/types';
import { detectRoi } from '../roi';
import type { RoiResult, YoloxRunner } from '../roi';

/** Which processor prepared an image: the CPU addon or the CUDA addon. */
export type ImageDevice = 'cpu' | 'cuda';

/** What the preprocessor needs besides the image. */
export interface PreprocessOptions {
  /** 'yolox' (detector, then Otsu, then full frame) or 'otsu' (§2.5–2.7). */
  method: 'yolox' | 'otsu';
  detector?: YoloxRunner;
  /** Classifier input size (2048 × 1024 by default, §5.1). */
  height: number;
  width: number;
  fp16Windows?: boolean;
}

/** ROI and classifier input of one image, with the time each took. */
export interface PreprocessResult {
  /** Which processor actually computed them. */
  device: ImageDevice;
  roi: RoiResult;
  /** uint8 height × width classifier input (§3.1). */
  input: Uint8Array;
  /** Detector input + box choice (on the GPU including the one upload of the image). */
  roiMs: number;
  /** Classifier input. */
  prepareMs: number;
}

/** One implementation of the ROI + classifier-input step. */
export interface ImagePreprocessor {
  /** Where the next image will be prepared. */
  readonly device: ImageDevice;
  run(raw: Int16Array, rows: number, cols: number, meta: WindowMeta, options: PreprocessOptions): Promise<PreprocessResult>;
}

/** The CPU path: lib/roi's detectRoi, then lib/preprocess's classifierInput (libuv pool jobs). */
export const cpuPreprocessor: ImagePreprocessor = {
  device: 'cpu',
  async run(raw, rows, cols, meta, o) {
    const t0 = performance.now();
    const roi = await detectRoi(raw, rows, cols, meta.invert, { detector: o.detector, method: o.method });
    const t1 = performance.now();
    const input = await classifierInput(raw, rows, cols, roi.box, meta, { height: o.height, width: o.width, fp16Windows: o.fp16Windows });
    return { device: 'cpu', roi, input, roiMs: t1 - t0, prepareMs: performance.now() - t1 };
  },
};
