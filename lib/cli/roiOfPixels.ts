/** ROI detection for the CLI commands: loads the --yolox model when given and always disposes it. */
import { detectRoi, yoloxRunnerFromModel } from '../roi';
import type { RoiResult } from '../roi';
import type { DicomPixels } from './dicomPixels';

/** The ROI of a decoded image as the original chooses it (ALGORITHMS.md §2); YOLOX only with a model. */
export async function roiOfPixels(img: DicomPixels, yoloxModel?: string, method: 'yolox' | 'otsu' = 'yolox'): Promise<RoiResult> {
  const detector = yoloxModel && method === 'yolox' ? await yoloxRunnerFromModel(yoloxModel) : undefined;
  try {
    return await detectRoi(img.raw, img.rows, img.cols, img.invert, { detector, method });
  } finally {
    await detector?.dispose();
  }
}
