/**
 * `rsna-mammo reproduce --tiny` end to end on the CPU (CI): synthetic raw DICOMs + ROI labels → prepare
 * roi-dataset → train yolox → select-yolox → prepare classification-dataset (stage 1 + 2 with that YOLOX)
 * → cv-split → the six tiny ConvNeXt steps → select-ckpts → submit --mode reproduce --roi yolox. Checks the
 * §12 tree under DIR, that the selected YOLOX and the four selected ConvNeXt files are byte-identical
 * copies of checkpoints this run trained, that every classification crop and every submitted image went
 * through that YOLOX (or the pipeline's fallback), and that submission.csv covers the example test set.
 */
import t from 'tap';
import fs from 'fs';
import path from 'path';
import { Writable } from 'stream';
import { reproduceTiny } from '../../lib/reproduce/tiny';
import { loadSettings } from '../../lib/settings';
import { trainingPlan } from '../../lib/train/plan';
import { readCsv } from '../../lib/data/csv';
import { tmpDir } from '../helpers/models';
import { needsTrainer } from '../helpers/train';

const CLI = [process.execPath, ...process.execArgv, path.join(__dirname, '..', 'pipeline', 'fixtures', 'cli.ts')];

t.test('reproduce --tiny: data to submission.csv with its own models', { skip: needsTrainer().skip }, async (t) => {
  const out = tmpDir('tiny');
  let text = '';
  const sink = new Writable({ write(c, _e, cb) { text += String(c); cb(); } });
  const t0 = Date.now();
  const res = await reproduceTiny({ out, io: { stdout: sink, stderr: sink }, cli: CLI, parallel: 2 });
  const secs = (Date.now() - t0) / 1000;
  t.comment(`reproduce --tiny took ${secs.toFixed(1)} s: ${JSON.stringify(res.seconds)}`);
  t.equal(res.settings, path.join(out, 'SETTINGS.json'));
  const s = loadSettings(res.settings);
  const rsnaRaw = path.join(s.RAW_DATA_DIR, 'rsna-breast-cancer-detection');
  const dicoms = fs.readdirSync(path.join(rsnaRaw, 'train_images')).flatMap((p) => fs.readdirSync(path.join(rsnaRaw, 'train_images', p)));
  t.equal(dicoms.length, 96, 'the run starts from 96 raw DICOMs (train_images/{patient}/{image}.dcm)');
  const coco = JSON.parse(fs.readFileSync(path.join(s.PROCESSED_DATA_DIR, 'roi_det_yolox', 'coco_format', 'annotations', 'instances_train2017.json'), 'utf8'));
  t.equal(coco.images.length, 24, 'prepare roi-dataset wrote the COCO train split (24 images)');
  const yoloxDir = path.join(s.MODEL_CHECKPOINT_DIR, 'yolox_roi_det', 'yolox_nano_416_reproduce');
  const yoloxSel = fs.readFileSync(path.join(s.MODEL_FINAL_SELECTION_DIR, 'yolox_nano_416_roi_torch.pth'));
  const yoloxSrc = ['best_ckpt.pth', 'last_epoch_ckpt.pth'].find((f) => fs.existsSync(path.join(yoloxDir, f)) && fs.readFileSync(path.join(yoloxDir, f)).equals(yoloxSel));
  t.ok(yoloxSrc, `the selected YOLOX is this run's ${yoloxSrc} byte for byte`);
  t.ok(fs.existsSync(path.join(s.MODEL_FINAL_SELECTION_DIR, 'yolox_nano_416_roi.onnx')), 'select-yolox converted it to ONNX');
  const roiLine = text.match(/96 images \(0 already done, 0 failed\); ROI: ([^\n]*)/);
  const roiCounts = (roiLine?.[1] ?? '').split(', ').map((x) => x.split(' ')).filter((x) => x.length === 2);
  t.equal(roiCounts.reduce((n, [k]) => n + Number(k), 0), 96, `stage 2 cropped all 96 images (ROI: ${roiLine?.[1]})`);
  t.ok(roiCounts.every(([, m]) => ['yolox', 'otsu', 'full'].includes(m)), 'by the trained YOLOX or its fallbacks');
  const cleaned = path.join(s.PROCESSED_DATA_DIR, 'classification', 'rsna-breast-cancer-detection');
  t.equal(fs.readdirSync(path.join(cleaned, 'cleaned_images')).length, 96, 'cleaned_images/ has the 96 crops');
  const state = JSON.parse(fs.readFileSync(path.join(s.MODEL_CHECKPOINT_DIR, 'train_run_reproduce.state.json'), 'utf8'));
  t.match(state.steps.yolox.message, /^present: .*yolox_nano_416_roi_torch\.pth$/, 'train run found the selected YOLOX and did not retrain it');
  for (const step of trainingPlan('reproduce', s)) {
    t.ok(fs.existsSync(path.join(step.outputDir, 'last.pth.tar')), `${path.relative(out, step.outputDir)}/last.pth.tar`);
  }
  // The selection: every best_convnext_fold_{i} equals one of its experiment's trained checkpoint-{e}.
  const folds = ['stage2_reproduce_train_fold_0', 'stage2_reproduce_train_fold_1', 'reproduce_train_fold_2', 'reproduce_train_fold_3'];
  res.selected.forEach((file, i) => {
    const sel = fs.readFileSync(file);
    const dir = path.join(s.MODEL_CHECKPOINT_DIR, 'timm_classification', folds[i]);
    const same = fs.readdirSync(dir).filter((f) => /^checkpoint-\d+\.pth\.tar$/.test(f)).filter((f) => fs.readFileSync(path.join(dir, f)).equals(sel));
    t.equal(same.length >= 1, true, `best_convnext_fold_${i} is ${folds[i]}/${same[0]} byte for byte`);
  });
  const sub = readCsv(res.submission);
  const test = readCsv(path.join(s.RAW_DATA_DIR, 'rsna-breast-cancer-detection', 'test.csv'));
  const ids = [...new Set(test.rows.map((r) => r[test.header.indexOf('prediction_id')]))].sort();
  t.same(sub.header, ['prediction_id', 'cancer']);
  t.same(sub.rows.map((r) => r[0]).sort(), ids, 'one row per prediction_id of the test set');
  t.ok(sub.rows.every((r) => Number(r[1]) >= 0 && Number(r[1]) <= 1), 'probabilities in [0, 1]');
  t.notOk(fs.existsSync(path.join(s.ASSETS_DIR, 'trained')), 'no trained (author) model folder involved');
  t.ok(fs.readdirSync(s.MODEL_FINAL_SELECTION_DIR).some((f) => f.endsWith('.onnx')), 'the ensemble was converted from the selected checkpoints');
  const preds = readCsv(path.join(s.SUBMISSION_DIR, 'predictions.csv'));
  const methods = preds.rows.map((r) => r[preds.header.indexOf('roi_method')]);
  t.ok(methods.length === 8 && methods.every((m) => ['yolox', 'otsu', 'full'].includes(m)), `submit: ROI of the 8 test images by that YOLOX or its fallbacks (${methods.join(', ')})`);
  t.match(text, /YOLOX detector: using .*yolox_nano_416_roi\.onnx/, 'submit used the YOLOX this run trained');
});
