/**
 * The six ConvNeXt training steps of make_train_bash_script.py (docs/ALGORITHMS.md §9.1–9.3, §9.8,
 * §9.10, §12): names, folds, initialisation, dependencies, per-epoch lr and dense checkpoint epochs.
 */
import path from 'path';
import { classificationPaths } from '../data/datasetPaths';
import { DEFAULT_SETTINGS, Settings } from '../settings';
import { CosineSchedule, perEpochLr } from './lrSchedule';

export type ReproduceMode = 'fully_reproduce' | 'reproduce';
export const REPRODUCE_MODES: readonly ReproduceMode[] = ['fully_reproduce', 'reproduce'];

/** Where a step's weights come from before training. */
export type StepInit =
  | { kind: 'imagenet'; model: string }
  | { kind: 'checkpoint'; step: number; checkpoint: string; weights: 'state_dict_ema' };

/** One label table of a step and where its images are (`{patient_id}@{image_id}.png`, §9.4.1). */
export interface StepDataSource {
  dataset: string;
  labels: string;
  images: string;
}

export interface TrainStep {
  step: number;
  /** Validation fold k (trains on train_fold_k + all external data, §9.4). */
  fold: number;
  experiment: string;
  /** `{MODEL_CHECKPOINT_DIR}/timm_classification/{experiment}` (relative to the checkpoint dir unless resolved). */
  outputDir: string;
  /** The exp config file the original passes with -f. */
  config: string;
  init: StepInit;
  /** Steps that must finish before this one. */
  depends_on: number[];
  /** The hyper-parameters that differ between steps. */
  base_lr: number;
  warmup_lr: number;
  min_lr: number;
  epochs: number;
  warmup_epochs: number;
  cooldown_epochs: number;
  smoothing: number;
  /** BCE target of a positive, 1 − smoothing (§9.7). */
  positive_target: number;
  /** lr in the optimizer during epoch 0 … epochs + cooldown − 1. */
  lr: number[];
  /** `--dense-ckpt-epochs start end` as passed. */
  dense_range: [number, number];
  /** Epochs that really get an extra mid-epoch checkpoint (the range clipped to the trained epochs). */
  dense_epochs: number[];
  dense_bins: number;
  /** §9.4: RSNA train_fold_k then every external dataset (train); RSNA val_fold_k (validation). */
  data: { train: StepDataSource[]; val: StepDataSource };
}

/** What every step shares (§9.2). */
export const COMMON_HYPERPARAMETERS = Object.freeze({
  model: 'convnext_small.fb_in22k_ft_in1k_384',
  num_classes: 1,
  global_pool: 'max',
  input_size: [3, 2048, 1024] as const,
  batch_size: 8,
  validation_batch_size: 16,
  optimizer: 'sgd (nesterov, momentum 0.9)',
  weight_decay: 2e-5,
  sched: 'cosine (per epoch)',
  drop: 0.5,
  drop_path: 0.2,
  amp: 'native fp16',
  model_ema_decay: 0.9998,
  eval_metric: 'gbmean_best_pfbeta',
  checkpoint_hist: 100,
  seed: 42,
  sampler: { num_sched_epochs: 10, num_epochs: 35, start_ratio: 0.1429, end_ratio: 0.1429, one_pos_mode: true },
});

interface StepRow {
  step: number;
  fold: number;
  prefix: '' | 'stage1_' | 'stage2_';
  lr: string;
  warmupLr: string;
  minLr: string;
  epochs: number;
  warmup: number;
  smoothing: string;
  dense: [number, number];
  initFrom?: number;
}

// The values as the generated command spells them (parsed like argparse's float()).
const STEPS: readonly StepRow[] = [
  { step: 1, fold: 2, prefix: '', lr: '3e-3', warmupLr: '3e-5', minLr: '5e-5', epochs: 30, warmup: 4, smoothing: '0.1', dense: [10, 18] },
  { step: 2, fold: 3, prefix: '', lr: '3e-3', warmupLr: '3e-5', minLr: '5e-5', epochs: 30, warmup: 4, smoothing: '0.1', dense: [10, 18] },
  { step: 3, fold: 0, prefix: 'stage1_', lr: '1e-3', warmupLr: '1e-5', minLr: '1e-5', epochs: 24, warmup: 4, smoothing: '0.2', dense: [10, 18] },
  { step: 4, fold: 1, prefix: 'stage1_', lr: '1e-3', warmupLr: '1e-5', minLr: '1e-5', epochs: 24, warmup: 4, smoothing: '0.2', dense: [10, 18] },
  { step: 5, fold: 0, prefix: 'stage2_', lr: '1e-3', warmupLr: '1e-3', minLr: '5e-5', epochs: 16, warmup: 1, smoothing: '0.1', dense: [17, 18], initFrom: 3 },
  { step: 6, fold: 1, prefix: 'stage2_', lr: '1e-3', warmupLr: '1e-3', minLr: '5e-5', epochs: 16, warmup: 1, smoothing: '0.1', dense: [17, 18], initFrom: 4 },
];

/** The stage-2 steps start from this epoch's checkpoint of their stage-1 step. */
export const STAGE2_INIT_EPOCH = 24;
const COOLDOWN = 1;

/** External datasets appended to every step's training set, in the original's order (§9.4.1). */
export const EXTERNAL_DATASETS = ['bmcd', 'cddcesm', 'cmmd', 'miniddsm', 'vindr'] as const;
/** Datasets whose shipped label CSV (ASSETS_DIR/data/{name}_cleaned_label.csv) fully_reproduce uses (§9.1.1). */
const SHIPPED_LABELS: readonly string[] = ['bmcd', 'cmmd'];
const RSNA = 'rsna-breast-cancer-detection';

/** The label tables of a step for validation fold `fold`. */
export function stepData(mode: ReproduceMode, fold: number, settings: Settings): TrainStep['data'] {
  const rsna = classificationPaths(settings, RSNA);
  const cv = path.join(rsna.processedDir, 'cv', 'v2');
  const external = EXTERNAL_DATASETS.map((dataset): StepDataSource => {
    const p = classificationPaths(settings, dataset);
    const shipped = mode === 'fully_reproduce' && SHIPPED_LABELS.includes(dataset);
    return { dataset, labels: shipped ? path.join(p.assetsDataDir, `${dataset}_cleaned_label.csv`) : p.cleanedLabelFile, images: p.cleanedImagesDir };
  });
  return {
    train: [{ dataset: RSNA, labels: path.join(cv, `train_fold_${fold}.csv`), images: rsna.cleanedImagesDir }, ...external],
    val: { dataset: RSNA, labels: path.join(cv, `val_fold_${fold}.csv`), images: rsna.cleanedImagesDir },
  };
}

/** `fully_reproduce_train` / `reproduce_train` (§9.1.1). */
export function experimentPrefix(mode: ReproduceMode): string {
  return `${mode}_train`;
}

/** `{checkpointDir}/timm_classification/{experiment}`. */
export function experimentDir(checkpointDir: string, experiment: string): string {
  return path.join(checkpointDir, 'timm_classification', experiment);
}

/** The cosine schedule of one step as Exp.build_lr_scheduler builds it. */
export function stepSchedule(s: Pick<TrainStep, 'base_lr' | 'warmup_lr' | 'min_lr' | 'epochs' | 'warmup_epochs' | 'cooldown_epochs'>): CosineSchedule {
  return { lr: s.base_lr, warmupLrInit: s.warmup_lr, lrMin: s.min_lr, tInitial: s.epochs, warmupT: s.warmup_epochs, cooldownEpochs: s.cooldown_epochs };
}

/**
 * The six steps in the original's order.
 * @param settings directories (default: the original SETTINGS.json's relative paths)
 */
export function trainingPlan(mode: ReproduceMode, settings: Settings = DEFAULT_SETTINGS): TrainStep[] {
  const checkpointDir = settings.MODEL_CHECKPOINT_DIR;
  const prefix = experimentPrefix(mode);
  const name = (r: StepRow): string => `${r.prefix}${prefix}_fold_${r.fold}`;
  return STEPS.map((r) => {
    const experiment = name(r);
    const from = r.initFrom === undefined ? undefined : STEPS.find((x) => x.step === r.initFrom)!;
    const init: StepInit = from
      ? {
          kind: 'checkpoint',
          step: from.step,
          checkpoint: path.join(experimentDir(checkpointDir, name(from)), `checkpoint-${STAGE2_INIT_EPOCH}.pth.tar`),
          weights: 'state_dict_ema',
        }
      : { kind: 'imagenet', model: COMMON_HYPERPARAMETERS.model };
    const smoothing = Number(r.smoothing);
    const step: Omit<TrainStep, 'lr' | 'dense_epochs' | 'data'> = {
      step: r.step,
      fold: r.fold,
      experiment,
      outputDir: experimentDir(checkpointDir, experiment),
      config: mode === 'fully_reproduce' ? 'exp7_fully_reproduce.py' : 'exp7.py',
      init,
      depends_on: from ? [from.step] : [],
      base_lr: Number(r.lr),
      warmup_lr: Number(r.warmupLr),
      min_lr: Number(r.minLr),
      epochs: r.epochs,
      warmup_epochs: r.warmup,
      cooldown_epochs: COOLDOWN,
      smoothing,
      positive_target: 1 - smoothing,
      dense_range: r.dense,
      dense_bins: 2,
    };
    const lr = perEpochLr(stepSchedule(step));
    const dense: number[] = [];
    for (let e = r.dense[0]; e <= r.dense[1] && e < lr.length; e++) dense.push(e);
    return { ...step, lr, dense_epochs: dense, data: stepData(mode, r.fold, settings) };
  });
}
