/**
 * `convert classifier`: timm ConvNeXt checkpoint(s) → one ONNX model. One checkpoint: the classifier
 * (normalised input → logits [N, classes]). k > 1, or `ensemble: true`: the KFoldEnsembleModel
 * (0..255 input → per-fold probabilities [N, k], ALGORITHMS.md §4.4).
 */
import { RsnaMammoError, invalidArgument } from '../errors';
import { OnnxGraph } from './onnx/graph';
import { ConvNeXt, ConvNextConfig, convnextContext, inferConvNextConfig } from './convnext';
import { KFoldEnsembleModel } from './kfold_ensemble';
import { pickStateDict, StateDict } from './state_dict';
import { readTorchCheckpoint } from './torch/checkpoint_reader';
import { PickleObject } from './torch/pickle_values';
import { convertInWorker } from './convert_in_worker';
import { writeLoadableModel } from './write_model';

export interface ConvertClassifierOptions {
  /** Use `state_dict_ema` (default true, as timm's load_checkpoint and ALGORITHMS.md §4.3); false: `state_dict`. */
  ema?: boolean;
  /** Overrides the pool read from the checkpoint's training args (`args.gp`; timm's default 'avg'). */
  globalPool?: 'max' | 'avg';
  /** Adds intermediate feature maps as extra outputs (feat_stem, feat_stage{i}, feat_head_*, fold_logits). */
  debugOutputs?: boolean;
  /**
   * Always build the KFoldEnsembleModel (0..255 input → probabilities), even from one checkpoint: what
   * the pipeline runs, so a models folder holding only fold 0 still yields probabilities, not logits.
   */
  ensemble?: boolean;
}

export interface TimmWeights {
  stateDict: StateDict;
  /** Which checkpoint entry the weights came from. */
  key: string;
  /** `args.gp` of timm's train script when the checkpoint has it. */
  globalPool?: 'max' | 'avg';
}

/** Reads a timm checkpoint's weights: EMA by default, `module.` prefixes stripped. */
export async function readTimmWeights(file: string, ema = true): Promise<TimmWeights> {
  const ckpt = await readTorchCheckpoint(file);
  const keys = ema ? ['state_dict_ema', 'model_ema', 'state_dict', 'model'] : ['state_dict', 'model'];
  const { stateDict, key } = pickStateDict(ckpt, keys, file);
  let globalPool: 'max' | 'avg' | undefined;
  const args = ckpt instanceof Map ? ckpt.get('args') : undefined;
  if (args instanceof PickleObject && args.state instanceof Map) {
    const gp = args.state.get('gp');
    if (gp === 'max' || gp === 'avg') globalPool = gp;
  }
  return { stateDict, key, globalPool };
}

/**
 * Converts timm ConvNeXt checkpoint(s) to ONNX in a worker thread; the architecture is read from
 * keys and shapes.
 * @param checkpoints one file → classifier (`input` → `logits`); several (or `options.ensemble`) → ensemble (`input` 0..255 → `probs`)
 * @param outFile the .onnx to write
 * @returns the folds count and fold 0's configuration
 * @throws RsnaMammoError ERR_ARCH_MISMATCH (listing the first offending keys), ERR_CHECKPOINT_CORRUPT, ERR_CHECKPOINT_LIMIT, ERR_CONVERT_INVALID_OUTPUT (ONNX Runtime refuses the built model; nothing is written)
 * @example await convertClassifier(['best_convnext_fold_0.pth.tar', ...], 'ensemble.onnx')
 */
export async function convertClassifier(
  checkpoints: string[],
  outFile: string,
  options: ConvertClassifierOptions = {},
): Promise<{ outFile: string; folds: number; config: ConvNextConfig }> {
  validate(checkpoints, outFile, options);
  return convertInWorker({ kind: 'classifier', checkpoints, outFile, options });
}

function validate(checkpoints: string[], outFile: string, options: ConvertClassifierOptions): void {
  if (!Array.isArray(checkpoints) || checkpoints.length === 0 || checkpoints.some((c) => typeof c !== 'string')) {
    throw invalidArgument('checkpoints', 'a non-empty array of file paths', checkpoints);
  }
  if (typeof outFile !== 'string' || outFile.length === 0) throw invalidArgument('outFile', 'a file path', outFile);
  if (options.globalPool !== undefined && options.globalPool !== 'max' && options.globalPool !== 'avg') {
    throw invalidArgument('globalPool', "'max' or 'avg'", options.globalPool);
  }
}

/** convertClassifier on the calling thread (what the worker runs). */
export async function convertClassifierInProcess(
  checkpoints: string[],
  outFile: string,
  options: ConvertClassifierOptions = {},
): Promise<{ outFile: string; folds: number; config: ConvNextConfig }> {
  validate(checkpoints, outFile, options);
  const folds = [];
  for (const file of checkpoints) {
    const weights = await readTimmWeights(file, options.ema ?? true);
    const globalPool = options.globalPool ?? weights.globalPool ?? 'avg';
    folds.push({ file, stateDict: weights.stateDict, config: inferConvNextConfig(weights.stateDict, file, { globalPool }) });
  }
  const single = folds.length === 1 && !options.ensemble;
  const g = new OnnxGraph(single ? 'convnext' : 'kfold_ensemble');
  const input = g.input('input', ['batch', 3, 'height', 'width']);
  if (single) {
    const taps = new Map<string, string>();
    const ctx = convnextContext(g, folds[0].stateDict, folds[0].file);
    const logits = ConvNeXt(ctx, input, folds[0].config, taps);
    ctx.w.finish();
    g.output(logits, 'logits');
    if (options.debugOutputs) for (const [name, value] of taps) g.output(value, name);
  } else {
    if (folds.some((f) => f.config.inChans !== 3)) {
      throw new RsnaMammoError('ERR_ARCH_MISMATCH', 'the ensemble normalises 3 channels (ImageNet mean/std) but a checkpoint has in_chans != 3', { file: checkpoints[0] });
    }
    const { probs, foldLogits } = KFoldEnsembleModel(g, input, folds);
    g.output(probs, 'probs');
    if (options.debugOutputs) g.output(foldLogits);
  }
  await writeLoadableModel(outFile, g.encode(`timm ConvNeXt from ${checkpoints.join(', ')}`));
  return { outFile, folds: folds.length, config: folds[0].config };
}
