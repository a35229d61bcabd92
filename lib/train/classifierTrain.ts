/**
 * `rsna-mammo train classifier`: one ConvNeXt training step of the plan (ALGORITHMS.md §9.3) with the
 * native epoch loop (`train-classifier`). This side prepares the inputs (sample lists, the sampler's
 * epochs §9.5, the per-epoch lr §9.8, init weights), and turns every validation dump of the executable
 * into results/pred_{label}.csv, a summary.csv row (§6 metrics by lib/metrics), checkpoint-{label}.pth.tar,
 * last.pth.tar and model_best.pth.tar (gbmean_best_pfbeta, §9.10). --resume continues after the last
 * finished epoch (state in .native/resume.bin) and first finishes any dump left by a killed run.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { columnIndex, readCsv, writeCsvAtomic } from '../data/csv';
import { RsnaMammoError } from '../errors';
import { evaluatePredictions } from '../metrics/evaluate';
import { PredictionRow } from '../metrics/reducers';
import { TorchTensor } from '../models/torch/pickle_values';
import { Settings } from '../settings';
import { balanceSamplerEpochs, EXP7_SAMPLER } from './balanceSampler';
import { readClassifierData, ClassifierData } from './classifierData';
import { OptimizerGroup, writeClassifierCheckpoint } from './classifierCheckpoint';
import { convnextShapeOf, readClassifierStateDict, readLayout, readNamedFlat, writeNamedFlat } from './convnextWeights';
import { DistOptions, isMainNode, runDistributed } from './distLaunch';
import { runTrainExecutable, TrainEvent } from './executable';
import { COMMON_HYPERPARAMETERS, ReproduceMode, stepData, trainingPlan, TrainStep } from './plan';

export const SELECTION_METRIC = 'gbmean_best_pfbeta';
const CONVNEXT_SMALL = { depths: [3, 3, 27, 3], dims: [96, 192, 384, 768] };

export interface ClassifierTrainOptions {
  step: number;
  settings: Settings;
  mode?: ReproduceMode;
  /** Validation fold (default: the plan step's). */
  fold?: number;
  /** Weights to start from (EMA of a checkpoint when present). Default: the plan's (steps 5/6). */
  init?: string;
  /** Train only the first N epochs of the step's schedule. */
  epochs?: number;
  device?: 'cpu' | 'cuda';
  resume?: boolean;
  /** Output folder (default: the plan's experiment folder). */
  out?: string;
  /** Model size without --init (default convnext_small); must match the init checkpoint when both are given. */
  depths?: number[];
  dims?: number[];
  imageSize?: [number, number];
  batchSize?: number;
  valBatchSize?: number;
  maxItersPerEpoch?: number;
  threads?: number;
  loaderThreads?: number;
  /** Include the external datasets (§9.4; default true). */
  external?: boolean;
  seed?: number;
  /** Head dropout and drop-path rates (default the recipe's 0.5 and 0.2, §9.2); 0 makes a run deterministic across rank counts. */
  drop?: number;
  dropPath?: number;
  /** Overrides the plan's dense-checkpoint epochs (§9.10.2), e.g. to exercise them in a short run. */
  denseEpochs?: number[];
  /**
   * Data-parallel ranks (distLaunch.ts, ALGORITHMS.md §9.11): each global batch of `batchSize` rows is split
   * across them, so the run equals the single-process one; only global rank 0 (node 0) writes outputs.
   */
  dist?: DistOptions | null;
  /** Progress event every N updates (default 50). */
  logEvery?: number;
  onEvent?: (e: TrainEvent) => void;
  onLog?: (text: string) => void;
  signal?: AbortSignal;
  killSignal?: NodeJS.Signals;
}

export interface ClassifierTrainResult {
  outDir: string;
  labels: string[];
  best: { label: string; metric: number } | null;
}

/** Shortest decimal that reads back as the same float32 (what numpy prints for float32 values). */
function f32Text(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  for (let p = 1; p <= 9; p++) {
    const s = Number(v.toPrecision(p));
    if (Math.fround(s) === v) return String(s);
  }
  return String(v);
}

interface SummaryRow {
  label: string;
  value: number;
  cells: Record<string, string>;
}

class RunOutputs {
  readonly results: string;
  private summary: SummaryRow[] = [];
  private header: string[] = [];
  best: { label: string; metric: number } | null = null;

  constructor(readonly out: string, private readonly data: ClassifierData, private readonly step: TrainStep, private readonly args: Record<string, unknown>) {
    this.results = path.join(out, 'results');
    fs.mkdirSync(this.results, { recursive: true });
    const file = path.join(out, 'summary.csv');
    if (fs.existsSync(file)) {
      const t = readCsv(file);
      this.header = t.header;
      for (const r of t.rows) {
        const cells = Object.fromEntries(t.header.map((h, i) => [h, r[i]]));
        this.summary.push({ label: cells.epoch, value: Number(cells.epoch), cells });
        const m = Number(cells[`eval_${SELECTION_METRIC}`]);
        if (!this.best || m > this.best.metric) this.best = { label: cells.epoch, metric: m };
      }
    }
  }

  /** Turns one complete dump folder into pred CSV, summary row and checkpoints, then removes it. */
  async consume(dir: string): Promise<string> {
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as {
      label: string; value: number; final: boolean; lr: number; trainLoss: number | null;
    };
    const preds = new Map<number, number>();
    for (const line of fs.readFileSync(path.join(dir, 'preds.tsv'), 'utf8').split('\n')) {
      if (!line) continue;
      const [row, p] = line.split('\t');
      preds.set(Number(row), p === 'null' ? NaN : Number(p));
    }
    // Before metrics, as the original: NaN → 1, +inf → 1, −inf → 0 (§6.6).
    const clean = (p: number) => (Number.isNaN(p) || p === Infinity ? 1 : p === -Infinity ? 0 : p);
    const t = this.data.valTable;
    const idx = columnIndex(t, ['site_id', 'patient_id', 'laterality', 'cancer'], this.data.valCsv);
    const csvRows: string[][] = [];
    const metricRows: PredictionRow[] = [];
    t.rows.forEach((r, i) => {
      if (!preds.has(i)) return; // unreadable image: logged by the trainer, left out
      const p = preds.get(i)!;
      csvRows.push([...r, f32Text(p), r[idx.cancer], '1.0']);
      metricRows.push({ siteId: Number(r[idx.site_id]), patientId: r[idx.patient_id], laterality: r[idx.laterality], target: Number(r[idx.cancer]), pred: clean(p) });
    });
    writeCsvAtomic(path.join(this.results, `pred_${meta.label}.csv`), [...t.header, 'preds', 'targets', 'sample_weights'], csvRows);
    const metrics = evaluatePredictions(metricRows);
    const cells: Record<string, string> = { epoch: meta.label, train_loss: String(meta.trainLoss ?? NaN) };
    for (const [k, v] of Object.entries(metrics)) cells[`eval_${k}`] = String(v);
    cells.lr = String(meta.lr);
    this.summary = this.summary.filter((s) => s.label !== meta.label);
    this.summary.push({ label: meta.label, value: meta.value, cells });
    this.summary.sort((a, b) => a.value - b.value);
    this.header = Object.keys(cells);
    writeCsvAtomic(path.join(this.out, 'summary.csv'), this.header, this.summary.map((s) => this.header.map((h) => s.cells[h] ?? '')));

    const layout = readLayout(path.join(dir, 'param_layout.txt'));
    const metric = metrics[SELECTION_METRIC];
    const ckpt = path.join(this.out, `checkpoint-${meta.label}.pth.tar`);
    await writeClassifierCheckpoint(ckpt, {
      epoch: Number(meta.label),
      arch: this.args.model as string,
      params: readNamedFlat(path.join(dir, 'params.bin'), layout),
      ema: readNamedFlat(path.join(dir, 'ema.bin'), layout),
      momentum: readNamedFlat(path.join(dir, 'momentum.bin'), layout) as Map<string, TorchTensor>,
      groups: JSON.parse(fs.readFileSync(path.join(dir, 'optimizer_groups.json'), 'utf8')) as OptimizerGroup[],
      lr: meta.lr,
      initialLr: this.step.base_lr,
      momentumFactor: 0.9,
      metric,
      args: this.args,
    });
    fs.copyFileSync(ckpt, path.join(this.out, 'last.pth.tar.tmp'));
    fs.renameSync(path.join(this.out, 'last.pth.tar.tmp'), path.join(this.out, 'last.pth.tar'));
    if (!this.best || metric > this.best.metric || this.best.label === meta.label) {
      this.best = { label: meta.label, metric };
      fs.copyFileSync(ckpt, path.join(this.out, 'model_best.pth.tar.tmp'));
      fs.renameSync(path.join(this.out, 'model_best.pth.tar.tmp'), path.join(this.out, 'model_best.pth.tar'));
    }
    fs.rmSync(dir, { recursive: true, force: true });
    return meta.label;
  }
}

function planStep(o: ClassifierTrainOptions): TrainStep {
  const plan = trainingPlan(o.mode ?? 'fully_reproduce', o.settings);
  const step = plan.find((s) => s.step === o.step);
  if (!step) throw new RsnaMammoError('ERR_INVALID_ARGUMENT', `--step must be 1..${plan.length}, got ${o.step}`);
  return step;
}

/** Runs (or resumes) the training; resolves when every epoch is validated and checkpointed. */
export async function trainClassifier(o: ClassifierTrainOptions): Promise<ClassifierTrainResult> {
  const step = planStep(o);
  const fold = o.fold ?? step.fold;
  const out = o.out ?? step.outputDir;
  const main = isMainNode(o.dist);
  // Another machine of a multi-node run keeps its (identical) inputs out of the shared output folder.
  const work = main ? path.join(out, '.native') : fs.mkdtempSync(path.join(os.tmpdir(), `rsna-mammo-train-node${o.dist?.nodeRank}-`));
  if (main && fs.existsSync(out) && !o.resume && fs.readdirSync(out).length > 0) {
    throw new RsnaMammoError('ERR_OUTPUT_EXISTS', 'the output folder exists (the original refuses too); use --resume to continue it', { file: out });
  }
  const epochs = o.epochs ?? step.lr.length;
  if (!Number.isInteger(epochs) || epochs < 1 || epochs > step.lr.length) {
    throw new RsnaMammoError('ERR_INVALID_ARGUMENT', `--epochs must be 1..${step.lr.length} for step ${step.step}`);
  }
  const data = readClassifierData(fold === step.fold ? step.data : stepData(o.mode ?? 'fully_reproduce', fold, o.settings), o.external ?? true);
  for (const m of data.missingExternal) o.onLog?.(`warning: external labels ${m} absent: trained without that dataset\n`);
  if (data.train.length === 0 || data.val.length === 0) throw new RsnaMammoError('ERR_EMPTY_DATASET', `fold ${fold}: empty training or validation set`, { file: data.valCsv });

  // Init weights and model size.
  const initFile = o.init ?? (step.init.kind === 'checkpoint' ? step.init.checkpoint : undefined);
  let depths = o.depths ?? CONVNEXT_SMALL.depths;
  let dims = o.dims ?? CONVNEXT_SMALL.dims;
  fs.mkdirSync(work, { recursive: true });
  const nativeArgs: string[] = [];
  if (initFile) {
    const sd = await readClassifierStateDict(initFile);
    const shape = convnextShapeOf(sd, initFile);
    if ((o.depths && o.depths.join() !== shape.depths.join()) || (o.dims && o.dims.join() !== shape.dims.join())) {
      throw new RsnaMammoError('ERR_SHAPE_MISMATCH', `holds depths ${shape.depths} dims ${shape.dims}, the run asks for depths ${depths} dims ${dims}`, { file: initFile });
    }
    if (shape.inChans !== 3) {
      throw new RsnaMammoError('ERR_SHAPE_MISMATCH', `has ${shape.inChans} input channels, the classifier needs 3`, { file: initFile });
    }
    if (shape.numClasses !== 1) {
      // A pretrained ImageNet model (e.g. convnext_small.fb_in22k_ft_in1k_384): as timm's pretrained
      // loading with num_classes 1, its classifier is dropped and head.fc keeps the fresh init.
      sd.delete('head.fc.weight');
      sd.delete('head.fc.bias');
      nativeArgs.push('--init-fresh', 'head.fc.weight,head.fc.bias');
      o.onLog?.(`note: ${initFile} has a ${shape.numClasses}-class head: head.fc is initialised fresh (1 class)\n`);
    }
    depths = shape.depths;
    dims = shape.dims;
    writeNamedFlat(sd, path.join(work, 'init.bin'), path.join(work, 'init_layout.txt'));
    nativeArgs.push('--init-params', path.join(work, 'init.bin'), '--init-layout', path.join(work, 'init_layout.txt'));
  } else {
    o.onLog?.(`warning: no --init weights (the original starts steps 1-4 from ImageNet ${COMMON_HYPERPARAMETERS.model}): timm-style random init\n`);
  }

  const batchSize = o.batchSize ?? COMMON_HYPERPARAMETERS.batch_size;
  const sampler = balanceSamplerEpochs(data.train.map((s) => s.target), { ...EXP7_SAMPLER, batchSize });
  if (sampler.length < epochs) throw new RsnaMammoError('ERR_INVALID_ARGUMENT', `the sampler precomputes ${sampler.length} epochs, ${epochs} requested`);
  const tsv = (list: { png: string; target: number }[]) => list.map((s) => `${s.png}\t${s.target}`).join('\n') + '\n';
  fs.writeFileSync(path.join(work, 'train.tsv'), tsv(data.train));
  fs.writeFileSync(path.join(work, 'val.tsv'), tsv(data.val));
  fs.writeFileSync(path.join(work, 'epochs.txt'), sampler.slice(0, epochs).map((e) => e.join(',')).join('\n') + '\n');
  fs.writeFileSync(path.join(work, 'lr.txt'), step.lr.slice(0, epochs).map(String).join('\n') + '\n');
  const [h, w] = o.imageSize ?? [COMMON_HYPERPARAMETERS.input_size[1], COMMON_HYPERPARAMETERS.input_size[2]];
  const args: Record<string, unknown> = {
    model: depths.join() === CONVNEXT_SMALL.depths.join() && dims.join() === CONVNEXT_SMALL.dims.join() ? COMMON_HYPERPARAMETERS.model : `convnext(depths=${depths},dims=${dims})`,
    num_classes: 1, gp: 'max', lr: step.base_lr, warmup_lr: step.warmup_lr, min_lr: step.min_lr, epochs: step.epochs,
    warmup_epochs: step.warmup_epochs, cooldown_epochs: step.cooldown_epochs, smoothing: step.smoothing, batch_size: batchSize,
    drop: o.drop ?? COMMON_HYPERPARAMETERS.drop, drop_path: o.dropPath ?? COMMON_HYPERPARAMETERS.drop_path, weight_decay: COMMON_HYPERPARAMETERS.weight_decay,
    momentum: 0.9, opt: 'sgd', model_ema: true, model_ema_decay: COMMON_HYPERPARAMETERS.model_ema_decay, eval_metric: SELECTION_METRIC, seed: o.seed ?? 42,
    fold, input_size: [3, h, w], initial_checkpoint: initFile ?? '', device: o.device ?? 'cpu',
  };
  nativeArgs.push(
    '--depths', depths.join(','), '--dims', dims.join(','), '--drop', String(args.drop), '--drop-path', String(args.drop_path),
    '--smoothing', String(step.smoothing), '--weight-decay', String(args.weight_decay), '--momentum', '0.9', '--ema-decay', String(COMMON_HYPERPARAMETERS.model_ema_decay),
    '--batch-size', String(batchSize), '--val-batch-size', String(o.valBatchSize ?? COMMON_HYPERPARAMETERS.validation_batch_size),
    '--out-h', String(h), '--out-w', String(w),
    '--train-list', path.join(work, 'train.tsv'), '--val-list', path.join(work, 'val.tsv'),
    '--epochs-file', path.join(work, 'epochs.txt'), '--lr-file', path.join(work, 'lr.txt'),
    '--dense-epochs', (o.denseEpochs ?? step.dense_epochs).filter((e) => e < epochs).join(','), '--dense-bins', String(step.dense_bins),
    '--device', o.device ?? 'cpu', '--seed', String(o.seed ?? 42), '--work-dir', work,
  );
  if (o.device === 'cuda') nativeArgs.push('--amp');
  if (o.resume) nativeArgs.push('--resume');
  if (o.threads) nativeArgs.push('--threads', String(o.threads));
  if (o.loaderThreads) nativeArgs.push('--loader-threads', String(o.loaderThreads));
  if (o.logEvery) nativeArgs.push('--log-every', String(o.logEvery));
  if (o.maxItersPerEpoch) nativeArgs.push('--max-iters', String(o.maxItersPerEpoch));

  if (!main) {
    try {
      await runDistributed('train-classifier', nativeArgs, o.dist!, { signal: o.signal, killSignal: o.killSignal, onEvent: o.onEvent, onLog: o.onLog });
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
    return { outDir: out, labels: [], best: null };
  }
  const outputs = new RunOutputs(out, data, step, args);
  const labels: string[] = [];
  // A killed run may have left dumps: complete ones (meta.json) are finished first, partial ones dropped.
  const dumps = path.join(work, 'dumps');
  if (fs.existsSync(dumps)) {
    const left = fs.readdirSync(dumps).map((d) => path.join(dumps, d));
    const complete = left.filter((d) => fs.existsSync(path.join(d, 'meta.json'))).sort((a, b) => Number(path.basename(a)) - Number(path.basename(b)));
    for (const d of left) if (!complete.includes(d)) fs.rmSync(d, { recursive: true, force: true });
    for (const d of complete) labels.push(await outputs.consume(d));
  }

  let chain: Promise<void> = Promise.resolve();
  let failure: unknown = null;
  const log = fs.openSync(path.join(out, 'train.log'), 'a');
  try {
    const run = (opts: Parameters<typeof runTrainExecutable>[2]) =>
      o.dist ? runDistributed('train-classifier', nativeArgs, o.dist, opts) : runTrainExecutable('train-classifier', nativeArgs, opts);
    await run({
      signal: o.signal,
      killSignal: o.killSignal,
      onLog: (text) => {
        fs.writeSync(log, text);
        o.onLog?.(text);
      },
      onEvent: (e) => {
        fs.writeSync(log, `${JSON.stringify(e)}\n`);
        if (e.event === 'validated') {
          chain = chain.then(async () => {
            if (failure) return;
            try {
              labels.push(await outputs.consume(String(e.dir)));
            } catch (err) {
              failure = err;
            }
          });
        }
        o.onEvent?.(e);
      },
    });
  } finally {
    await chain;
    fs.closeSync(log);
  }
  if (failure) throw failure;
  return { outDir: out, labels, best: outputs.best };
}
