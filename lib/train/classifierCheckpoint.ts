/**
 * timm CheckpointSaver checkpoints of the classifier (ALGORITHMS.md §4.3, §9.10): `epoch, arch,
 * state_dict, optimizer {state: {index: {momentum_buffer}}, param_groups}, version, args,
 * state_dict_ema, metric`, written with the torch zip+pickle writer so torch.load and
 * `rsna-mammo convert classifier` read them like the original's.
 */
import { writeTorchCheckpoint } from '../models/torch/checkpoint_writer';
import { PickleObject, PyFloat, TorchTensor } from '../models/torch/pickle_values';

export interface OptimizerGroup {
  weight_decay: number;
  /** Parameter names in state-index order. */
  names: string[];
}

export interface ClassifierCheckpointParts {
  epoch: number;
  arch: string;
  params: Map<string, TorchTensor>;
  ema: Map<string, TorchTensor>;
  /** Momentum buffer per parameter name (absent before the first step). */
  momentum: Map<string, TorchTensor> | null;
  groups: OptimizerGroup[];
  lr: number;
  initialLr: number;
  momentumFactor: number;
  /** Selection metric (gbmean_best_pfbeta); null when not validated yet. */
  metric: number | null;
  /** Saved as the argparse.Namespace `args` (the run's settings). */
  args: Record<string, unknown>;
}

/** What an SGD (nesterov) state_dict is built from; `initialLr` null leaves `initial_lr` out (YOLOX's scheduler sets none). */
export interface SgdStateParts {
  groups: OptimizerGroup[];
  /** Momentum buffer per parameter name (absent before the first step). */
  momentum: Map<string, TorchTensor> | null;
  lr: number;
  momentumFactor: number;
  initialLr: number | null;
}

/** The optimizer's state_dict as torch.optim.SGD (nesterov) returns it. */
export function sgdStateDict(p: SgdStateParts): Map<string, unknown> {
  const state = new Map<number, unknown>();
  const groups: Map<string, unknown>[] = [];
  let index = 0;
  for (const g of p.groups) {
    const ids: number[] = [];
    for (const name of g.names) {
      const buf = p.momentum?.get(name);
      if (buf) state.set(index, new Map([['momentum_buffer', buf]]));
      ids.push(index++);
    }
    groups.push(new Map<string, unknown>([
      ['weight_decay', new PyFloat(g.weight_decay)], ['lr', new PyFloat(p.lr)], ['momentum', new PyFloat(p.momentumFactor)],
      ['dampening', 0], ['nesterov', true], ['maximize', false], ['foreach', null], ['differentiable', false],
      ...(p.initialLr === null ? [] : [['initial_lr', new PyFloat(p.initialLr)] as [string, unknown]]), ['params', ids],
    ]));
  }
  return new Map<string, unknown>([['state', state], ['param_groups', groups]]);
}

function optimizerState(p: ClassifierCheckpointParts): Map<string, unknown> {
  return sgdStateDict(p);
}

/** Writes the checkpoint atomically (the writer renames a temporary file). */
export async function writeClassifierCheckpoint(file: string, p: ClassifierCheckpointParts): Promise<void> {
  const args = new PickleObject('argparse', 'Namespace');
  args.state = { ...p.args };
  await writeTorchCheckpoint(file, {
    epoch: p.epoch,
    arch: p.arch,
    state_dict: p.params,
    optimizer: optimizerState(p),
    version: 2,
    args,
    state_dict_ema: p.ema,
    metric: p.metric === null ? null : new PyFloat(p.metric),
  });
}
