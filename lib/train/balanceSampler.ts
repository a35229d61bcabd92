/**
 * BalanceSamplerV2 (docs/ALGORITHMS.md §9.5): the batch composition of ConvNeXt training, every
 * epoch precomputed at construction from numpy's global legacy stream seeded once.
 */
import { RsnaMammoError } from '../errors';
import { LegacyRandomState } from '../data/mt19937';
import { numpyLinspace } from '../metrics/thresholdSweep';

export interface BalanceSamplerOptions {
  batchSize: number;
  /** Epochs of the linear ratio schedule (used only when startRatio ≠ endRatio). */
  numSchedEpochs: number;
  /** Epochs precomputed (35 in the original). */
  numEpochs: number;
  startRatio: number;
  endRatio: number;
  /** Force at least one positive per batch when the ratio would give fewer. */
  onePosMode: boolean;
  seed: number;
}

/** The original's defaults from the training command (§9.2). */
export const EXP7_SAMPLER: Readonly<Omit<BalanceSamplerOptions, 'batchSize'>> = Object.freeze({
  numSchedEpochs: 10,
  numEpochs: 35,
  startRatio: 0.1429,
  endRatio: 0.1429,
  onePosMode: true,
  seed: 42,
});

/** The per-epoch positive ratios of §9.5.1. */
export function samplerRatios(o: Pick<BalanceSamplerOptions, 'numSchedEpochs' | 'numEpochs' | 'startRatio' | 'endRatio'>): number[] {
  if (o.startRatio === o.endRatio) return new Array<number>(o.numEpochs).fill(o.startRatio);
  if (o.numSchedEpochs > o.numEpochs) {
    throw new RsnaMammoError('ERR_SAMPLER', `num_sched_epochs ${o.numSchedEpochs} exceeds num_epochs ${o.numEpochs}`);
  }
  const sched = numpyLinspace(o.startRatio, o.endRatio, o.numSchedEpochs);
  return sched.concat(new Array<number>(o.numEpochs - o.numSchedEpochs).fill(o.endRatio));
}

/**
 * Index lists of every epoch (the DataLoader order: batch after batch).
 * @param labels one label per dataset row; > 0 is positive, == 0 negative (others belong to neither)
 * @throws RsnaMammoError ERR_SAMPLER for options the original cannot run with (no batch, no positive)
 */
export function balanceSamplerEpochs(labels: ArrayLike<number>, o: BalanceSamplerOptions): number[][] {
  for (const [name, v, min] of [['batch size', o.batchSize, 1], ['num_epochs', o.numEpochs, 1], ['num_sched_epochs', o.numSchedEpochs, 1]] as const) {
    if (!Number.isInteger(v) || v < min) throw new RsnaMammoError('ERR_SAMPLER', `${name} must be an integer >= ${min}, got ${v}`);
  }
  for (const r of [o.startRatio, o.endRatio]) {
    if (!Number.isFinite(r) || r < 0) throw new RsnaMammoError('ERR_SAMPLER', `ratios must be finite and >= 0, got ${r}`);
  }
  const rng = new LegacyRandomState(o.seed);
  const pos: number[] = [];
  const neg: number[] = [];
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (Number.isNaN(v)) throw new RsnaMammoError('ERR_SAMPLER', `label ${i} is NaN`);
    if (v > 0) pos.push(i);
    else if (v === 0) neg.push(i);
  }
  return samplerRatios(o).map((ratio) => epochIndices(ratio, pos, neg, o, rng));
}

/** One epoch of §9.5.2, consuming the stream in the original's order. */
function epochIndices(ratio: number, pos: readonly number[], neg: readonly number[], o: BalanceSamplerOptions, rng: LegacyRandomState): number[] {
  const numNeg = neg.length;
  let numPos = Math.trunc(ratio * numNeg);
  const iters = Math.floor((numPos + numNeg) / o.batchSize);
  if (iters < 1) throw new RsnaMammoError('ERR_SAMPLER', `ratio ${ratio} with ${numNeg} negatives gives no batch of ${o.batchSize}`);
  numPos = iters * o.batchSize - numNeg;
  let perIter = Math.floor(numPos / iters);
  if (numPos < 0 && !o.onePosMode) throw new RsnaMammoError('ERR_SAMPLER', `ratio ${ratio} gives a negative positive count (${numPos})`);
  if (perIter < 1 && o.onePosMode) {
    perIter = 1;
    numPos = iters;
  }
  if (numPos > 0 && pos.length === 0) throw new RsnaMammoError('ERR_SAMPLER', `an epoch needs ${numPos} positives but the labels have none`);
  const pool: number[] = [];
  while (pool.length < numPos) {
    const copy = pos.slice();
    rng.shuffle(copy);
    for (const v of copy) pool.push(v);
  }
  const batches: number[][] = [];
  for (let i = 0; i < iters; i++) batches.push(pool.slice(i * perIter, (i + 1) * perIter));
  const end = iters * perIter;
  const remain = Math.max(numPos - end, 0);
  const extra = rng.choiceNoReplace(iters, remain);
  for (let i = 0; i < remain; i++) batches[extra[i]].push(pool[end + i]);
  const negPool = neg.slice();
  rng.shuffle(negPool);
  let cur = 0;
  for (const b of batches) {
    const take = o.batchSize - b.length;
    if (take < 0 || cur + take > negPool.length) {
      throw new RsnaMammoError('ERR_SAMPLER', `ratio ${ratio}: batch cannot be filled (${b.length} positives, ${negPool.length - cur} negatives left)`);
    }
    for (let k = 0; k < take; k++) b.push(negPool[cur + k]);
    cur += take;
  }
  return batches.flat();
}
