/**
 * YOLOX trainer checkpoints as yolox.utils.save_checkpoint writes them (ALGORITHMS.md §10.5):
 * `{start_epoch, model, optimizer, best_ap, curr_ap}` where `model` is the EMA model's state_dict
 * (floating entries from the native trainer, `num_batches_tracked` int64 entries re-inserted after
 * each BN's running_var, as torch orders them) and `optimizer` the SGD state_dict.
 */
import { writeTorchCheckpoint } from '../models/torch/checkpoint_writer';
import { PyFloat, TorchTensor } from '../models/torch/pickle_values';
import { OptimizerGroup, sgdStateDict } from './classifierCheckpoint';

export interface YoloxCheckpointParts {
  startEpoch: number;
  /** Floating state entries in state_dict order. */
  ema: Map<string, TorchTensor>;
  /** num_batches_tracked per BN prefix (default 0). */
  batchesTracked: Map<string, bigint>;
  momentum: Map<string, TorchTensor> | null;
  groups: OptimizerGroup[];
  lr: number;
  momentumFactor: number;
  bestAp: number;
  currAp: number | null;
}

/** The state_dict with `X.num_batches_tracked` after every `X.running_var`. */
export function withBatchesTracked(floating: Map<string, TorchTensor>, tracked: Map<string, bigint>): Map<string, TorchTensor> {
  const out = new Map<string, TorchTensor>();
  for (const [k, t] of floating) {
    out.set(k, t);
    if (k.endsWith('.running_var')) {
      const prefix = k.slice(0, -'.running_var'.length);
      out.set(`${prefix}.num_batches_tracked`, new TorchTensor('int64', [], new BigInt64Array([tracked.get(prefix) ?? 0n])));
    }
  }
  return out;
}

/** Writes the checkpoint atomically (the writer renames a temporary file). */
export async function writeYoloxCheckpoint(file: string, p: YoloxCheckpointParts): Promise<void> {
  const best = Number.isInteger(p.bestAp) && p.bestAp === 0 ? 0 : new PyFloat(p.bestAp);
  await writeTorchCheckpoint(file, {
    start_epoch: p.startEpoch,
    model: withBatchesTracked(p.ema, p.batchesTracked),
    optimizer: sgdStateDict({ groups: p.groups, momentum: p.momentum, lr: p.lr, momentumFactor: p.momentumFactor, initialLr: null }),
    best_ap: best,
    curr_ap: p.currAp === null ? null : new PyFloat(p.currAp),
  });
}
