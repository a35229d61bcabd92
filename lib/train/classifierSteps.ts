/**
 * `rsna-mammo train steps classifier`: K ConvNeXt training steps on one fixed batch with the native
 * trainer (`steps-classifier`), for step-exact checks against the original (ALGORITHMS.md §9.2, §9.7,
 * §9.9). The init checkpoint is read here (torch reader), handed to the executable as flat float32 +
 * layout, and the result is written back as a timm CheckpointSaver checkpoint.
 */
import fs from 'fs';
import path from 'path';
import { RsnaMammoError } from '../errors';
import { TorchTensor } from '../models/torch/pickle_values';
import { writeClassifierCheckpoint, OptimizerGroup } from './classifierCheckpoint';
import { convnextShapeOf, readClassifierStateDict, readLayout, readNamedFlat, writeNamedFlat } from './convnextWeights';
import { runTrainExecutable, TrainEvent } from './executable';
import { DistOptions, isMainNode, runDistributed } from './distLaunch';

export interface ClassifierStepsOptions {
  init: string;
  /** uint8 [N,C,H,W] file. */
  input: string;
  shape: number[];
  targets: number[];
  smoothing: number;
  lr: number;
  steps: number;
  emaDecays?: number[];
  weightDecay?: number;
  momentum?: number;
  drop?: number;
  dropPath?: number;
  /** torch.manual_seed right before the first forward (drop masks from the default generator). */
  seed?: number;
  /** Recorded keep masks in call order: float32 file, or JSON (an array of {keep} events or nested arrays). */
  masks?: string;
  threads?: number;
  /** `epoch` stored in the checkpoint. */
  epoch?: number;
  initialLr?: number;
  out: string;
  onEvent?: (e: TrainEvent) => void;
  /** Data-parallel ranks (distLaunch.ts): the batch is split across them; only node 0 writes outputs. */
  dist?: DistOptions | null;
}

export interface ClassifierStepsResult {
  losses: number[];
  logits: number[][];
  checkpoint: string;
  outDir: string;
}

function flattenNumbers(v: unknown, out: number[]): void {
  if (typeof v === 'number') out.push(v);
  else if (Array.isArray(v)) for (const x of v) flattenNumbers(x, out);
  else if (v && typeof v === 'object' && 'keep' in v) flattenNumbers((v as { keep: unknown }).keep, out);
}

/** The masks as a float32 file the executable reads (JSON is flattened in call order). */
function prepareMasks(file: string, tmpDir: string): string {
  if (!file.endsWith('.json')) return file;
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new RsnaMammoError('ERR_BAD_MASKS', `not readable JSON: ${(err as Error).message}`, { file });
  }
  const values: number[] = [];
  flattenNumbers(parsed, values);
  if (values.some((v) => v !== 0 && v !== 1)) throw new RsnaMammoError('ERR_BAD_MASKS', 'keep masks must be 0/1', { file });
  const out = path.join(tmpDir, 'masks.bin');
  fs.writeFileSync(out, Buffer.from(Float32Array.from(values).buffer));
  return out;
}

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

/** Runs the steps; writes DIR/losses.json, params_after_step{k}.bin, grads_step1.bin, momentum.bin, ema*.bin, checkpoint.pth.tar. */
export async function runClassifierSteps(o: ClassifierStepsOptions): Promise<ClassifierStepsResult> {
  const sd = await readClassifierStateDict(o.init);
  const shape = convnextShapeOf(sd, o.init);
  fs.mkdirSync(o.out, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(o.out, '.init-'));
  try {
    const flat = path.join(tmp, 'init.bin');
    const layout = path.join(tmp, 'init_layout.txt');
    writeNamedFlat(sd, flat, layout);
    const emaDecays = o.emaDecays ?? [0.9998];
    const args = [
      '--depths', shape.depths.join(','), '--dims', shape.dims.join(','), '--in-chans', String(shape.inChans),
      '--num-classes', String(shape.numClasses), '--init-params', flat, '--init-layout', layout,
      '--input', o.input, '--shape', o.shape.join(','), '--targets', o.targets.join(','),
      '--smoothing', String(o.smoothing), '--lr', String(o.lr), '--steps', String(o.steps),
      '--ema-decay', emaDecays.join(','), '--weight-decay', String(o.weightDecay ?? 2e-5),
      '--momentum', String(o.momentum ?? 0.9), '--drop', String(o.drop ?? 0), '--drop-path', String(o.dropPath ?? 0),
      '--out', o.out,
    ];
    if (o.seed !== undefined) args.push('--seed', String(o.seed));
    if (o.masks) args.push('--masks', prepareMasks(o.masks, tmp));
    if (o.threads) args.push('--threads', String(o.threads));
    if (o.dist) {
      await runDistributed('steps-classifier', args, o.dist, { onEvent: o.onEvent });
      if (!isMainNode(o.dist)) return { losses: [], logits: [], checkpoint: '', outDir: o.out };
    } else {
      await runTrainExecutable('steps-classifier', args, { onEvent: o.onEvent });
    }

    const summary = readJson<{ losses: number[]; logits: number[][] }>(path.join(o.out, 'losses.json'));
    const named = readLayout(path.join(o.out, 'param_layout.txt'));
    const params = readNamedFlat(path.join(o.out, `params_after_step${o.steps}.bin`), named);
    const ema = readNamedFlat(path.join(o.out, 'ema.bin'), named);
    const momentum = readNamedFlat(path.join(o.out, 'momentum.bin'), named);
    const groups = readJson<OptimizerGroup[]>(path.join(o.out, 'optimizer_groups.json'));
    const checkpoint = path.join(o.out, 'checkpoint.pth.tar');
    await writeClassifierCheckpoint(checkpoint, {
      epoch: o.epoch ?? 0,
      arch: `convnext(depths=${shape.depths.join(',')},dims=${shape.dims.join(',')})`,
      params,
      ema,
      momentum: momentum as Map<string, TorchTensor>,
      groups,
      lr: o.lr,
      initialLr: o.initialLr ?? o.lr,
      momentumFactor: o.momentum ?? 0.9,
      metric: null,
      args: { lr: o.lr, smoothing: o.smoothing, drop: o.drop ?? 0, drop_path: o.dropPath ?? 0, weight_decay: o.weightDecay ?? 2e-5,
        model_ema_decay: emaDecays[0], num_classes: shape.numClasses, gp: 'max', opt: 'sgd', momentum: o.momentum ?? 0.9 },
    });
    return { losses: summary.losses, logits: summary.logits, checkpoint, outDir: o.out };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
