/**
 * End-to-end parity with ../shared/golden/e2e (the original submit.py, CPU/dicomsdl branch, Otsu ROI,
 * the ensemble checkpoints of ../shared/golden/convnext_ensemble): `rsna-mammo submit --mode trained
 * --roi otsu` on patient 10008's 4 RSNA images. Per-image fold probabilities within 1e-4, per
 * prediction_id means within 1e-5, ROI boxes equal, submission.csv byte-equal.
 */
import t from 'tap';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { Writable } from 'stream';
import { main } from '../../lib/cli/main';
import { cudaAddonStatus } from '../../lib/native';
import { parseCsvRecords } from '../../lib/run/csv';
import { ensureOnnx, modelFiles } from '../../lib/run/modelFiles';
import { loadSettings } from '../../lib/settings';
import { needsShared, sharedPath } from '../helpers/shared';

const need = ['golden/e2e/e2e.json', 'golden/convnext_ensemble/best_convnext_fold_0.pth.tar', 'data/dicom/rsna-kaggle/test_images/10008'];
const missing = need.map(needsShared).find((s) => s.skip);

function sink(): { stream: Writable; text: () => string } {
  let text = '';
  return { stream: new Writable({ write(c, _e, cb) { text += String(c); cb(); } }), text: () => text };
}

/** A SETTINGS.json whose RAW_DATA_DIR holds the golden test.csv and the shared images, ASSETS_DIR the golden folds. */
function layout(): { settings: string; root: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-e2e-'));
  const comp = path.join(root, 'raw', 'rsna-breast-cancer-detection');
  fs.mkdirSync(comp, { recursive: true });
  fs.copyFileSync(sharedPath('golden/e2e/test.csv')!, path.join(comp, 'test.csv'));
  fs.symlinkSync(sharedPath('data/dicom/rsna-kaggle/test_images')!, path.join(comp, 'test_images'));
  const trained = path.join(root, 'assets', 'trained');
  fs.mkdirSync(trained, { recursive: true });
  for (let k = 0; k < 4; k++) {
    const name = `best_convnext_fold_${k}.pth.tar`;
    fs.symlinkSync(sharedPath(`golden/convnext_ensemble/${name}`)!, path.join(trained, name));
  }
  const settings = path.join(root, 'SETTINGS.json');
  fs.writeFileSync(settings, JSON.stringify({
    RAW_DATA_DIR: './raw/', PROCESSED_DATA_DIR: './processed/', MODEL_CHECKPOINT_DIR: './checkpoints/',
    MODEL_FINAL_SELECTION_DIR: './final/', SUBMISSION_DIR: './submissions/', ASSETS_DIR: './assets/', TEMP_DIR: './tmp/',
  }));
  return { settings, root };
}

t.test('submit --mode trained --roi otsu reproduces the e2e golden', { skip: missing?.skip ?? false }, async (t) => {
  const { settings, root } = layout();
  const out = sink();
  const err = sink();
  const code = await main(['submit', '--mode', 'trained', '--settings', settings, '--roi', 'otsu', '--device', 'auto', '--quiet'], { stdout: out.stream, stderr: err.stream });
  t.equal(code, 0, code === 0 ? 'exit 0' : err.text());
  t.match(err.text(), /converting .*best_convnext_fold_0\.pth\.tar.* to ONNX once/, 'says it converts once');
  // --device auto: the GPU when usable, else the CPU after one line why (lib/pipeline/gpuStages.ts).
  const device = cudaAddonStatus().usable ? 'cuda' : 'cpu';
  t.equal(err.text().split('\n').filter((l) => /GPU not used: /.test(l)).length, device === 'cpu' ? 1 : 0, 'the fallback line once when the CPU is used');

  const golden = JSON.parse(fs.readFileSync(sharedPath('golden/e2e/e2e.json')!, 'utf8'));
  const preds = parseCsvRecords(fs.readFileSync(path.join(root, 'submissions', 'predictions.csv'), 'utf8')).records;
  const byId = new Map(preds.map((p) => [p.image_id, p]));
  for (const g of golden.per_image) {
    const p = byId.get(String(g.image_id))!;
    t.ok(p, `image ${g.image_id} predicted`);
    for (let k = 0; k < 4; k++) {
      const d = Math.abs(Number(p[`prob_fold${k}`]) - g[`prob_fold${k}`]);
      t.ok(d <= 1e-4, `${g.image_id} fold ${k}: |${p[`prob_fold${k}`]} − ${g[`prob_fold${k}`]}| = ${d.toExponential(2)} ≤ 1e-4`);
    }
    t.same([p.roi_x0, p.roi_y0, p.roi_x1, p.roi_y1].map(Number), g.roi_xyxy, `${g.image_id} ROI box`);
    t.equal(p.roi_method, g.roi_path);
    t.equal(p.device, device, `${g.image_id} prepared on ${device}`);
  }
  const goldenBreasts = parseCsvRecords(fs.readFileSync(sharedPath('golden/e2e/per_prediction_id.csv')!, 'utf8')).records;
  // The per-prediction_id means, recomputed from our per-image means exactly as submit does.
  const means = new Map<string, number[]>();
  for (const p of preds) means.set(p.prediction_id, [...(means.get(p.prediction_id) ?? []), Number(p.image_mean)]);
  for (const g of goldenBreasts) {
    const m = means.get(g.prediction_id)!;
    const mean = m.reduce((a, b) => a + b, 0) / m.length;
    t.ok(Math.abs(mean - Number(g.preds)) <= 1e-5, `${g.prediction_id}: ${mean} vs ${g.preds} within 1e-5`);
  }
  t.equal(
    fs.readFileSync(path.join(root, 'submissions', 'submission.csv'), 'utf8'),
    fs.readFileSync(sharedPath('golden/e2e/submission.csv')!, 'utf8'),
    'submission.csv equal',
  );
  t.equal(parseCsvRecords(fs.readFileSync(path.join(root, 'submissions', 'errors.csv'), 'utf8')).records.length, 0);

  // Later runs reuse the cached ONNX: no second conversion.
  const lines: string[] = [];
  const files = modelFiles('trained', loadSettings(settings));
  t.equal(await ensureOnnx('classifier ensemble', files.classifierCheckpoints, files.classifierOnnx, async () => t.fail('converted twice'), (l) => lines.push(l)), files.classifierOnnx);
  t.match(lines.join('\n'), /classifier ensemble: using .*\.onnx/);
});

t.test('submit without detector weights stops with a clear message unless --roi otsu', { skip: missing?.skip ?? false }, async (t) => {
  const { settings } = layout();
  const err = sink();
  t.equal(await main(['submit', '--settings', settings], { stdout: sink().stream, stderr: err.stream }), 1);
  t.match(err.text(), /YOLOX detector weights are missing .*yolox_nano_416_roi_torch\.pth.*--roi otsu/);
});

t.test('--roi yolox with a detector that finds nothing falls back to Otsu, as the golden run did', {
  skip: missing?.skip || needsShared('golden/yolox/yolox_nano_416_roi_torch.pth').skip || false,
}, async (t) => {
  // The random YOLOX of ../shared/golden/yolox (plain) passes no box at conf 0.5: the original's
  // "nothing detected" path (ALGORITHMS.md §2.5.2 → §2.6), which is how the e2e golden was made.
  const { settings, root } = layout();
  fs.symlinkSync(sharedPath('golden/yolox/yolox_nano_416_roi_torch.pth')!, path.join(root, 'assets', 'trained', 'yolox_nano_416_roi_torch.pth'));
  const comp = path.join(root, 'raw', 'rsna-breast-cancer-detection');
  const csv = fs.readFileSync(path.join(comp, 'test.csv'), 'utf8').trim().split('\n');
  fs.writeFileSync(path.join(comp, 'test.csv'), `${csv.slice(0, 2).join('\n')}\n`); // one image keeps it short
  const err = sink();
  const code = await main(['submit', '--settings', settings, '--quiet'], { stdout: sink().stream, stderr: err.stream });
  t.equal(code, 0, code === 0 ? 'exit 0' : err.text());
  t.match(err.text(), /YOLOX detector: converting yolox_nano_416_roi_torch\.pth to ONNX once/);
  const [p] = parseCsvRecords(fs.readFileSync(path.join(root, 'submissions', 'predictions.csv'), 'utf8')).records;
  const g = JSON.parse(fs.readFileSync(sharedPath('golden/e2e/e2e.json')!, 'utf8')).per_image[0];
  t.equal(p.image_id, String(g.image_id));
  t.equal(p.roi_method, 'otsu');
  t.same([p.roi_x0, p.roi_y0, p.roi_x1, p.roi_y1].map(Number), g.roi_xyxy);
  for (let k = 0; k < 4; k++) t.ok(Math.abs(Number(p[`prob_fold${k}`]) - g[`prob_fold${k}`]) <= 1e-4, `fold ${k} within 1e-4`);
});
