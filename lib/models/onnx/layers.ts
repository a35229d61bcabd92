/**
 * The torch.nn layers our architectures use, as ONNX subgraphs whose initializers are read by
 * state-dict key (`<key>.weight`, `<key>.bias`, ...) through a strict WeightReader.
 */
import { OnnxGraph, float } from './graph';
import { WeightReader } from '../state_dict';

/** What every module builder needs: the graph, the weights, and a name prefix (e.g. `fold0.`). */
export interface BuildContext {
  g: OnnxGraph;
  w: WeightReader;
  /** Prefix for node and initializer names, so several models can share one graph. */
  prefix: string;
}

/** An initializer holding state-dict entry `key` (checked to have `shape`). */
export function param(ctx: BuildContext, key: string, shape: number[]): string {
  return ctx.g.initializer(ctx.prefix + key, shape, ctx.w.float32(key, shape));
}

/** An initializer holding the 2-D weight `key` ([out, in]) transposed to [in, out] for MatMul. */
export function paramTransposed(ctx: BuildContext, key: string, outF: number, inF: number): string {
  const w = ctx.w.float32(key, [outF, inF]);
  if (w.length === 0) return ctx.g.initializer(`${ctx.prefix}${key}^T`, [inF, outF], w); // dry run
  const t = new Float32Array(w.length);
  for (let o = 0; o < outF; o++) for (let i = 0; i < inF; i++) t[i * outF + o] = w[o * inF + i];
  return ctx.g.initializer(`${ctx.prefix}${key}^T`, [inF, outF], t);
}

export interface Conv2dSpec {
  inCh: number;
  outCh: number;
  kernel: number;
  stride?: number;
  padding?: number;
  groups?: number;
  bias?: boolean;
}

/** torch.nn.Conv2d (square kernel, symmetric padding). */
export function conv2d(ctx: BuildContext, x: string, key: string, s: Conv2dSpec): string {
  const groups = s.groups ?? 1;
  const inputs = [x, param(ctx, `${key}.weight`, [s.outCh, s.inCh / groups, s.kernel, s.kernel])];
  if (s.bias ?? true) inputs.push(param(ctx, `${key}.bias`, [s.outCh]));
  const p = s.padding ?? 0;
  return ctx.g.op('Conv', inputs, {
    kernel_shape: [s.kernel, s.kernel], strides: [s.stride ?? 1, s.stride ?? 1], pads: [p, p, p, p], group: groups,
  }, ctx.prefix + key);
}

/** torch.nn.BatchNorm2d in eval mode (running statistics). */
export function batchNorm2d(ctx: BuildContext, x: string, key: string, channels: number, eps: number): string {
  const inputs = ['weight', 'bias', 'running_mean', 'running_var'].map((n) => param(ctx, `${key}.${n}`, [channels]));
  return ctx.g.op('BatchNormalization', [x, ...inputs], { epsilon: float(eps) }, ctx.prefix + key);
}

/** torch.nn.LayerNorm over the last dimension. */
export function layerNorm(ctx: BuildContext, x: string, key: string, channels: number, eps: number): string {
  return ctx.g.op('LayerNormalization', [x, param(ctx, `${key}.weight`, [channels]), param(ctx, `${key}.bias`, [channels])], {
    axis: -1, epsilon: float(eps),
  }, ctx.prefix + key);
}

/** NCHW → NHWC (torch `permute(0, 2, 3, 1)`). */
export function toChannelsLast(ctx: BuildContext, x: string, name: string): string {
  return ctx.g.op('Transpose', [x], { perm: [0, 2, 3, 1] }, `${ctx.prefix}${name}.permute_nhwc`);
}

/** NHWC → NCHW (torch `permute(0, 3, 1, 2)`). */
export function toChannelsFirst(ctx: BuildContext, x: string, name: string): string {
  return ctx.g.op('Transpose', [x], { perm: [0, 3, 1, 2] }, `${ctx.prefix}${name}.permute_nchw`);
}

/** torch.nn.Linear on the last dimension: x @ W^T + b. */
export function linear(ctx: BuildContext, x: string, key: string, inF: number, outF: number, bias = true): string {
  const y = ctx.g.op('MatMul', [x, paramTransposed(ctx, `${key}.weight`, outF, inF)], {}, `${ctx.prefix}${key}.matmul`);
  return bias ? ctx.g.op('Add', [y, param(ctx, `${key}.bias`, [outF])], {}, ctx.prefix + key) : y;
}

/** Exact (erf) GELU, torch `nn.GELU()`: 0.5·x·(1 + erf(x/√2)); ORT fuses this pattern into Gelu. */
export function gelu(ctx: BuildContext, x: string, name: string): string {
  const g = ctx.g;
  const scaled = g.op('Div', [x, g.constant([Math.SQRT2], [])], {}, `${ctx.prefix}${name}.div`);
  const erf = g.op('Erf', [scaled], {}, `${ctx.prefix}${name}.erf`);
  const onePlus = g.op('Add', [erf, g.constant([1], [])], {}, `${ctx.prefix}${name}.add`);
  const prod = g.op('Mul', [x, onePlus], {}, `${ctx.prefix}${name}.mul`);
  return g.op('Mul', [prod, g.constant([0.5], [])], {}, `${ctx.prefix}${name}`);
}

/** torch.nn.SiLU: x·sigmoid(x). */
export function silu(ctx: BuildContext, x: string, name: string): string {
  const s = ctx.g.op('Sigmoid', [x], {}, `${ctx.prefix}${name}.sigmoid`);
  return ctx.g.op('Mul', [x, s], {}, `${ctx.prefix}${name}`);
}
