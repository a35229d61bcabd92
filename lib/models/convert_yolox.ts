/**
 * `convert yolox`: a YOLOX trainer checkpoint (`ckpt['model']`, the EMA weights, ALGORITHMS.md §4.6)
 * → ONNX with input `images` [N,3,S,S] (0..255) and output `output` [N, anchors, 5 + classes]
 * (decode_in_inference False, §2.3).
 */
import { invalidArgument } from '../errors';
import { OnnxGraph } from './onnx/graph';
import { WeightReader, pickStateDict } from './state_dict';
import { readTorchCheckpoint } from './torch/checkpoint_reader';
import { YOLOX, YoloxConfig, inferYoloxConfig, yoloxAnchorCount } from './yolox';
import { convertInWorker } from './convert_in_worker';
import { writeLoadableModel } from './write_model';

export interface ConvertYoloxOptions {
  /** Overrides of the architecture read from the checkpoint (RSNA nano: 0.33 / 0.25 / depthwise / 1 class). */
  depth?: number;
  width?: number;
  depthwise?: boolean;
  numClasses?: number;
  /** Square input side (default 416, the RSNA exp's test_size; a multiple of 32). */
  inputSize?: number;
  /** Adds fpn_out{0,1,2} and CSPDarknet stage outputs as extra outputs. */
  debugOutputs?: boolean;
}

/**
 * Converts a YOLOX checkpoint to ONNX in a worker thread.
 * @returns the written file and the architecture used
 * @throws RsnaMammoError ERR_ARCH_MISMATCH (first offending keys listed), ERR_CHECKPOINT_CORRUPT, ERR_CHECKPOINT_LIMIT, ERR_CONVERT_INVALID_OUTPUT (ONNX Runtime refuses the built model; nothing is written)
 * @example await convertYolox('yolox_nano_416_roi_torch.pth', 'yolox.onnx', { depth: 0.33, width: 0.25, depthwise: true })
 */
export async function convertYolox(checkpoint: string, outFile: string, options: ConvertYoloxOptions = {}): Promise<{ outFile: string; config: YoloxConfig }> {
  validate(checkpoint, outFile, options);
  return convertInWorker({ kind: 'yolox', checkpoint, outFile, options });
}

function validate(checkpoint: string, outFile: string, options: ConvertYoloxOptions): number {
  if (typeof checkpoint !== 'string' || checkpoint.length === 0) throw invalidArgument('checkpoint', 'a file path', checkpoint);
  if (typeof outFile !== 'string' || outFile.length === 0) throw invalidArgument('outFile', 'a file path', outFile);
  const size = options.inputSize ?? 416;
  if (!Number.isInteger(size) || size <= 0 || size % 32 !== 0) throw invalidArgument('inputSize', 'a positive multiple of 32', size);
  for (const k of ['depth', 'width'] as const) {
    const v = options[k];
    if (v !== undefined && !(typeof v === 'number' && v > 0)) throw invalidArgument(k, 'a positive number', v);
  }
  return size;
}

/** convertYolox on the calling thread (what the worker runs). */
export async function convertYoloxInProcess(checkpoint: string, outFile: string, options: ConvertYoloxOptions = {}): Promise<{ outFile: string; config: YoloxConfig }> {
  const size = validate(checkpoint, outFile, options);
  const ckpt = await readTorchCheckpoint(checkpoint);
  const { stateDict } = pickStateDict(ckpt, ['model', 'state_dict', 'model_ema'], checkpoint);
  const config = inferYoloxConfig(stateDict, checkpoint, {
    depth: options.depth, width: options.width, depthwise: options.depthwise, numClasses: options.numClasses,
  });
  const g = new OnnxGraph('yolox');
  const input = g.input('images', ['batch', 3, size, size]);
  const ctx = { g, w: new WeightReader(stateDict, checkpoint, `YOLOX (depth ${config.depth}, width ${config.width}, depthwise ${config.depthwise}, ${config.numClasses} classes)`), prefix: '' };
  const taps = new Map<string, string>();
  const out = YOLOX(ctx, input, config, taps);
  ctx.w.finish();
  g.output(out, 'output', ['batch', yoloxAnchorCount(size, size), 5 + config.numClasses]);
  if (options.debugOutputs) for (const [name, value] of taps) g.output(value, name);
  await writeLoadableModel(outFile, g.encode(`YOLOX from ${checkpoint}`));
  return { outFile, config };
}
