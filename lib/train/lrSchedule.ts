/**
 * timm's CosineLRScheduler as the ConvNeXt training configures it (docs/ALGORITHMS.md §9.8): stepped
 * per epoch, lr of epoch e = `_get_lr(e)`, float64 in the same operation order as timm 0.8.
 */
import { cosCorrectlyRounded } from './exactCos';

export interface CosineSchedule {
  /** Base (peak) lr = `--lr`. */
  lr: number;
  /** `--warmup-lr`, the lr of epoch 0. */
  warmupLrInit: number;
  /** `--min-lr`. */
  lrMin: number;
  /** t_initial = `--epochs`. */
  tInitial: number;
  /** `--warmup-epochs`. */
  warmupT: number;
  /** Epochs after t_initial at lr_min (`--cooldown-epochs`). */
  cooldownEpochs: number;
  warmupPrefix?: boolean;
  /** cycle_limit (1: one cosine cycle, lr_min afterwards). */
  cycleLimit?: number;
  /** cycle_decay, the per-cycle gamma (timm default 0.1; no effect with one cycle). */
  cycleDecay?: number;
  kDecay?: number;
}

/** `_get_lr(t)` with cycle_mul 1 and no noise. */
export function cosineLrAt(s: CosineSchedule, t: number): number {
  if (s.warmupT > 0 && t < s.warmupT) {
    const step = (s.lr - s.warmupLrInit) / s.warmupT;
    return s.warmupLrInit + t * step;
  }
  const tt = s.warmupPrefix ? t - s.warmupT : t;
  const i = Math.floor(tt / s.tInitial);
  const tCurr = tt - s.tInitial * i;
  const gamma = (s.cycleDecay ?? 0.1) ** i;
  const lrMax = s.lr * gamma;
  const k = s.kDecay ?? 1;
  if (i < (s.cycleLimit ?? 1)) {
    return s.lrMin + 0.5 * (lrMax - s.lrMin) * (1 + cosCorrectlyRounded((Math.PI * tCurr ** k) / s.tInitial ** k));
  }
  return s.lrMin;
}

/** Number of epochs trained: `get_cycle_length() + cooldown` (t_initial + warmup with warmup_prefix). */
export function scheduleEpochs(s: CosineSchedule): number {
  return s.tInitial + (s.warmupPrefix ? s.warmupT : 0) + s.cooldownEpochs;
}

/** The lr in the optimizer during each epoch 0 … scheduleEpochs − 1. */
export function perEpochLr(s: CosineSchedule): number[] {
  return Array.from({ length: scheduleEpochs(s) }, (_, e) => cosineLrAt(s, e));
}
