/** The ROI detector options of stage 2: a YOLOX runner from an ONNX model, or the Otsu path. */
import { roiDetector, yoloxRunnerFromModel } from '../../roi';
import type { DetectRoiOptions } from '../../roi';
import type { Stage2WorkerInit } from './protocol';

/** Loads the detector once; `dispose` releases its session. */
export async function roiOptionsFor(init: Stage2WorkerInit): Promise<{ options: DetectRoiOptions; dispose: () => Promise<void> }> {
  if (!roiDetector(init.roi).needsModel || !init.roiModel) return { options: { method: init.roi === 'yolox' ? 'otsu' : init.roi }, dispose: async () => undefined };
  const detector = await yoloxRunnerFromModel(init.roiModel);
  return { options: { detector, method: init.roi }, dispose: () => detector.dispose() };
}
