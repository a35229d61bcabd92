/**
 * KFoldEnsembleModel of src/submit/model.py as one ONNX graph (ALGORITHMS.md §4.4): input 0..255,
 * x = (x − mean_255) / std_255 inside (§3.4), each fold's ConvNeXt, sigmoid per fold, stacked to
 * [N, k] — like the original's single combined TensorRT engine (§4.5).
 */
import { OnnxGraph } from './onnx/graph';
import { ConvNeXt, ConvNextConfig, convnextContext } from './convnext';
import { StateDict } from './state_dict';

/** ImageNet mean·255 and std·255 as the wrapper's float32 buffers (ALGORITHMS.md §3.4). */
export const MEAN_255 = [0.485, 0.456, 0.406].map((v) => Math.fround(v * 255));
export const STD_255 = [0.229, 0.224, 0.225].map((v) => Math.fround(v * 255));

export interface EnsembleFold {
  stateDict: StateDict;
  config: ConvNextConfig;
  file: string;
}

/**
 * Adds the ensemble to `g`. Subtract-then-divide as the original (not a fused scale), so results
 * match its float32 rounding.
 * @returns `{ probs, foldLogits }` value names ([N, k] each)
 */
export function KFoldEnsembleModel(g: OnnxGraph, input: string, folds: EnsembleFold[]): { probs: string; foldLogits: string } {
  const mean = g.constant(MEAN_255, [1, 3, 1, 1], 'mean_255');
  const std = g.constant(STD_255, [1, 3, 1, 1], 'std_255');
  const centered = g.op('Sub', [input, mean], {}, 'normalize.sub_mean');
  const x = g.op('Div', [centered, std], {}, 'normalize.div_std');
  const logits = folds.map((fold, i) => {
    const ctx = convnextContext(g, fold.stateDict, fold.file, `fold${i}.`);
    const out = ConvNeXt(ctx, x, fold.config);
    ctx.w.finish();
    // logit[:, 0] of each fold, kept as [N, 1] so the concat below is torch.stack(dim=1).
    return g.op('Slice', [out, g.int64([0]), g.int64([1]), g.int64([1])], {}, `fold${i}.logit0`);
  });
  const foldLogits = g.op('Concat', logits, { axis: 1 }, 'fold_logits');
  const probs = g.op('Sigmoid', [foldLogits], {}, 'probs');
  return { probs, foldLogits };
}
