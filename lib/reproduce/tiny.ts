/**
 * `rsna-mammo reproduce --tiny`: the whole retraining chain scaled down so that it runs on a CPU in
 * about a minute, ending with a submission made only from models it trained (ALGORITHMS.md §0.2, §7–§12),
 * in the original's order: synthetic raw DICOMs + ROI labels (lib/reproduce/tinyData.ts) → `prepare
 * roi-dataset` → `train yolox` (a few epochs) → `select-yolox` (+ ONNX) → `prepare classification-dataset`
 * (stage 1 + 2, crops from the trained YOLOX, Otsu where it finds nothing) → cv-split → the six ConvNeXt
 * steps (`train run`, tiny ConvNeXt, 2 epochs) → select-ckpts → submit --mode reproduce (which converts
 * the selected checkpoints) on the example test DICOMs with that YOLOX. Everything lives under DIR, found
 * through DIR/SETTINGS.json. What the tiny chain leaves out is reported in `missing`.
 */
import fs from 'fs';
import path from 'path';
import { Writable } from 'stream';
import { CliIO } from '../cli/command';
import { RsnaMammoError } from '../errors';
import { loadSettings } from '../settings';
import { writeFileAtomic } from '../util/writeFileAtomic';
import { runTraining } from '../train/runSteps';
import { writeTinyRawData } from './tinyData';

const ROOT = path.resolve(__dirname, '..', '..');
const EXAMPLE = path.join(ROOT, 'assets', 'example', 'rsna-breast-cancer-detection');
const MODE = 'reproduce';

/** The tiny model and loop handed to every `train classifier` step. */
export const TINY_STEP_ARGS: readonly string[] = [
  '--epochs', '2', '--depths', '1,1,1,1', '--dims', '8,16,24,32', '--image-size', '64,32', '--batch-size', '4',
  '--val-batch-size', '8', '--threads', '1', '--loader-threads', '1', '--no-external', '--seed', '42',
];
const TINY_EPOCHS = '0,1/0,1/0,1/0,1';
/**
 * The tiny YOLOX run: YOLOX-nano at its own 416 input (the scale inference uses), from random weights (no
 * COCO weights are shipped), 2 epochs of 3 iterations; epoch 2 is the no-aug epoch with the L1 loss.
 */
export const TINY_YOLOX_ARGS: readonly string[] = [
  '--batch', '8', '--max-epoch', '2', '--warmup-epochs', '1', '--no-aug-epochs', '1', '--basic-lr-per-img', '0.00025',
  '--input-size', '416', '--threads', '1', '--workers', '1', '--device', 'cpu', '--seed', '42',
];
/** Images with ROI labels (3 of 4 train, 1 of 4 val), as the original's 571 annotated competition images. */
const TINY_ROI_IMAGES = 32;

export interface TinyReproduceOptions {
  out: string;
  io: CliIO;
  /** argv that starts this package's CLI in a child process (default: node bin/rsna-mammo.js). */
  cli?: string[];
  /** Patients of the synthetic set (2 images each, default 48). */
  patients?: number;
  /** CPU slots for the training steps. */
  parallel?: number;
}

export interface TinyReproduceResult {
  settings: string;
  submission: string;
  selected: string[];
  seconds: Record<string, number>;
  missing: string[];
}

/** What the tiny chain does not run, and what stands in for it. */
export const TINY_MISSING: readonly string[] = [
  'external datasets (VinDr, MiniDDSM, CMMD, CDD-CESM, BMCD): only the competition set is synthesized; the steps run with --no-external',
  'COCO-pretrained yolox_nano.pth (not shipped, nothing is downloaded): the tiny YOLOX starts from random weights and after 6 ' +
    'iterations finds no box above the selection threshold, so stage 2 and submit crop with the Otsu fallback (§2.6) — the ' +
    'fallback the pipeline takes whenever YOLOX finds nothing',
];

function copyDir(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    if (e.isDirectory()) copyDir(path.join(from, e.name), path.join(to, e.name));
    else fs.copyFileSync(path.join(from, e.name), path.join(to, e.name));
  }
}

/** Runs one CLI command in this process; its output is indented under the stage line. */
async function cli(argv: string[], io: CliIO): Promise<void> {
  const { main } = await import('../cli/main');
  let err = '';
  const indent = (s: NodeJS.WritableStream) => new Writable({ write(c, _e, cb) { s.write(String(c).replace(/^(?=.)/gm, '    ')); cb(); } });
  const code = await main(argv, { stdout: indent(io.stdout), stderr: new Writable({ write(c, _e, cb) { err += String(c); io.stderr.write(String(c).replace(/^(?=.)/gm, '    ')); cb(); } }) });
  if (code !== 0) throw new RsnaMammoError('ERR_REPRODUCE_STAGE', `rsna-mammo ${argv.join(' ')} exited with ${code}: ${err.trim().split('\n').slice(-2).join(' | ')}`);
}

export async function reproduceTiny(o: TinyReproduceOptions): Promise<TinyReproduceResult> {
  const out = path.resolve(o.out);
  fs.mkdirSync(out, { recursive: true });
  const settingsFile = path.join(out, 'SETTINGS.json');
  writeFileAtomic(settingsFile, `${JSON.stringify({
    RAW_DATA_DIR: './datasets/raw/', PROCESSED_DATA_DIR: './datasets/processed/', MODEL_CHECKPOINT_DIR: './checkpoints/',
    MODEL_FINAL_SELECTION_DIR: './assets/reproduce/', SUBMISSION_DIR: './submissions/', ASSETS_DIR: './assets/', TEMP_DIR: './tmp/',
  }, null, 2)}\n`);
  const settings = loadSettings(settingsFile);
  const seconds: Record<string, number> = {};
  const stage = async (name: string, fn: () => Promise<void> | void) => {
    o.io.stdout.write(`== ${name}\n`);
    const t0 = Date.now();
    await fn();
    seconds[name] = (Date.now() - t0) / 1000;
  };
  const patients = o.patients ?? 48;
  let images = 0;
  await stage('synthetic raw data (DICOMs + ROI labels)', () => {
    const r = writeTinyRawData(settings.RAW_DATA_DIR, path.join(settings.ASSETS_DIR, 'data', 'roi_det_yolov5_format'), patients, TINY_ROI_IMAGES);
    images = r.images;
    o.io.stdout.write(`    ${r.images} DICOMs of ${r.patients} patients; ROI labels for ${r.roi.train} train + ${r.roi.val} val images\n`);
  });
  await stage('prepare roi-dataset', () => cli(['prepare', 'roi-dataset', '--settings', settingsFile, '--num-workers', '2'], o.io));
  await stage('train yolox (tiny)', () => cli(['train', 'yolox', '--settings', settingsFile, ...TINY_YOLOX_ARGS], o.io));
  await stage('select-yolox', () => cli(['select-yolox', '--settings', settingsFile], o.io));
  await stage('prepare classification-dataset (stage 1 + 2; ROI: the trained YOLOX, else the Otsu fallback)', () =>
    cli(['prepare', 'classification-dataset', '--settings', settingsFile, '--datasets', 'rsna-breast-cancer-detection', '--num-workers', '1'], o.io));
  await stage('cv-split', () => cli(['cv-split', '--settings', settingsFile], o.io));
  await stage('train run (six ConvNeXt steps, tiny)', async () => {
    await runTraining({
      mode: MODE, settings, settingsFile, parallel: o.parallel ?? 2, stepArgs: [...TINY_STEP_ARGS], stage2Init: 'last',
      stepCommand: [...(o.cli ?? [process.execPath, path.join(ROOT, 'bin', 'rsna-mammo.js')]), 'train', 'classifier'],
      yolox: 'auto', out: o.io.stdout, live: false,
    });
  });
  await stage('select-ckpts', () => cli(['select-ckpts', '--mode', MODE, '--settings', settingsFile, '--epochs', TINY_EPOCHS,
    '--expected-rows', String(images)], o.io));
  await stage('test data (example DICOMs)', () => copyDir(EXAMPLE, path.join(settings.RAW_DATA_DIR, 'rsna-breast-cancer-detection')));
  await stage('submit --mode reproduce (converts the selected checkpoints)', () =>
    cli(['submit', '--mode', 'reproduce', '--settings', settingsFile, '--roi', 'yolox'], o.io));
  const submission = path.join(settings.SUBMISSION_DIR, 'submission.csv');
  if (!fs.existsSync(submission)) throw new RsnaMammoError('ERR_REPRODUCE_STAGE', 'submit wrote no submission.csv', { file: submission });
  const selected = [0, 1, 2, 3].map((k) => path.join(settings.MODEL_FINAL_SELECTION_DIR, `best_convnext_fold_${k}.pth.tar`));
  return { settings: settingsFile, submission, selected, seconds, missing: [...TINY_MISSING] };
}

