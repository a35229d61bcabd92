/**
 * Random-weight YOLOX checkpoints in the YOLOX trainer layout (`start_epoch, model, best_ap,
 * curr_ap`), written by our torch.save writer, for tests and the demo's clearly-labelled UNTRAINED
 * weights. Objectness/class biases sit at YOLOX's prior (−ln 99, ALGORITHMS.md §2.1.1), so an untrained
 * detector (prediction conv weights zero) scores every anchor 0.01·0.01 and the pipeline takes its
 * Otsu fallback (§2.6).
 */
import { invalidArgument } from '../errors';
import { OnnxGraph } from './onnx/graph';
import { WeightReader } from './state_dict';
import { writeTorchCheckpoint } from './torch/checkpoint_writer';
import { PyFloat, TorchTensor } from './torch/pickle_values';
import { YOLOX, YOLOX_NANO_RSNA, YoloxConfig } from './yolox';
import { normalFill, seededRandom } from './random_fill';

/** YOLOX state-dict keys and shapes for a config (BatchNorm's num_batches_tracked added after each BN). */
export function yoloxStateDictShapes(cfg: YoloxConfig): [string, number[]][] {
  const w = new WeightReader(new Map(), '<dry run>', 'YOLOX', true);
  const g = new OnnxGraph('dry_run');
  YOLOX({ g, w, prefix: '' }, g.input('images', [1, 3, 64, 64]), cfg);
  const out: [string, number[]][] = [];
  for (const entry of w.expected) {
    out.push(entry);
    if (entry[0].endsWith('.bn.running_var')) out.push([`${entry[0].slice(0, -'running_var'.length)}num_batches_tracked`, []]);
  }
  return out;
}

/**
 * Writes a random YOLOX checkpoint (default: the RSNA nano exp, 1 class).
 * @example await makeRandomYoloxCheckpoint('yolox_untrained.pth', { seed: 1 })
 */
export async function makeRandomYoloxCheckpoint(file: string, options: { seed: number } & Partial<Omit<YoloxConfig, 'bnEps'>>): Promise<void> {
  if (!Number.isInteger(options.seed)) throw invalidArgument('seed', 'an integer', options.seed);
  const cfg: YoloxConfig = { ...YOLOX_NANO_RSNA, ...Object.fromEntries(Object.entries(options).filter(([k, v]) => k !== 'seed' && v !== undefined)) };
  const rand = seededRandom(options.seed);
  const model = new Map<string, TorchTensor>();
  for (const [key, shape] of yoloxStateDictShapes(cfg)) {
    if (key.endsWith('num_batches_tracked')) {
      model.set(key, new TorchTensor('int64', [], BigInt64Array.from([0n])));
      continue;
    }
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (/_preds\.\d+\.weight$/.test(key)) data.fill(0); // prediction convs start at the prior: no confident box
    else if (shape.length === 4) normalFill(data, rand, 0, Math.sqrt(2 / (shape[1] * shape[2] * shape[3])));
    else if (key.endsWith('running_var') || key.endsWith('bn.weight')) data.fill(1);
    else if (/(cls|obj)_preds\.\d+\.bias$/.test(key)) data.fill(-Math.log((1 - 0.01) / 0.01));
    model.set(key, new TorchTensor('float32', shape, data));
  }
  await writeTorchCheckpoint(file, { start_epoch: 0, model, best_ap: new PyFloat(0), curr_ap: new PyFloat(0), note: 'UNTRAINED random weights made by rsna-mammo' });
}
