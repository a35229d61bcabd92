/**
 * A tiny CPU run of `rsna-mammo train yolox` (2 epochs on a few synthetic 160×96 images at input 64)
 * checks the plumbing the goldens cannot: checkpoints in the original's format (torch.save zip read
 * back by the independent reader: keys of yolox.utils.save_checkpoint, the golden model's state_dict
 * keys when ../shared is present, SGD state with one momentum buffer per parameter), the per-epoch
 * files, the bad-input reports (missing image, unreadable image, degenerate box), select-yolox →
 * ONNX, and `rsna-mammo roi --yolox` with that model. The numerics are covered by yoloxSteps.test.ts.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { Writable } from 'stream';
import t from 'tap';
import { writeGrayPng } from '../../lib/data/imageFiles';
import { readTorchCheckpoint } from '../../lib/models/torch/checkpoint_reader';
import { TorchTensor } from '../../lib/models/torch/pickle_values';
import { trainExecutableStatus } from '../../lib/train/executable';
import { trainYolox } from '../../lib/train/yoloxTrain';
import { selectYolox } from '../../lib/train/selectYolox';
import { main } from '../../lib/cli/main';
import { repoRoot, sharedPath } from '../helpers/shared';

const exe = trainExecutableStatus();
const skip = exe.built ? false : `${exe.reason}: skipped`;

function synthetic(w: number, h: number, box: [number, number, number, number], seed: number): Uint8Array {
  const d = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const inside = x >= box[0] && x < box[0] + box[2] && y >= box[1] && y < box[1] + box[3];
    d[y * w + x] = inside ? 150 + ((x * 7 + y * 3 + seed) % 60) : (x + y + seed) % 20;
  }
  return d;
}

function makeDataset(root: string): void {
  const data = path.join(root, 'coco_format');
  for (const d of ['annotations', 'train2017', 'val2017']) fs.mkdirSync(path.join(data, d), { recursive: true });
  const W = 96, H = 160;
  const split = (name: 'train' | 'val', n: number, firstId: number) => {
    const images = [];
    const annotations = [];
    for (let i = 0; i < n; i++) {
      const id = firstId + i;
      const box: [number, number, number, number] = [8 + i * 4, 20 + i * 6, 50 + (i % 3) * 8, 90 + (i % 2) * 20];
      const file = `${String(id).padStart(12, '0')}.png`;
      writeGrayPng(path.join(data, `${name}2017`, file), { width: W, height: H, data: synthetic(W, H, box, id) });
      images.push({ file_name: file, id, height: H, width: W });
      annotations.push({ id: id * 10, image_id: id, bbox: box, area: box[2] * box[3], category_id: 1, iscrowd: 0 });
    }
    return { images, annotations };
  };
  const train = split('train', 6, 1);
  // bad inputs: a listed file that does not exist, an unreadable file, a degenerate box
  train.images.push({ file_name: 'missing.png', id: 90, height: H, width: W });
  fs.writeFileSync(path.join(data, 'train2017', 'corrupt.png'), 'not an image');
  train.images.push({ file_name: 'corrupt.png', id: 91, height: H, width: W });
  train.annotations.push({ id: 910, image_id: 91, bbox: [10, 10, 40, 40], area: 1600, category_id: 1, iscrowd: 0 });
  train.annotations.push({ id: 999, image_id: 1, bbox: [5, 5, 0, 30], area: 0, category_id: 1, iscrowd: 0 });
  const val = split('val', 2, 50);
  const categories = [{ supercategory: 'ROI', id: 1, name: 'ROI' }];
  fs.writeFileSync(path.join(data, 'annotations', 'instances_train2017.json'), JSON.stringify({ ...train, categories }));
  fs.writeFileSync(path.join(data, 'annotations', 'instances_val2017.json'), JSON.stringify({ ...val, categories }));
}

function capture(): { io: { stdout: Writable; stderr: Writable }; out: () => string } {
  let text = '';
  const w = new Writable({ write(c, _e, cb) { text += String(c); cb(); } });
  return { io: { stdout: w, stderr: new Writable({ write(_c, _e, cb) { cb(); } }) }, out: () => text };
}

t.test('train yolox: tiny CPU run, checkpoints, bad inputs, select-yolox, roi --yolox', { skip }, async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'yolox-train-'));
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  makeDataset(root);
  const settingsFile = path.join(root, 'SETTINGS.json');
  fs.writeFileSync(settingsFile, JSON.stringify({
    RAW_DATA_DIR: './raw/', PROCESSED_DATA_DIR: './processed/', MODEL_CHECKPOINT_DIR: './checkpoints/',
    MODEL_FINAL_SELECTION_DIR: './final/', SUBMISSION_DIR: './sub/', ASSETS_DIR: './assets/', TEMP_DIR: './tmp/',
  }));
  const outDir = path.join(root, 'checkpoints', 'yolox_roi_det', 'yolox_nano_416_reproduce');
  const logs: string[] = [];
  const r = await trainYolox({
    settings: settingsFile, dataDir: path.join(root, 'coco_format'), batch: 2, maxEpoch: 2, warmupEpochs: 1, noAugEpochs: 1,
    inputSize: 64, threads: 2, device: 'cpu', onLog: (l) => logs.push(l),
  });
  t.equal(r.epochs.length, 2, 'two epochs evaluated');
  t.ok(r.skipped.some((s) => s.includes('missing.png') && s.includes('missing')), 'the missing image is named');
  t.ok(r.skipped.some((s) => s.includes('corrupt.png')), 'the unreadable image is named (training went on)');
  t.ok(r.skipped.some((s) => s.includes('annotation 999') && s.includes('degenerate')), 'the degenerate box is named');
  for (const f of ['latest_ckpt.pth', 'last_epoch_ckpt.pth', 'epoch_1_ckpt.pth', 'epoch_2_ckpt.pth']) {
    t.ok(fs.existsSync(path.join(outDir, f)), `${f} written`);
  }
  // best_ckpt.pth exists exactly when some epoch's AP50:95 exceeded the previous best (starting at 0)
  const improved = r.epochs.some((e) => e.best);
  t.equal(fs.existsSync(path.join(outDir, 'best_ckpt.pth')), improved, `best_ckpt.pth ${improved ? 'written' : 'absent'} (APs ${r.epochs.map((e) => e.ap50_95).join(', ')})`);
  t.notOk(fs.existsSync(path.join(outDir, '.work', 'epoch_1')), 'per-epoch exchange folders are removed');

  const ck = (await readTorchCheckpoint(path.join(outDir, 'epoch_2_ckpt.pth'))) as Map<string, unknown>;
  t.same([...ck.keys()], ['start_epoch', 'model', 'optimizer', 'best_ap', 'curr_ap'], 'save_checkpoint keys');
  t.equal(ck.get('start_epoch'), 2, 'start_epoch = epoch + 1');
  const model = ck.get('model') as Map<string, TorchTensor>;
  const golden = sharedPath('golden/train/yolox/init_ckpt.pth');
  if (golden) {
    const g = ((await readTorchCheckpoint(golden)) as Map<string, unknown>).get('model') as Map<string, TorchTensor>;
    t.same([...model.keys()], [...g.keys()], `model state_dict keys and order equal the original's (${g.size})`);
    t.same([...model.values()].map((v) => v.shape), [...g.values()].map((v) => v.shape), 'shapes equal');
  }
  const opt = ck.get('optimizer') as Map<string, unknown>;
  const groups = opt.get('param_groups') as Map<string, unknown>[];
  const nParams = groups.reduce((n, g) => n + (g.get('params') as number[]).length, 0);
  t.same(groups.map((g) => (g.get('weight_decay') as { value: number }).value ?? g.get('weight_decay')), [0, 5e-4, 0], 'group weight decays 0 / 5e-4 / 0');
  t.equal((opt.get('state') as Map<number, unknown>).size, nParams, `one momentum buffer per parameter (${nParams})`);

  // resume continues from latest_ckpt.pth (start_epoch 2 → trains epoch 3 of 3)
  const r2 = await trainYolox({
    settings: settingsFile, dataDir: path.join(root, 'coco_format'), batch: 2, maxEpoch: 3, warmupEpochs: 1, noAugEpochs: 1,
    inputSize: 64, threads: 2, device: 'cpu', resume: true,
  });
  t.same(r2.epochs.map((e) => e.epoch), [3], '--resume runs only the remaining epoch');

  const sel = await selectYolox({ settings: settingsFile });
  t.ok(fs.existsSync(sel.checkpoint) && fs.existsSync(sel.onnx), `select-yolox copies ${path.basename(sel.source)} and writes the ONNX`);
  const dcm = path.join(repoRoot, 'assets/example/rsna-breast-cancer-detection/test_images/901/9013.dcm');
  const c = capture();
  const code = await main(['roi', dcm, '--json', '--yolox', sel.onnx], c.io);
  t.equal(code, 0, 'rsna-mammo roi --yolox runs with the trained model');
  const roi = JSON.parse(c.out());
  t.ok(Array.isArray(roi.box) && ['yolox', 'otsu', 'full'].includes(roi.method), `roi result ${c.out().trim()}`);
});

t.test('per-epoch evaluation: raw EMA outputs → COCO detections in original pixels → AP', async (t) => {
  const { yoloxDetections, cocoAp } = await import('../../lib/train/yoloxEval');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yolox-eval-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  // input 64: anchors 8·8 + 4·4 + 2·2; one confident stride-8 anchor at (gx 3, gy 4): centre (28, 36), 20×30 px
  const anchors = 84;
  const raw = new Float32Array(anchors * 6);
  for (let i = 0; i < anchors; i++) raw[i * 6 + 4] = 0.001; // obj·cls far below test_conf 0.01
  const a = 4 * 8 + 3;
  raw.set([0.5, 0.5, Math.log(20 / 8), Math.log(30 / 8), 0.9, 0.9], a * 6);
  // original image 192×128 → r = min(64/192, 64/128) = 1/3: box (18, 21)–(38, 51) → [54, 63, 60, 90]
  const images = [{ id: 7, file: 'x.png', height: 192, width: 128, boxes: [] }];
  const dets = yoloxDetections(raw, [0], images, 64, [1]);
  t.equal(dets.length, 1, 'one detection passes obj·cls >= 0.01');
  t.same(dets[0].image_id, 7);
  t.same(dets[0].category_id, 1);
  t.ok(dets[0].bbox.every((v, i) => Math.abs(v - [54, 63, 60, 90][i]) < 1e-3), `bbox ${dets[0].bbox} = [54, 63, 60, 90] (boxes / r, xywh)`);
  t.ok(Math.abs(dets[0].score - 0.81) < 1e-6, 'score = obj·cls');
  const gtFile = path.join(dir, 'gt.json');
  fs.writeFileSync(gtFile, JSON.stringify({
    images: [{ id: 7, file_name: 'x.png', height: 192, width: 128 }, { id: 8, file_name: 'y.png', height: 192, width: 128 }],
    annotations: [{ id: 1, image_id: 7, bbox: [54, 63, 60, 90], area: 5400, category_id: 1, iscrowd: 0 },
      { id: 2, image_id: 8, bbox: [10, 10, 50, 50], area: 2500, category_id: 1, iscrowd: 0 }],
    categories: [{ id: 1, name: 'ROI' }],
  }));
  const r = await cocoAp(gtFile, path.join(dir, 'dt.json'), dets);
  // one of two GT boxes found exactly, no false positive: precision 1 up to recall 0.5 → AP = 51/101 at every IoU
  t.ok(r.ap && Math.abs(r.ap.ap50_95 - 51 / 101) < 1e-12 && Math.abs(r.ap.ap50 - 51 / 101) < 1e-12, `AP50:95 ${r.ap?.ap50_95}, AP50 ${r.ap?.ap50} = 51/101 (101-point interpolation)`);
  const none = await cocoAp(gtFile, path.join(dir, 'dt0.json'), []);
  t.same(none.ap, { ap50_95: 0, ap50: 0 }, 'no detections → AP 0 without COCOeval, as COCOEvaluator');
});
