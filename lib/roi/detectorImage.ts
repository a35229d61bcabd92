/**
 * The detect stage's one native job (native/roi/detector_image.cc): min-max×255 of the raw image kept
 * native, the 416 detector input, the resized image truncated to uint8, the Otsu fallback when it is
 * the first detector to run, and the report thumbnail — one crossing per image, nothing image-sized
 * on the JS thread (ALGORITHMS.md §2.2, §2.6, §1.5.3).
 */
import { loadCpuAddon } from '../native';
import type { GreyPicture } from '../image/types';
import { DETECTOR_INPUT_SIZE } from '../preprocess/sizes';
import { nativeCall } from '../util/nativeCall';
import type { NativeOtsuSteps } from './addon';
import type { DetectorInputLike } from './detectors/types';

/** A non-constant image's detect-stage result: the detector input, Otsu when asked, the thumbnail. */
export type DetectorImageInput = DetectorInputLike & { constant: false; resizedU8: Uint8Array; preview?: GreyPicture };

/** What {@link detectorImage} resolves to; a constant image has no detector input (§1.5.3: full frame). */
export type DetectorImage = DetectorImageInput | { constant: true; preview?: GreyPicture };

interface NativeDetectorImage {
  constant: boolean;
  tensor?: Float32Array;
  resizedU8?: Uint8Array;
  ratio?: number;
  resizedHeight?: number;
  resizedWidth?: number;
  otsu?: NativeOtsuSteps;
  otsuError?: Error;
  preview?: GreyPicture;
}

interface DetectorImageAddon {
  detectorImage(raw: Int16Array, rows: number, cols: number, invert: boolean, size: number, withOtsu: boolean,
    previewWidth: number): Promise<NativeDetectorImage>;
}

/**
 * Runs the detect stage's native job on one decoded image (arguments checked by the caller).
 * @param withOtsu also run the Otsu fallback (§2.6) in the same job (when it is the first detector to run)
 * @param previewWidth thumbnail width of the min-max image (0 = none)
 */
export async function detectorImage(raw: Int16Array, rows: number, cols: number, invert: boolean,
  options: { withOtsu?: boolean; previewWidth?: number } = {}): Promise<DetectorImage> {
  const addon = loadCpuAddon() as unknown as DetectorImageAddon;
  const r = await nativeCall(() => addon.detectorImage(raw, rows, cols, Boolean(invert), DETECTOR_INPUT_SIZE,
    Boolean(options.withOtsu), options.previewWidth ?? 0));
  return r as DetectorImage;
}
