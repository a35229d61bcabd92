/**
 * `rsna-mammo reproduce --tiny`: the whole retraining chain scaled down so that it runs on a CPU in
 * about a minute, ending with a submission made only from models it trained (ALGORITHMS.md §9, §11, §12):
 * a synthetic stage-2 classification set in the processed layout → cv-split → the six ConvNeXt steps
 * (`train run`, tiny ConvNeXt, 2 epochs) → select-ckpts → submit --mode reproduce (which converts the
 * selected checkpoints) on the example test DICOMs. Everything lives under DIR, found through
 * DIR/SETTINGS.json. Stages not available yet are reported in `missing`.
 */
import fs from 'fs';
import path from 'path';
import { Writable } from 'stream';
import { CliIO } from '../cli/command';
import { RsnaMammoError } from '../errors';
import { writeGrayPng } from '../data/imageFiles';
import { writeCsvAtomic } from '../data/csv';
import { loadSettings } from '../settings';
import { writeFileAtomic } from '../util/writeFileAtomic';
import { runTraining } from '../train/runSteps';

const ROOT = path.resolve(__dirname, '..', '..');
const EXAMPLE = path.join(ROOT, 'assets', 'example', 'rsna-breast-cancer-detection');
const MODE = 'reproduce';

/** The tiny model and loop handed to every `train classifier` step. */
export const TINY_STEP_ARGS: readonly string[] = [
  '--epochs', '2', '--depths', '1,1,1,1', '--dims', '8,16,24,32', '--image-size', '64,32', '--batch-size', '4',
  '--val-batch-size', '8', '--threads', '1', '--loader-threads', '1', '--no-external', '--seed', '42',
];
const TINY_EPOCHS = '0,1/0,1/0,1/0,1';

export interface TinyReproduceOptions {
  out: string;
  io: CliIO;
  /** argv that starts this package's CLI in a child process (default: node bin/rsna-mammo.js). */
  cli?: string[];
  /** Patients of the synthetic set (2 images each). */
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

/** What the tiny chain does not run yet, and what stands in for it. */
export const TINY_MISSING: readonly string[] = [
  'synthetic RAW DICOMs + `prepare`: the synthetic set is written directly as processed PNGs + cleaned_label.csv (no DICOM writer yet)',
  'YOLOX training: `train yolox` exists, but the tiny chain has no synthetic ROI-detection set (`prepare roi-dataset` needs DICOMs), so it is skipped and submit crops with --roi otsu',
];

/** Synthetic processed stage-2 set: PNG crops (a bright blob on cancer images) and cleaned_label.csv. */
function writeSyntheticDataset(processedDir: string, patients: number): number {
  const cls = path.join(processedDir, 'classification', 'rsna-breast-cancer-detection');
  const images = path.join(cls, 'cleaned_images');
  fs.mkdirSync(images, { recursive: true });
  const rows: string[][] = [];
  for (let p = 0; p < patients; p++) {
    const pid = 10000 + p;
    const cancerPatient = p % 3 === 0;
    for (const [k, lat] of ['L', 'R'].entries()) {
      const iid = pid * 10 + k;
      const cancer = cancerPatient && lat === 'L' ? 1 : 0;
      const w = 40 + (iid % 7) * 3;
      const h = 80 + (iid % 5) * 4;
      const data = new Uint8Array(w * h);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const blob = cancer && Math.hypot(x - w / 2, y - h / 2) < 9 ? 120 : 0;
          data[y * w + x] = Math.min(255, ((x * 7 + y * 3 + iid * 11) % 97) + blob);
        }
      }
      writeGrayPng(path.join(images, `${pid}@${iid}.png`), { width: w, height: h, data });
      rows.push([String(1 + (p % 2)), String(pid), String(iid), lat, k ? 'MLO' : 'CC', String(50 + (p % 20)), '0', '49', String(cancer)]);
    }
  }
  writeCsvAtomic(path.join(cls, 'cleaned_label.csv'), ['site_id', 'patient_id', 'image_id', 'laterality', 'view', 'age', 'implant', 'machine_id', 'cancer'], rows);
  return rows.length;
}

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
  let images = 0;
  await stage('synthetic dataset (processed layout)', () => {
    images = writeSyntheticDataset(settings.PROCESSED_DATA_DIR, o.patients ?? 48);
    o.io.stdout.write(`    ${images} images of ${o.patients ?? 48} patients\n`);
  });
  await stage('cv-split', () => cli(['cv-split', '--settings', settingsFile], o.io));
  await stage('train run (six ConvNeXt steps, tiny)', async () => {
    await runTraining({
      mode: MODE, settings, settingsFile, parallel: o.parallel ?? 2, stepArgs: [...TINY_STEP_ARGS], stage2Init: 'last',
      stepCommand: [...(o.cli ?? [process.execPath, path.join(ROOT, 'bin', 'rsna-mammo.js')]), 'train', 'classifier'],
      yolox: 'skip', out: o.io.stdout, live: false,
    });
  });
  await stage('select-ckpts', () => cli(['select-ckpts', '--mode', MODE, '--settings', settingsFile, '--epochs', TINY_EPOCHS,
    '--expected-rows', String(images)], o.io));
  await stage('test data (example DICOMs)', () => copyDir(EXAMPLE, path.join(settings.RAW_DATA_DIR, 'rsna-breast-cancer-detection')));
  await stage('submit --mode reproduce (converts the selected checkpoints)', () =>
    cli(['submit', '--mode', 'reproduce', '--settings', settingsFile, '--roi', 'otsu'], o.io));
  const submission = path.join(settings.SUBMISSION_DIR, 'submission.csv');
  if (!fs.existsSync(submission)) throw new RsnaMammoError('ERR_REPRODUCE_STAGE', 'submit wrote no submission.csv', { file: submission });
  const selected = [0, 1, 2, 3].map((k) => path.join(settings.MODEL_FINAL_SELECTION_DIR, `best_convnext_fold_${k}.pth.tar`));
  return { settings: settingsFile, submission, selected, seconds, missing: [...TINY_MISSING] };
}
