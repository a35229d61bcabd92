/**
 * timm ConvNeXt (timm/models/convnext.py: ConvNeXt, ConvNeXtStage, ConvNeXtBlock, LayerNorm2d,
 * NormMlpClassifierHead) as an ONNX graph. Functions carry timm's module names, so a checkpoint key
 * (`stages.2.blocks.5.mlp.fc1.weight`) points at one line here. ALGORITHMS.md §4.1-4.2.
 */
import { RsnaMammoError } from '../errors';
import { OnnxGraph } from './onnx/graph';
import {
  BuildContext, conv2d, gelu, layerNorm, linear, param, toChannelsFirst, toChannelsLast,
} from './onnx/layers';
import { StateDict, WeightReader } from './state_dict';

/** Architecture of a timm ConvNeXt, read from checkpoint keys and shapes (see inferConvNextConfig). */
export interface ConvNextConfig {
  depths: number[];
  dims: number[];
  inChans: number;
  /** head.fc outputs; 0 = no classifier (the graph returns pre-logits). */
  numClasses: number;
  globalPool: 'max' | 'avg';
  /** stem conv kernel = stride (4 for every timm ConvNeXt with the patch stem). */
  patchSize: number;
  /** depthwise conv kernel (7). */
  kernelSize: number;
  /** MLP hidden = mlpRatio · dim (4). */
  mlpRatio: number;
  /** Layer-scale `gamma` present (ls_init_value not None). */
  layerScale: boolean;
  /** MLP as 1x1 convs in NCHW (conv_mlp=True variants) instead of Linear in NHWC. */
  convMlp: boolean;
  /** head_norm_first=True: `norm_pre` before the pool instead of `head.norm` after it. */
  headNormFirst: boolean;
  /** `head.pre_logits.fc` (Linear + tanh) size, 0 if absent. */
  headHiddenSize: number;
}

/** convnext_small (ALGORITHMS.md §4.2). */
export const CONVNEXT_SMALL = { depths: [3, 3, 27, 3], dims: [96, 192, 384, 768] };

/** LayerNorm and LayerNorm2d eps in timm ConvNeXt. */
const LN_EPS = 1e-6;

/**
 * Reads the architecture from a timm ConvNeXt state dict: depths from the block indices, dims and
 * kernels from weight shapes, head options from which keys exist. `overrides` win.
 * @throws RsnaMammoError ERR_ARCH_MISMATCH when the keys are not those of a timm ConvNeXt
 */
export function inferConvNextConfig(sd: StateDict, file: string, overrides: Partial<ConvNextConfig> = {}): ConvNextConfig {
  const stem = sd.get('stem.0.weight');
  if (!stem || stem.shape.length !== 4) {
    const first = [...sd.keys()].slice(0, 5).join(', ');
    throw new RsnaMammoError('ERR_ARCH_MISMATCH', `not a timm ConvNeXt state dict: "stem.0.weight" is missing (first keys: ${first})`, { file });
  }
  const depths: number[] = [];
  const dims: number[] = [];
  for (let s = 0; ; s++) {
    let blocks = 0;
    while (sd.has(`stages.${s}.blocks.${blocks}.conv_dw.weight`)) blocks++;
    if (blocks === 0) break;
    depths.push(blocks);
    dims.push(sd.get(`stages.${s}.blocks.0.conv_dw.weight`)!.shape[0]);
  }
  const fc1 = sd.get('stages.0.blocks.0.mlp.fc1.weight');
  const fc = sd.get('head.fc.weight');
  const hidden = sd.get('head.pre_logits.fc.weight');
  const inferred: ConvNextConfig = {
    depths,
    dims,
    inChans: stem.shape[1],
    numClasses: fc ? fc.shape[0] : 0,
    globalPool: 'avg',
    patchSize: stem.shape[2],
    kernelSize: sd.get('stages.0.blocks.0.conv_dw.weight')?.shape[2] ?? 7,
    mlpRatio: fc1 && dims.length ? fc1.shape[0] / dims[0] : 4,
    layerScale: sd.has('stages.0.blocks.0.gamma'),
    convMlp: fc1 ? fc1.shape.length === 4 : false,
    headNormFirst: sd.has('norm_pre.weight'),
    headHiddenSize: hidden ? hidden.shape[0] : 0,
  };
  const cfg = { ...inferred, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
  if (cfg.depths.length === 0 || cfg.depths.length !== cfg.dims.length) {
    throw new RsnaMammoError('ERR_ARCH_MISMATCH', `not a timm ConvNeXt state dict: no "stages.N.blocks.M.conv_dw.weight" keys`, { file });
  }
  return cfg;
}

/** timm LayerNorm2d: LayerNorm over channels of an NCHW tensor (permute, layer_norm, permute back). */
function LayerNorm2d(ctx: BuildContext, x: string, key: string, channels: number): string {
  const nhwc = toChannelsLast(ctx, x, key);
  return toChannelsFirst(ctx, layerNorm(ctx, nhwc, key, channels, LN_EPS), key);
}

/** ConvNeXtBlock: x + gamma · fc2(GELU(fc1(LN(conv_dw(x))))) — drop_path is identity at inference. */
function ConvNeXtBlock(ctx: BuildContext, x: string, key: string, dim: number, cfg: ConvNextConfig): string {
  const k = cfg.kernelSize;
  const hidden = Math.round(cfg.mlpRatio * dim);
  const dw = conv2d(ctx, x, `${key}.conv_dw`, { inCh: dim, outCh: dim, kernel: k, padding: k >> 1, groups: dim });
  let y: string;
  if (cfg.convMlp) {
    y = LayerNorm2d(ctx, dw, `${key}.norm`, dim);
    y = conv2d(ctx, y, `${key}.mlp.fc1`, { inCh: dim, outCh: hidden, kernel: 1 });
    y = gelu(ctx, y, `${key}.mlp.act`);
    y = conv2d(ctx, y, `${key}.mlp.fc2`, { inCh: hidden, outCh: dim, kernel: 1 });
    if (cfg.layerScale) {
      const gamma = ctx.g.op('Reshape', [param(ctx, `${key}.gamma`, [dim]), ctx.g.int64([dim, 1, 1])], {}, `${ctx.prefix}${key}.gamma_chw`);
      y = ctx.g.op('Mul', [y, gamma], {}, `${ctx.prefix}${key}.ls`);
    }
  } else {
    y = toChannelsLast(ctx, dw, key);
    y = layerNorm(ctx, y, `${key}.norm`, dim, LN_EPS);
    y = linear(ctx, y, `${key}.mlp.fc1`, dim, hidden);
    y = gelu(ctx, y, `${key}.mlp.act`);
    y = linear(ctx, y, `${key}.mlp.fc2`, hidden, dim);
    if (cfg.layerScale) y = ctx.g.op('Mul', [y, param(ctx, `${key}.gamma`, [dim])], {}, `${ctx.prefix}${key}.ls`);
    y = toChannelsFirst(ctx, y, key);
  }
  return ctx.g.op('Add', [y, x], {}, `${ctx.prefix}${key}.shortcut`);
}

/** ConvNeXtStage: optional downsample (LayerNorm2d + k×k stride-k conv), then the blocks. */
function ConvNeXtStage(ctx: BuildContext, x: string, stage: number, inCh: number, cfg: ConvNextConfig): string {
  const key = `stages.${stage}`;
  const outCh = cfg.dims[stage];
  let y = x;
  const dsWeight = `${key}.downsample.1.weight`;
  if (stage > 0 || ctx.w.has(dsWeight)) {
    const k = ctx.w.shapeOf(dsWeight)?.[2] ?? 2; // stride = kernel (2x2/2 in every timm ConvNeXt)
    y = LayerNorm2d(ctx, y, `${key}.downsample.0`, inCh);
    y = conv2d(ctx, y, `${key}.downsample.1`, { inCh, outCh, kernel: k, stride: k });
  }
  for (let b = 0; b < cfg.depths[stage]; b++) y = ConvNeXtBlock(ctx, y, `${key}.blocks.${b}`, outCh, cfg);
  return y;
}

/** NormMlpClassifierHead: pool → LayerNorm2d → flatten → [pre_logits Linear+tanh] → fc. */
function NormMlpClassifierHead(ctx: BuildContext, x: string, cfg: ConvNextConfig, taps: Map<string, string>): string {
  const C = cfg.dims[cfg.dims.length - 1];
  const pooled = ctx.g.op(cfg.globalPool === 'max' ? 'GlobalMaxPool' : 'GlobalAveragePool', [x], {}, `${ctx.prefix}head.global_pool`);
  taps.set('feat_head_pool', pooled);
  let y = ctx.g.op('Flatten', [pooled], { axis: 1 }, `${ctx.prefix}head.flatten`);
  // LayerNorm2d on [N,C,1,1] equals LayerNorm over the flattened channels.
  if (!cfg.headNormFirst) y = layerNorm(ctx, y, 'head.norm', C, LN_EPS);
  let features = C;
  if (cfg.headHiddenSize > 0) {
    y = linear(ctx, y, 'head.pre_logits.fc', C, cfg.headHiddenSize);
    y = ctx.g.op('Tanh', [y], {}, `${ctx.prefix}head.pre_logits.act`);
    features = cfg.headHiddenSize;
  }
  taps.set('feat_head_prelogits', y);
  if (cfg.numClasses === 0) return y;
  return ctx.g.op('Gemm', [y, param(ctx, 'head.fc.weight', [cfg.numClasses, features]), param(ctx, 'head.fc.bias', [cfg.numClasses])], { transB: 1 }, `${ctx.prefix}head.fc`);
}

/**
 * Adds ConvNeXt.forward to `ctx.g`: stem (patch conv + LayerNorm2d) → stages → [norm_pre] → head.
 * @param x name of the NCHW float input (already normalised)
 * @param taps receives intermediate names: feat_stem, feat_stage{i}, feat_head_pool, feat_head_prelogits
 * @returns the logits value name ([N, numClasses])
 */
export function ConvNeXt(ctx: BuildContext, x: string, cfg: ConvNextConfig, taps: Map<string, string> = new Map()): string {
  const p = cfg.patchSize;
  let y = conv2d(ctx, x, 'stem.0', { inCh: cfg.inChans, outCh: cfg.dims[0], kernel: p, stride: p });
  y = LayerNorm2d(ctx, y, 'stem.1', cfg.dims[0]);
  taps.set('feat_stem', y);
  let inCh = cfg.dims[0];
  for (let s = 0; s < cfg.depths.length; s++) {
    y = ConvNeXtStage(ctx, y, s, inCh, cfg);
    taps.set(`feat_stage${s}`, y);
    inCh = cfg.dims[s];
  }
  if (cfg.headNormFirst) y = LayerNorm2d(ctx, y, 'norm_pre', inCh);
  return NormMlpClassifierHead(ctx, y, cfg, taps);
}

/** Builds a context for one ConvNeXt's weights inside `g`. */
export function convnextContext(g: OnnxGraph, sd: StateDict, file: string, prefix = ''): BuildContext {
  return { g, w: new WeightReader(sd, file, 'timm ConvNeXt'), prefix };
}
