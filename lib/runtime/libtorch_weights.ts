/**
 * Weights of the libtorch backend, read from the original checkpoints with the project's hardened
 * reader (lib/models/torch: the hostile-input limits apply) — the same weights `convert` turns into
 * ONNX: timm's EMA state dict per fold (ALGORITHMS.md §4.3) or YOLOX's `model` entry (§2.1). Each
 * fold's float tensors are packed into one Float32Array (transferred, not copied, out of the worker).
 * Loaded only in the worker (lib/runtime/libtorch.ts imports its types), so the runtime does not pull
 * in the converters (which open ONNX Runtime sessions) at load time.
 */
import { RsnaMammoError } from '../errors';
import { readTimmWeights } from '../models/convert_classifier';
import { inferConvNextConfig } from '../models/convnext';
import type { ConvNextConfig } from '../models/convnext';
import { pickStateDict } from '../models/state_dict';
import type { StateDict } from '../models/state_dict';
import { readTorchCheckpoint } from '../models/torch/checkpoint_reader';
import { inferYoloxConfig } from '../models/yolox';
import type { YoloxConfig } from '../models/yolox';

/** One fold's float weights packed in `buffer` (entries are views by offset). */
export interface PackedWeights {
  buffer: Float32Array;
  entries: { name: string; dims: number[]; offset: number; length: number }[];
}

export interface LibtorchWeights {
  kind: 'ensemble' | 'yolox';
  convnext?: { depths: number[]; dims: number[]; inChans: number; numClasses: number };
  yolox?: YoloxConfig;
  folds: PackedWeights[];
}

const FLOAT_DTYPES = new Set(['float32', 'float64', 'float16', 'bfloat16']);

function pack(sd: StateDict): PackedWeights {
  const floats = [...sd].filter(([, t]) => FLOAT_DTYPES.has(t.dtype));
  const total = floats.reduce((n, [, t]) => n + t.data.length, 0);
  const buffer = new Float32Array(total);
  const entries: PackedWeights['entries'] = [];
  let offset = 0;
  for (const [name, t] of floats) {
    buffer.set(t.data as ArrayLike<number>, offset);
    entries.push({ name, dims: [...t.shape], offset, length: t.data.length });
    offset += t.data.length;
  }
  return { buffer, entries };
}

/**
 * The classifier the native module builds (native/train/convnext/model.h, ALGORITHMS.md §4.2): 4
 * stages, patch-4 stem, 7×7 depthwise, MLP ×4 as Linear, layer scale, head max pool → norm → fc.
 * @throws RsnaMammoError ERR_ARCH_MISMATCH naming what differs
 */
function checkSupported(c: ConvNextConfig, file: string): void {
  const wrong: string[] = [];
  if (c.depths.length !== 4) wrong.push(`${c.depths.length} stages`);
  if (c.patchSize !== 4) wrong.push(`patch ${c.patchSize}`);
  if (c.kernelSize !== 7) wrong.push(`kernel ${c.kernelSize}`);
  if (c.mlpRatio !== 4) wrong.push(`mlp ratio ${c.mlpRatio}`);
  if (!c.layerScale) wrong.push('no layer scale');
  if (c.convMlp) wrong.push('conv MLP');
  if (c.headNormFirst) wrong.push('head_norm_first');
  if (c.headHiddenSize > 0) wrong.push('pre-logits layer');
  if (c.globalPool !== 'max') wrong.push(`global pool ${c.globalPool}`);
  if (c.numClasses < 1) wrong.push('no classifier');
  if (wrong.length) {
    throw new RsnaMammoError('ERR_ARCH_MISMATCH',
      `the libtorch backend builds the ConvNeXt of ALGORITHMS.md §4.2 (max pool head); this checkpoint has ${wrong.join(', ')} (use --backend onnxruntime)`, { file });
  }
}

/**
 * Reads the checkpoints of one model: several timm ConvNeXt folds (the ensemble) or one YOLOX
 * checkpoint, told apart by their keys.
 * @throws RsnaMammoError ERR_ARCH_MISMATCH, ERR_CHECKPOINT_CORRUPT, ERR_CHECKPOINT_LIMIT, ERR_CHECKPOINT_NO_WEIGHTS
 */
export async function readLibtorchWeightsInProcess(files: string[]): Promise<LibtorchWeights> {
  const first = await readTorchCheckpoint(files[0]);
  const yolox = pickStateDict(first, ['model', 'state_dict', 'model_ema', 'state_dict_ema'], files[0]).stateDict.has('backbone.backbone.stem.conv.conv.weight');
  if (yolox) {
    if (files.length !== 1) throw new RsnaMammoError('ERR_ARCH_MISMATCH', 'a YOLOX model is one checkpoint, not an ensemble', { file: files[1] });
    const { stateDict } = pickStateDict(first, ['model', 'state_dict', 'model_ema'], files[0]);
    return { kind: 'yolox', yolox: inferYoloxConfig(stateDict, files[0]), folds: [pack(stateDict)] };
  }
  const folds: PackedWeights[] = [];
  let convnext: LibtorchWeights['convnext'];
  for (const file of files) {
    const weights = await readTimmWeights(file, true);
    const config = inferConvNextConfig(weights.stateDict, file, { globalPool: weights.globalPool ?? 'avg' });
    checkSupported(config, file);
    const arch = { depths: config.depths, dims: config.dims, inChans: config.inChans, numClasses: config.numClasses };
    if (convnext && JSON.stringify(convnext) !== JSON.stringify(arch)) {
      throw new RsnaMammoError('ERR_ARCH_MISMATCH', `every fold must have the same architecture; ${file} differs from ${files[0]}`, { file });
    }
    convnext = arch;
    folds.push(pack(weights.stateDict));
  }
  return { kind: 'ensemble', convnext, folds };
}
