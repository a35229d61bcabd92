/**
 * `rsna-mammo train yolox` (ALGORITHMS.md §10): the YOLOX-nano ROI detector trained by the native
 * trainer (`train-yolox`) on the COCO dataset of `prepare roi-dataset`. This driver prepares the image
 * lists and the initial weights, and after every epoch evaluates the EMA model (COCO AP50:95 on the
 * validation images, test_conf 0.01, NMS 0.9) and writes the original's checkpoints:
 * latest_ckpt.pth, last_epoch_ckpt.pth, best_ckpt.pth (highest AP50:95), epoch_{n}_ckpt.pth.
 * `--resume` continues from latest_ckpt.pth (its `model` = EMA weights, momentum, start_epoch, best_ap).
 */
import fs from 'fs';
import path from 'path';
import { RsnaMammoError } from '../errors';
import { TorchTensor } from '../models/torch/pickle_values';
import { loadSettings } from '../settings';
import { readLayout, readNamedFlat } from './convnextWeights';
import { runTrainExecutable, TrainEvent } from './executable';
import { OptimizerGroup } from './classifierCheckpoint';
import { writeYoloxCheckpoint } from './yoloxCheckpoint';
import { readCocoSplit, writeManifest } from './yoloxData';
import { cocoAp, yoloxDetections } from './yoloxEval';
import { readYoloxCheckpoint, writeYoloxFlatState, yoloxArchArgs } from './yoloxWeights';
import { YOLOX_NANO_RSNA, YoloxConfig } from '../models/yolox';

export interface YoloxTrainOptions {
  settings?: string;
  /** COCO folder (default {PROCESSED_DATA_DIR}/roi_det_yolox/coco_format). */
  dataDir?: string;
  /** Output folder (default {MODEL_CHECKPOINT_DIR}/yolox_roi_det/yolox_nano_416_reproduce). */
  outDir?: string;
  /** Initial weights (default {ASSETS_DIR}/public_pretrains/yolox_nano.pth when present); mismatching tensors are skipped. */
  init?: string;
  resume?: boolean;
  batch?: number;
  maxEpoch?: number;
  warmupEpochs?: number;
  noAugEpochs?: number;
  basicLrPerImg?: number;
  inputSize?: number;
  seed?: number;
  threads?: number;
  /** Image-loading threads (data_num_workers, default 4). */
  workers?: number;
  device?: 'auto' | 'cpu' | 'cuda';
  onEvent?: (e: TrainEvent) => void;
  onLog?: (line: string) => void;
}

export interface YoloxEpochResult {
  epoch: number;
  ap50_95: number | null;
  ap50: number | null;
  best: boolean;
}

export interface YoloxTrainResult {
  outDir: string;
  epochs: YoloxEpochResult[];
  bestAp: number;
  skipped: string[];
}

function num(x: unknown): number {
  return x instanceof Object && 'value' in (x as object) ? Number((x as { value: number }).value) : Number(x);
}

/** The momentum buffers of a checkpoint's SGD state, concatenated in param-index order (= the native optimizer order); null when incomplete. */
function momentumFlat(ckpt: unknown): Float32Array | null {
  const opt = ckpt instanceof Map ? (ckpt.get('optimizer') as Map<string, unknown> | undefined) : undefined;
  const state = opt?.get('state') as Map<number, Map<string, unknown>> | undefined;
  const groups = opt?.get('param_groups') as Map<string, unknown>[] | undefined;
  if (!state || !groups) return null;
  const count = groups.reduce((n, g) => n + ((g.get('params') as unknown[]) ?? []).length, 0);
  const parts: Float32Array[] = [];
  for (let i = 0; i < count; i++) {
    const b = state.get(i)?.get('momentum_buffer');
    if (!(b instanceof TorchTensor) || !(b.data instanceof Float32Array)) return null;
    parts.push(b.data);
  }
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

export async function trainYolox(o: YoloxTrainOptions): Promise<YoloxTrainResult> {
  const settings = loadSettings(o.settings);
  const dataDir = o.dataDir ?? path.join(settings.PROCESSED_DATA_DIR, 'roi_det_yolox', 'coco_format');
  const outDir = o.outDir ?? path.join(settings.MODEL_CHECKPOINT_DIR, 'yolox_roi_det', 'yolox_nano_416_reproduce');
  const inputSize = o.inputSize ?? 416;
  const log = o.onLog ?? (() => undefined);
  const train = readCocoSplit(dataDir, 'train');
  const val = readCocoSplit(dataDir, 'val');
  const skipped = [...train.problems, ...val.problems];
  for (const p of skipped) log(`warning: ${p}`);
  if (train.images.length === 0) throw new RsnaMammoError('ERR_NO_IMAGES', 'no usable training image in the COCO dataset', { file: train.annotationFile });
  fs.mkdirSync(outDir, { recursive: true });
  const work = path.join(outDir, '.work');
  fs.mkdirSync(work, { recursive: true });
  writeManifest(train.images, path.join(work, 'train.txt'));
  writeManifest(val.images, path.join(work, 'val.txt'));

  // Initial weights / resume state.
  const args: string[] = [];
  let config: YoloxConfig = { ...YOLOX_NANO_RSNA, numClasses: train.categoryIds.length };
  let startEpoch = 0;
  let bestAp = 0;
  const batchesTracked = new Map<string, bigint>();
  const latest = path.join(outDir, 'latest_ckpt.pth');
  if (o.resume) {
    if (!fs.existsSync(latest)) throw new RsnaMammoError('ERR_NO_CHECKPOINT', '--resume: no latest_ckpt.pth to resume from', { file: latest });
    const r = await readYoloxCheckpoint(latest);
    config = r.config;
    const c = r.checkpoint as Map<string, unknown>;
    const mom = momentumFlat(c);
    if (mom) {
      fs.writeFileSync(path.join(work, 'resume_momentum.bin'), Buffer.from(mom.buffer, mom.byteOffset, mom.byteLength));
      args.push('--resume-momentum', path.join(work, 'resume_momentum.bin'));
    } else {
      log('warning: --resume: the checkpoint has no complete momentum state; momentum restarts at 0');
    }
    startEpoch = num(c.get('start_epoch'));
    bestAp = num(c.get('best_ap') ?? 0);
    writeYoloxFlatState(r.stateDict, path.join(work, 'resume_state.bin'), path.join(work, 'resume_layout.txt'));
    args.push('--resume-state', path.join(work, 'resume_state.bin'), '--resume-layout', path.join(work, 'resume_layout.txt'), '--start-epoch', String(startEpoch));
    for (const [k, t] of r.stateDict) if (k.endsWith('.num_batches_tracked')) batchesTracked.set(k.slice(0, -20), BigInt(t.data[0] as bigint));
  } else {
    const init = o.init ?? [path.join(settings.ASSETS_DIR, 'public_pretrains', 'yolox_nano.pth')].find((f) => fs.existsSync(f));
    if (init) {
      const r = await readYoloxCheckpoint(init, { numClasses: config.numClasses });
      config = { ...r.config, numClasses: config.numClasses };
      writeYoloxFlatState(r.stateDict, path.join(work, 'init_state.bin'), path.join(work, 'init_layout.txt'));
      args.push('--state', path.join(work, 'init_state.bin'), '--layout', path.join(work, 'init_layout.txt'));
      for (const [k, t] of r.stateDict) if (k.endsWith('.num_batches_tracked')) batchesTracked.set(k.slice(0, -20), BigInt(t.data[0] as bigint));
      log(`initial weights: ${init}`);
    } else {
      log('initial weights: none (PyTorch default init)');
    }
  }
  const batch = o.batch ?? 64;
  args.push('--train-list', path.join(work, 'train.txt'), '--val-list', path.join(work, 'val.txt'), '--out', work,
    '--batch', String(batch), '--max-epoch', String(o.maxEpoch ?? 400), '--warmup-epochs', String(o.warmupEpochs ?? 50),
    '--no-aug-epochs', String(o.noAugEpochs ?? 5), '--basic-lr-per-img', String(o.basicLrPerImg ?? 1e-3 / 64),
    '--input-size', String(inputSize), '--seed', String(o.seed ?? 42), '--device', o.device ?? 'auto', ...yoloxArchArgs(config));
  if (o.threads) args.push('--threads', String(o.threads));
  if (o.workers) args.push('--workers', String(o.workers));

  const epochs: YoloxEpochResult[] = [];
  let chain: Promise<void> = Promise.resolve();
  let failure: unknown = null;
  const handleEpoch = async (e: TrainEvent): Promise<void> => {
    const dir = String(e.dir);
    const epoch = Number(e.epoch);
    const ema = readNamedFlat(path.join(dir, 'ema_state.bin'), readLayout(path.join(dir, 'ema_layout.txt')));
    const momLayout = readLayout(path.join(dir, 'momentum_layout.txt'));
    const momentum = readNamedFlat(path.join(dir, 'momentum.bin'), momLayout);
    const groups = optimizerGroups(momLayout.map((m) => m.key), path.join(dir, 'momentum_layout.txt.groups'));
    const common = { startEpoch: epoch, ema, batchesTracked, momentum, groups, lr: Number(e.lr), momentumFactor: 0.9 };
    await writeYoloxCheckpoint(path.join(outDir, 'latest_ckpt.pth'), { ...common, bestAp, currAp: null });
    let ap: number | null = null;
    let ap50: number | null = null;
    if (Number(e.val_images) > 0) {
      const index = fs.readFileSync(path.join(dir, 'val_index.txt'), 'utf8').split('\n').filter(Boolean).map(Number);
      const raw = readFloat32(path.join(dir, 'val_outputs.bin'));
      const dets = yoloxDetections(raw, index, val.images, inputSize, val.categoryIds);
      const res = await cocoAp(val.annotationFile, path.join(outDir, `val_detections_epoch_${epoch}.json`), dets);
      if (res.ap) {
        ap = res.ap.ap50_95;
        ap50 = res.ap.ap50;
      } else {
        log(`warning: epoch ${epoch}: ${res.message}`);
      }
    }
    const improved = ap !== null && ap > bestAp;
    if (ap !== null) bestAp = Math.max(bestAp, ap);
    await writeYoloxCheckpoint(path.join(outDir, 'last_epoch_ckpt.pth'), { ...common, bestAp, currAp: ap });
    if (improved || (ap === null && !fs.existsSync(path.join(outDir, 'best_ckpt.pth')))) {
      fs.copyFileSync(path.join(outDir, 'last_epoch_ckpt.pth'), path.join(outDir, 'best_ckpt.pth'));
    }
    await writeYoloxCheckpoint(path.join(outDir, `epoch_${epoch}_ckpt.pth`), { ...common, bestAp, currAp: ap });
    fs.rmSync(dir, { recursive: true, force: true });
    const r = { epoch, ap50_95: ap, ap50, best: improved };
    epochs.push(r);
    o.onEvent?.({ event: 'evaluated', ...r });
  };
  await runTrainExecutable('train-yolox', args, {
    onLog: (t) => log(t.trimEnd()),
    onEvent: (e) => {
      if (e.event === 'skipped') skipped.push(`${e.path}: ${e.message}`);
      if (e.event === 'epoch') chain = chain.then(() => handleEpoch(e)).catch((err) => { failure = failure ?? err; });
      o.onEvent?.(e);
    },
  });
  await chain;
  if (failure) throw failure;
  return { outDir, epochs, bestAp, skipped };
}

/** exp.get_optimizer groups: the native optimizer order split by the sizes in `<layout>.groups`. */
function optimizerGroups(names: string[], groupsFile: string): OptimizerGroup[] {
  const out: OptimizerGroup[] = [];
  let at = 0;
  for (const line of fs.readFileSync(groupsFile, 'utf8').split('\n').filter(Boolean)) {
    const [count, wd] = line.split(' ').map(Number);
    out.push({ weight_decay: wd, names: names.slice(at, at + count) });
    at += count;
  }
  return out;
}

function readFloat32(file: string): Float32Array {
  const buf = fs.readFileSync(file);
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
}

