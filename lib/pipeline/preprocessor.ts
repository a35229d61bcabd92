/**
 * The device-dependent middle of the prepare stage (DESIGN.md "The one path every image takes"): from
 * the decoded int16 image to its ROI (ALGORITHMS.md §2) and classifier input (§2.8, §3.1). The CPU
 * implementation is here; the CUDA one (lib/pipeline/gpuStages.ts) gives bit-identical results.
 */
import type { GreyPicture, MammoImage } from '../image';
import { prepareInput } from '../preprocess';
import { detectImageRoi } from '../roi';
import type { RoiDetectorName, RoiResult, YoloxRunner } from '../roi';
import type { ClassifierInput } from './types';

/** Which processor prepared an image: the CPU addon or the CUDA addon. */
export type ImageDevice = 'cpu' | 'cuda';

/** What the preprocessor needs besides the image. */
export interface PreprocessOptions {
  /** A registered ROI detector (lib/roi/detectors): 'yolox' (detector, then Otsu, then full frame) or 'otsu' (§2.5–2.7). */
  method: RoiDetectorName;
  detector?: YoloxRunner;
  /** Classifier input size (2048 × 1024 by default, §5.1). */
  height: number;
  width: number;
  fp16Windows?: boolean;
  /** Report thumbnails: the min-max image this wide, the classifier input half as wide (0 / undefined = none). */
  previewWidth?: number;
}

/** ROI and classifier input of one image, with the time each took. */
export interface PreprocessResult {
  /** Which processor actually computed them. */
  device: ImageDevice;
  roi: RoiResult;
  /** uint8 height × width classifier input (§3.1): host memory on the CPU path, GPU memory on the CUDA one. */
  input: ClassifierInput;
  /** Detector input + box choice (on the GPU including the one upload of the image). */
  roiMs: number;
  /** Classifier input. */
  prepareMs: number;
  /** Thumbnails of the min-max image and of the classifier input, when asked. */
  preview?: { image: GreyPicture; input?: GreyPicture };
}

/** One implementation of the ROI + classifier-input step. */
export interface ImagePreprocessor {
  /** Where the next image will be prepared. */
  readonly device: ImageDevice;
  run(image: MammoImage, options: PreprocessOptions): Promise<PreprocessResult>;
}

/**
 * The CPU path: one native job for the detect stage (lib/roi detectImageRoi: min-max, detector input,
 * Otsu when first, thumbnail) and one for the prepare stage (lib/preprocess prepareInput), on the libuv pool.
 */
export const cpuPreprocessor: ImagePreprocessor = {
  device: 'cpu',
  async run(image, o) {
    const { pixels, height: rows, width: cols } = image;
    const t0 = performance.now();
    const { roi, preview } = await detectImageRoi(pixels, rows, cols, image.invert, { detector: o.detector, method: o.method, previewWidth: o.previewWidth });
    const t1 = performance.now();
    const input = await prepareInput(pixels, rows, cols, roi.box, image.window,
      { height: o.height, width: o.width, fp16Windows: o.fp16Windows, previewWidth: o.previewWidth ? o.previewWidth / 2 : 0 });
    return { device: 'cpu', roi, input: input.pixels, roiMs: t1 - t0, prepareMs: performance.now() - t1,
      preview: preview && { image: preview, input: input.preview } };
  },
};
