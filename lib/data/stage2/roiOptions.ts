/** The ROI detector options of stage 2: a YOLOX runner from an ONNX model, or the Otsu path. */
import { yoloxRunnerFromModel } from '../../roi';
import type { DetectRoiOptions } from '../../roi';
import type { Stage2WorkerInit } from './protocol';

/** Loads the detector once; `dispose` releases its session. */
export async function roiOptionsFor(init: Stage2WorkerInit): Promise<{ options: DetectRoiOptions; dispose: () => Promise<void> }> {
  if (init.roi === 'otsu' || !init.roiModel) return { options: { method: 'otsu' }, dispose: async () => undefined };
  const detector = await yoloxRunnerFromModel(init.roiModel);
  return { options: { detector }, dispose: () => detector.dispose() };
}
