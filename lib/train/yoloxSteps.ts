/**
 * `rsna-mammo train steps yolox`: K YOLOX training steps on one fixed batch with the native trainer
 * (`steps-yolox`), for step-exact checks against the original (ALGORITHMS.md §10.4): loss terms,
 * SimOTA matching, gradients, the state after the steps.
 */
import fs from 'fs';
import path from 'path';
import { invalidArgument } from '../errors';
import { runTrainExecutable, TrainEvent } from './executable';
import { readYoloxCheckpoint, writeYoloxFlatState, yoloxArchArgs } from './yoloxWeights';

export interface YoloxStepsOptions {
  /** YOLOX checkpoint (`model` = the weights). */
  init: string;
  /** uint8 [N,3,H,W] (the float model input values, 0..255). */
  images: string;
  shape: number[];
  /** float32 [N, max_labels, 5] = cls, cx, cy, w, h in pixels; all-zero rows are padding. */
  targets: string;
  lr: number;
  steps: number;
  useL1?: boolean;
  weightDecay?: number;
  momentum?: number;
  threads?: number;
  out: string;
  onEvent?: (e: TrainEvent) => void;
}

export interface YoloxLosses {
  total_loss: number;
  iou_loss: number;
  conf_loss: number;
  cls_loss: number;
  l1_loss: number;
  num_fg: number;
}

export interface YoloxStepsResult {
  losses: YoloxLosses;
  outDir: string;
  /** DIR/state_after_step{K}.bin (+ state_layout.txt beside it). */
  stateFile: string;
}

/** Runs the steps; see the CLI usage for the files written. */
export async function runYoloxSteps(o: YoloxStepsOptions): Promise<YoloxStepsResult> {
  if (o.shape.length !== 4 || o.shape[1] !== 3) throw invalidArgument('shape', 'N,3,H,W', o.shape.join(','));
  if (!Number.isInteger(o.steps) || o.steps < 1) throw invalidArgument('steps', 'an integer >= 1', o.steps);
  if (!(o.lr >= 0)) throw invalidArgument('lr', 'a number >= 0', o.lr);
  const init = await readYoloxCheckpoint(o.init);
  fs.mkdirSync(o.out, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(o.out, '.init-'));
  try {
    const flat = path.join(tmp, 'init_state.bin');
    const layout = path.join(tmp, 'init_layout.txt');
    writeYoloxFlatState(init.stateDict, flat, layout);
    const args = [
      '--state', flat, '--layout', layout, '--images', o.images, '--shape', o.shape.join(','), '--targets', o.targets,
      '--lr', String(o.lr), '--steps', String(o.steps), '--out', o.out,
      '--weight-decay', String(o.weightDecay ?? 5e-4), '--momentum', String(o.momentum ?? 0.9),
      ...yoloxArchArgs(init.config),
      ...(o.useL1 ? ['--use-l1'] : []),
      ...(o.threads ? ['--threads', String(o.threads)] : []),
    ];
    await runTrainExecutable('steps-yolox', args, { onEvent: o.onEvent });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const losses = JSON.parse(fs.readFileSync(path.join(o.out, 'losses.json'), 'utf8')) as YoloxLosses;
  return { losses, outDir: o.out, stateFile: path.join(o.out, `state_after_step${o.steps}.bin`) };
}
