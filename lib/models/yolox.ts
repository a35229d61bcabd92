/**
 * YOLOX (yolox/models: network_blocks.py BaseConv, DWConv, Focus, Bottleneck, CSPLayer,
 * SPPBottleneck; darknet.py CSPDarknet; yolo_pafpn.py YOLOPAFPN; yolo_head.py YOLOXHead) as an ONNX
 * graph in eval mode with `decode_in_inference = False`: output [N, anchors, 4 + 1 + classes] =
 * [tx, ty, tw, th, sigmoid(obj), sigmoid(cls)...] (ALGORITHMS.md §2.1, §2.3). Functions carry YOLOX's
 * module names, so a checkpoint key points at one line here.
 */
import { RsnaMammoError } from '../errors';
import { BuildContext, batchNorm2d, conv2d, silu } from './onnx/layers';
import { StateDict } from './state_dict';

export interface YoloxConfig {
  /** depth multiplier (nano: 0.33). */
  depth: number;
  /** width multiplier (nano: 0.25). */
  width: number;
  /** DWConv (depthwise + pointwise) instead of BaseConv for 3x3 convs (nano: true). */
  depthwise: boolean;
  numClasses: number;
  /** BatchNorm eps: exp.get_model() sets 1e-3 (not stored in checkpoints). */
  bnEps: number;
}

/** The RSNA exp yolox_nano_bre_416.py (ALGORITHMS.md §2.1.1). */
export const YOLOX_NANO_RSNA: YoloxConfig = { depth: 0.33, width: 0.25, depthwise: true, numClasses: 1, bnEps: 1e-3 };
export const YOLOX_STRIDES = [8, 16, 32];
const IN_CHANNELS = [256, 512, 1024];

/** Python 3 round(): half to even. */
function pyRound(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Reads depth/width/depthwise/classes from a YOLOX state dict (stem width, `dconv` keys, number of
 * bottlenecks in dark2, cls_preds rows); explicit options win.
 * @throws RsnaMammoError ERR_ARCH_MISMATCH when the keys are not YOLOX's
 */
export function inferYoloxConfig(sd: StateDict, file: string, overrides: Partial<YoloxConfig> = {}): YoloxConfig {
  const stem = sd.get('backbone.backbone.stem.conv.conv.weight');
  const cls = sd.get('head.cls_preds.0.weight');
  if (!stem || !cls) {
    const first = [...sd.keys()].slice(0, 5).join(', ');
    throw new RsnaMammoError('ERR_ARCH_MISMATCH', `not a YOLOX state dict: "backbone.backbone.stem.conv.conv.weight" or "head.cls_preds.0.weight" is missing (first keys: ${first})`, { file });
  }
  let bottlenecks = 0;
  while (sd.has(`backbone.backbone.dark2.1.m.${bottlenecks}.conv1.conv.weight`)) bottlenecks++;
  const inferred: YoloxConfig = {
    depth: Math.max(bottlenecks, 1) / 3,
    width: stem.shape[0] / 64,
    depthwise: sd.has('backbone.backbone.dark2.0.dconv.conv.weight'),
    numClasses: cls.shape[0],
    bnEps: 1e-3,
  };
  return { ...inferred, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
}

/** BaseConv: Conv2d(bias=False, pad=(k−1)/2) → BatchNorm2d → SiLU. */
function BaseConv(ctx: BuildContext, x: string, key: string, inCh: number, outCh: number, k: number, stride: number, eps: number, groups = 1): string {
  const c = conv2d(ctx, x, `${key}.conv`, { inCh, outCh, kernel: k, stride, padding: (k - 1) >> 1, groups, bias: false });
  return silu(ctx, batchNorm2d(ctx, c, `${key}.bn`, outCh, eps), `${key}.act`);
}

/** DWConv: depthwise BaseConv (`dconv`) → pointwise 1x1 BaseConv (`pconv`). */
function DWConv(ctx: BuildContext, x: string, key: string, inCh: number, outCh: number, k: number, stride: number, eps: number): string {
  const d = BaseConv(ctx, x, `${key}.dconv`, inCh, inCh, k, stride, eps, inCh);
  return BaseConv(ctx, d, `${key}.pconv`, inCh, outCh, 1, 1, eps);
}

/** `Conv = DWConv if depthwise else BaseConv`, as in every YOLOX module. */
function Conv(ctx: BuildContext, cfg: YoloxConfig, x: string, key: string, inCh: number, outCh: number, k: number, stride: number): string {
  return cfg.depthwise ? DWConv(ctx, x, key, inCh, outCh, k, stride, cfg.bnEps) : BaseConv(ctx, x, key, inCh, outCh, k, stride, cfg.bnEps);
}

/** Focus: space-to-depth (top-left, bottom-left, top-right, bottom-right) then BaseConv. */
function Focus(ctx: BuildContext, x: string, key: string, outCh: number, eps: number): string {
  const g = ctx.g;
  const patch = (y0: number, x0: number, name: string) =>
    g.op('Slice', [x, g.int64([y0, x0]), g.int64([2 ** 31 - 1, 2 ** 31 - 1]), g.int64([2, 3]), g.int64([2, 2])], {}, `${ctx.prefix}${key}.${name}`);
  const cat = g.op('Concat', [patch(0, 0, 'patch_top_left'), patch(1, 0, 'patch_bot_left'), patch(0, 1, 'patch_top_right'), patch(1, 1, 'patch_bot_right')], { axis: 1 }, `${ctx.prefix}${key}.cat`);
  return BaseConv(ctx, cat, `${key}.conv`, 12, outCh, 3, 1, eps);
}

/** Bottleneck: conv2(conv1(x)) (+ x when shortcut and in == out). */
function Bottleneck(ctx: BuildContext, cfg: YoloxConfig, x: string, key: string, inCh: number, outCh: number, shortcut: boolean, expansion: number): string {
  const hidden = Math.trunc(outCh * expansion);
  const y = Conv(ctx, cfg, BaseConv(ctx, x, `${key}.conv1`, inCh, hidden, 1, 1, cfg.bnEps), `${key}.conv2`, hidden, outCh, 3, 1);
  return shortcut && inCh === outCh ? ctx.g.op('Add', [y, x], {}, `${ctx.prefix}${key}.add`) : y;
}

/** CSPLayer: conv3(cat(m(conv1(x)), conv2(x))). */
function CSPLayer(ctx: BuildContext, cfg: YoloxConfig, x: string, key: string, inCh: number, outCh: number, n: number, shortcut = true): string {
  const hidden = Math.trunc(outCh * 0.5);
  let x1 = BaseConv(ctx, x, `${key}.conv1`, inCh, hidden, 1, 1, cfg.bnEps);
  const x2 = BaseConv(ctx, x, `${key}.conv2`, inCh, hidden, 1, 1, cfg.bnEps);
  for (let i = 0; i < n; i++) x1 = Bottleneck(ctx, cfg, x1, `${key}.m.${i}`, hidden, hidden, shortcut, 1.0);
  const cat = ctx.g.op('Concat', [x1, x2], { axis: 1 }, `${ctx.prefix}${key}.cat`);
  return BaseConv(ctx, cat, `${key}.conv3`, 2 * hidden, outCh, 1, 1, cfg.bnEps);
}

/** SPPBottleneck: conv1 → cat(x, maxpool5, maxpool9, maxpool13) → conv2 (always BaseConv). */
function SPPBottleneck(ctx: BuildContext, cfg: YoloxConfig, x: string, key: string, inCh: number, outCh: number): string {
  const hidden = inCh >> 1;
  const y = BaseConv(ctx, x, `${key}.conv1`, inCh, hidden, 1, 1, cfg.bnEps);
  const pools = [5, 9, 13].map((k, i) => ctx.g.op('MaxPool', [y], {
    kernel_shape: [k, k], strides: [1, 1], pads: [k >> 1, k >> 1, k >> 1, k >> 1],
  }, `${ctx.prefix}${key}.m.${i}`));
  const cat = ctx.g.op('Concat', [y, ...pools], { axis: 1 }, `${ctx.prefix}${key}.cat`);
  return BaseConv(ctx, cat, `${key}.conv2`, hidden * 4, outCh, 1, 1, cfg.bnEps);
}

/** CSPDarknet: stem (Focus) → dark2..dark5; returns dark3, dark4, dark5 (taps get every stage). */
function CSPDarknet(ctx: BuildContext, cfg: YoloxConfig, x: string, key: string, taps: Map<string, string>): string[] {
  const bc = Math.trunc(cfg.width * 64);
  const bd = Math.max(pyRound(cfg.depth * 3), 1);
  const stem = Focus(ctx, x, `${key}.stem`, bc, cfg.bnEps);
  taps.set(`${key}.stem`, stem);
  const dark2 = CSPLayer(ctx, cfg, Conv(ctx, cfg, stem, `${key}.dark2.0`, bc, bc * 2, 3, 2), `${key}.dark2.1`, bc * 2, bc * 2, bd);
  const dark3 = CSPLayer(ctx, cfg, Conv(ctx, cfg, dark2, `${key}.dark3.0`, bc * 2, bc * 4, 3, 2), `${key}.dark3.1`, bc * 4, bc * 4, bd * 3);
  const dark4 = CSPLayer(ctx, cfg, Conv(ctx, cfg, dark3, `${key}.dark4.0`, bc * 4, bc * 8, 3, 2), `${key}.dark4.1`, bc * 8, bc * 8, bd * 3);
  const d5 = SPPBottleneck(ctx, cfg, Conv(ctx, cfg, dark4, `${key}.dark5.0`, bc * 8, bc * 16, 3, 2), `${key}.dark5.1`, bc * 16, bc * 16);
  const dark5 = CSPLayer(ctx, cfg, d5, `${key}.dark5.2`, bc * 16, bc * 16, bd, false);
  taps.set(`${key}.dark2`, dark2).set(`${key}.dark3`, dark3).set(`${key}.dark4`, dark4).set(`${key}.dark5`, dark5);
  return [dark3, dark4, dark5];
}

/** YOLOPAFPN: top-down (lateral_conv0, C3_p4, reduce_conv1, C3_p3) and bottom-up (bu_conv2, C3_n3, bu_conv1, C3_n4). */
function YOLOPAFPN(ctx: BuildContext, cfg: YoloxConfig, x: string, taps: Map<string, string>): string[] {
  const [c0, c1, c2] = IN_CHANNELS.map((c) => Math.trunc(c * cfg.width));
  const n = pyRound(3 * cfg.depth);
  const g = ctx.g;
  const upsample = (v: string, name: string) =>
    g.op('Resize', [v, '', g.constant([1, 1, 2, 2], [4])], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }, `${ctx.prefix}backbone.${name}`);
  const cat = (a: string, b: string, name: string) => g.op('Concat', [a, b], { axis: 1 }, `${ctx.prefix}backbone.${name}`);
  const [x2, x1, x0] = CSPDarknet(ctx, cfg, x, 'backbone.backbone', taps);
  const fpnOut0 = BaseConv(ctx, x0, 'backbone.lateral_conv0', c2, c1, 1, 1, cfg.bnEps);
  let f = CSPLayer(ctx, cfg, cat(upsample(fpnOut0, 'upsample0'), x1, 'cat_p4'), 'backbone.C3_p4', 2 * c1, c1, n, false);
  const fpnOut1 = BaseConv(ctx, f, 'backbone.reduce_conv1', c1, c0, 1, 1, cfg.bnEps);
  f = cat(upsample(fpnOut1, 'upsample1'), x2, 'cat_p3');
  const panOut2 = CSPLayer(ctx, cfg, f, 'backbone.C3_p3', 2 * c0, c0, n, false);
  const pOut1 = cat(Conv(ctx, cfg, panOut2, 'backbone.bu_conv2', c0, c0, 3, 2), fpnOut1, 'cat_n3');
  const panOut1 = CSPLayer(ctx, cfg, pOut1, 'backbone.C3_n3', 2 * c0, c1, n, false);
  const pOut0 = cat(Conv(ctx, cfg, panOut1, 'backbone.bu_conv1', c1, c1, 3, 2), fpnOut0, 'cat_n4');
  const panOut0 = CSPLayer(ctx, cfg, pOut0, 'backbone.C3_n4', 2 * c1, c2, n, false);
  taps.set('fpn_out0', panOut2).set('fpn_out1', panOut1).set('fpn_out2', panOut0);
  return [panOut2, panOut1, panOut0];
}

/** YOLOXHead (eval, decode_in_inference False): per level cat(reg, sigmoid(obj), sigmoid(cls)), flattened and concatenated. */
function YOLOXHead(ctx: BuildContext, cfg: YoloxConfig, features: string[]): string {
  const hidden = Math.trunc(256 * cfg.width);
  const g = ctx.g;
  const perLevel = features.map((feat, k) => {
    const inCh = Math.trunc(IN_CHANNELS[k] * cfg.width);
    const x = BaseConv(ctx, feat, `head.stems.${k}`, inCh, hidden, 1, 1, cfg.bnEps);
    const clsFeat = Conv(ctx, cfg, Conv(ctx, cfg, x, `head.cls_convs.${k}.0`, hidden, hidden, 3, 1), `head.cls_convs.${k}.1`, hidden, hidden, 3, 1);
    const regFeat = Conv(ctx, cfg, Conv(ctx, cfg, x, `head.reg_convs.${k}.0`, hidden, hidden, 3, 1), `head.reg_convs.${k}.1`, hidden, hidden, 3, 1);
    const cls = conv2d(ctx, clsFeat, `head.cls_preds.${k}`, { inCh: hidden, outCh: cfg.numClasses, kernel: 1 });
    const reg = conv2d(ctx, regFeat, `head.reg_preds.${k}`, { inCh: hidden, outCh: 4, kernel: 1 });
    const obj = conv2d(ctx, regFeat, `head.obj_preds.${k}`, { inCh: hidden, outCh: 1, kernel: 1 });
    const out = g.op('Concat', [
      reg, g.op('Sigmoid', [obj], {}, `${ctx.prefix}head.obj_sigmoid.${k}`), g.op('Sigmoid', [cls], {}, `${ctx.prefix}head.cls_sigmoid.${k}`),
    ], { axis: 1 }, `${ctx.prefix}head.output.${k}`);
    return g.op('Reshape', [out, g.int64([0, 5 + cfg.numClasses, -1])], {}, `${ctx.prefix}head.flatten.${k}`);
  });
  const all = g.op('Concat', perLevel, { axis: 2 }, `${ctx.prefix}head.cat_levels`);
  return g.op('Transpose', [all], { perm: [0, 2, 1] }, `${ctx.prefix}head.permute`);
}

/**
 * Adds YOLOX.forward (YOLOPAFPN + YOLOXHead) to `ctx.g`.
 * @param x NCHW input, raw 0..255 values (no normalisation, ALGORITHMS.md §2.2.5)
 * @param taps receives fpn_out{0,1,2} and the CSPDarknet stage outputs (`backbone.backbone.stem`, `...dark2..5`)
 * @returns the output value name ([N, anchors, 5 + classes])
 */
export function YOLOX(ctx: BuildContext, x: string, cfg: YoloxConfig, taps: Map<string, string> = new Map()): string {
  ctx.w.ignore(/\.num_batches_tracked$/);
  return YOLOXHead(ctx, cfg, YOLOPAFPN(ctx, cfg, x, taps));
}

/** Anchors for an input of h×w: one per cell of each stride-8/16/32 level. */
export function yoloxAnchorCount(h: number, w: number): number {
  return YOLOX_STRIDES.reduce((n, s) => n + Math.ceil(h / s) * Math.ceil(w / s), 0);
}
