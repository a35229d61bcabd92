/** The Otsu detector (ALGORITHMS.md §2.6) on the resized detector image truncated to uint8. */
import { ROI_DEFAULTS } from '../constants';
import { otsuRoi, otsuRoiFromSteps } from '../otsu';
import type { DetectorInputLike, RoiDetector } from './types';

/**
 * resized_img.to(torch.uint8) of §2.6.1: truncation toward zero of values in [0, 255] — given by the
 * native detector input (`resizedU8`), else from `resized`, else from the tensor's top-left block of channel 0.
 */
export function resizedUint8(input: DetectorInputLike, size: number = ROI_DEFAULTS.inputSize): Uint8Array {
  if (input.resizedU8) return input.resizedU8;
  if (input.resized) return Uint8Array.from(input.resized);
  const { resizedHeight: h, resizedWidth: w, tensor } = input;
  const out = new Uint8Array(h * w);
  for (let y = 0; y < h; y++) out.set(tensor.subarray(y * size, y * size + w), y * w);
  return out;
}

export const otsuDetector: RoiDetector = {
  name: 'otsu',
  needsModel: false,
  async detect(input, { rows, cols }) {
    // The detect stage's native job may have run Otsu already (lib/roi/detectorImage.ts).
    if (input.otsuError) throw input.otsuError;
    if (input.otsu) return otsuRoiFromSteps(input.otsu, input.ratio, rows, cols);
    return otsuRoi(resizedUint8(input), input.resizedHeight, input.resizedWidth, input.ratio, rows, cols);
  },
};
