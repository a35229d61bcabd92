/**
 * A YoloxRunner backed by a converted YOLOX ONNX model (convertYolox, `rsna-mammo convert yolox`)
 * through the inference runtime (ONNX Runtime, or TensorRT where registered).
 */
import { RsnaMammoError, invalidArgument } from '../errors';
import { createSession } from '../runtime';
import type { SessionOptions } from '../runtime';
import { ROI_DEFAULTS, YoloxRunner } from './types';

/**
 * Loads a YOLOX model (input [N, 3, 416, 416] in 0..255, output [N, 3549, 6] = raw head, §2.3) and
 * returns a runner for {@link detectRoiFromScaled}; call `dispose()` when done.
 * @param modelPath the .onnx file written by convertYolox (or an engine the backend accepts)
 * @param options runtime options (backend, threads, providers)
 * @throws RsnaMammoError ERR_FILE_NOT_FOUND / ERR_MODEL_LOAD from the runtime; ERR_MODEL_SHAPE when
 *   the model is not a single-input, single-output 416 YOLOX head
 * @example const detector = await yoloxRunnerFromModel('yolox.onnx'); await detectRoi(raw, h, w, false, { detector });
 */
export async function yoloxRunnerFromModel(
  modelPath: string,
  options: SessionOptions = {},
): Promise<YoloxRunner & { dispose(): Promise<void> }> {
  if (typeof modelPath !== 'string' || !modelPath) throw invalidArgument('modelPath', 'a file path', modelPath);
  const session = await createSession(modelPath, options);
  if (session.inputNames.length !== 1 || session.outputNames.length < 1) {
    await session.dispose();
    throw new RsnaMammoError('ERR_MODEL_SHAPE', `expected a YOLOX model with one input, got inputs [${session.inputNames}]`, { file: modelPath });
  }
  const size = ROI_DEFAULTS.inputSize;
  const [input] = session.inputNames;
  const [output] = session.outputNames;
  const runner = async (tensor: Float32Array): Promise<Float32Array> => {
    if (!(tensor instanceof Float32Array) || tensor.length !== 3 * size * size) {
      throw invalidArgument('tensor', `a Float32Array of 1×3×${size}×${size}`, tensor);
    }
    const out = await session.run({ [input]: { data: tensor, dims: [1, 3, size, size] } });
    const raw = out[output];
    if (!raw || raw.data.length !== 3549 * 6) {
      throw new RsnaMammoError('ERR_MODEL_SHAPE', `YOLOX output "${output}" must hold 3549×6 values, got ${raw ? raw.data.length : 0}`, { file: modelPath });
    }
    return raw.data;
  };
  return Object.assign(runner, { dispose: () => session.dispose() });
}
