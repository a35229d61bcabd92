/** The YOLOX detector (ALGORITHMS.md §2.3–2.5): the model's head, decode, NMS and the one-box rule; Otsu when it finds nothing. */
import { selectYoloxBox } from '../yolox';
import type { RoiDetector } from './types';

export const yoloxDetector: RoiDetector = {
  name: 'yolox',
  needsModel: true,
  fallback: 'otsu',
  async detect(input, { rows, cols, model }) {
    // Without a model the original's "nothing detected" path runs: Otsu (§2.6).
    if (!model) return null;
    return selectYoloxBox(await model(input.tensor), input.ratio, rows, cols);
  },
};
