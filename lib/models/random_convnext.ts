/**
 * Random-weight timm ConvNeXt checkpoints in timm's CheckpointSaver layout, written by our torch.save
 * writer. Used by tests, the benchmark and the demo's clearly-labelled UNTRAINED weights — the
 * outputs have no medical meaning. Initialisation follows ../shared/golden/README.md ("How it was
 * generated") so activations stay in a realistic range.
 */
import { invalidArgument } from '../errors';
import { OnnxGraph } from './onnx/graph';
import { ConvNeXt, ConvNextConfig } from './convnext';
import { WeightReader } from './state_dict';
import { writeTorchCheckpoint } from './torch/checkpoint_writer';
import { PickleObject, PyFloat, TorchTensor } from './torch/pickle_values';
import { normalFill, seededRandom } from './random_fill';

export interface RandomConvnextOptions {
  depths: number[];
  dims: number[];
  seed: number;
  globalPool?: 'max' | 'avg';
  numClasses?: number;
}

/** The timm state-dict keys and shapes of a ConvNeXt config, in timm's order (module params before submodules). */
export function convnextStateDictShapes(cfg: ConvNextConfig): [string, number[]][] {
  const w = new WeightReader(new Map(), '<dry run>', 'timm ConvNeXt', true);
  const g = new OnnxGraph('dry_run');
  ConvNeXt({ g, w, prefix: '' }, g.input('x', [1, cfg.inChans, 32, 32]), cfg);
  const keys = w.expected;
  // timm registers a block's `gamma` Parameter before its submodules.
  const ordered: [string, number[]][] = [];
  for (const entry of keys) {
    if (entry[0].endsWith('.gamma')) {
      const block = entry[0].slice(0, -'gamma'.length);
      const at = ordered.findIndex(([k]) => k.startsWith(block));
      ordered.splice(at < 0 ? ordered.length : at, 0, entry);
    } else ordered.push(entry);
  }
  return ordered;
}

function initTensor(key: string, shape: number[], rand: () => number): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  const fanIn = shape.slice(1).reduce((a, b) => a * b, 1);
  if (key.endsWith('.gamma')) normalFill(out, rand, 0, 0.5);
  else if (key === 'head.fc.weight') normalFill(out, rand, 0, Math.sqrt(4 / shape[1]));
  else if (key === 'head.fc.bias') normalFill(out, rand, 0, 0.3);
  else if (shape.length >= 2) normalFill(out, rand, 0, Math.sqrt(1 / fanIn));
  else if (/(norm|stem\.1|downsample\.0)\.weight$/.test(key)) for (let i = 0; i < n; i++) out[i] = 0.5 + rand();
  else if (/(norm|stem\.1|downsample\.0)\.bias$/.test(key)) normalFill(out, rand, 0, 0.2);
  else normalFill(out, rand, 0, 0.1);
  return out;
}

/**
 * Writes a random-weight timm ConvNeXt checkpoint (`epoch, arch, state_dict, optimizer, version,
 * args, amp_scaler, state_dict_ema, metric`; `state_dict` = EMA weights + 5% noise). The optimizer
 * entry has its param groups but no momentum buffers (keeps benchmark files small).
 * @example await makeRandomConvnextCheckpoint('small.pth.tar', { depths: [3,3,27,3], dims: [96,192,384,768], seed: 1, globalPool: 'max' })
 */
export async function makeRandomConvnextCheckpoint(file: string, options: RandomConvnextOptions): Promise<void> {
  const { depths, dims, seed } = options;
  if (!Array.isArray(depths) || depths.length === 0 || depths.some((d) => !Number.isInteger(d) || d <= 0)) throw invalidArgument('depths', 'positive integers', depths);
  if (!Array.isArray(dims) || dims.length !== depths.length || dims.some((d) => !Number.isInteger(d) || d <= 0)) throw invalidArgument('dims', 'positive integers, one per stage', dims);
  if (!Number.isInteger(seed)) throw invalidArgument('seed', 'an integer', seed);
  const globalPool = options.globalPool ?? 'max';
  const cfg: ConvNextConfig = {
    depths, dims, inChans: 3, numClasses: options.numClasses ?? 1, globalPool, patchSize: 4, kernelSize: 7, mlpRatio: 4,
    layerScale: true, convMlp: false, headNormFirst: false, headHiddenSize: 0,
  };
  const rand = seededRandom(seed);
  const ema = new Map<string, TorchTensor>();
  const trained = new Map<string, TorchTensor>();
  for (const [key, shape] of convnextStateDictShapes(cfg)) {
    const w = initTensor(key, shape, rand);
    ema.set(key, new TorchTensor('float32', shape, w));
    const noisy = new Float32Array(w.length);
    for (let i = 0; i < w.length; i++) noisy[i] = w[i] * (1 + 0.05 * (2 * rand() - 1));
    trained.set(key, new TorchTensor('float32', shape, noisy));
  }
  const namespace = new PickleObject('argparse', 'Namespace');
  namespace.state = {
    model: 'convnext_random', num_classes: cfg.numClasses, gp: globalPool, in_chans: null, model_ema: true,
    drop: new PyFloat(0.5), drop_path: new PyFloat(0.2), seed, note: 'UNTRAINED random weights made by rsna-mammo',
    device: new PickleObject('torch', 'device', ['cpu']),
  };
  const group = (ids: number[]) => ({ lr: new PyFloat(0), momentum: new PyFloat(0.9), dampening: 0, weight_decay: new PyFloat(0), nesterov: true, initial_lr: new PyFloat(0.0001), params: ids });
  const nParams = ema.size;
  const checkpoint = {
    epoch: 0,
    arch: 'convnext_random',
    state_dict: trained,
    optimizer: { state: {}, param_groups: [group(Array.from({ length: nParams }, (_, i) => i))] },
    version: 2,
    args: namespace,
    amp_scaler: { scale: new PyFloat(65536), growth_factor: new PyFloat(2), backoff_factor: new PyFloat(0.5), growth_interval: 2000, _growth_tracker: 0 },
    state_dict_ema: ema,
    metric: new PyFloat(0),
  };
  await writeTorchCheckpoint(file, checkpoint);
}
