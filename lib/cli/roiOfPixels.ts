/** ROI detection for the CLI commands: loads the --yolox model when given and always disposes it. */
import { detectRoi, roiDetector, yoloxRunnerFromModel } from '../roi';
import type { RoiDetectorName, RoiResult } from '../roi';
import type { MammoImage } from '../image';

/** The ROI of a decoded image as the original chooses it (ALGORITHMS.md §2); YOLOX only with a model. */
export async function roiOfPixels(img: MammoImage, yoloxModel?: string, method: RoiDetectorName = 'yolox'): Promise<RoiResult> {
  const detector = yoloxModel && roiDetector(method).needsModel ? await yoloxRunnerFromModel(yoloxModel) : undefined;
  try {
    return await detectRoi(img.pixels, img.height, img.width, img.invert, { detector, method });
  } finally {
    await detector?.dispose();
  }
}
