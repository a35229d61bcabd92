/**
 * `rsna-mammo predict <files or folders> --models <dir>`: DICOMs without a CSV, grouped into breasts
 * by the PatientID and ImageLaterality tags; CSV and JSON outputs; unreadable files reported.
 */
import t from 'tap';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { Writable } from 'stream';
import { main } from '../../lib/cli/main';
import { parseCsvRecords } from '../../lib/run/csv';
import { repoRoot } from '../helpers/shared';
import { randomFolds } from './demoModel';
import { createPipeline } from '../../lib/pipeline/createPipeline';
import { ensureOnnx } from '../../lib/run/modelFiles';
import { convertEnsemble, modelDirFiles } from '../../lib/run/resolveModels';

const example = path.join(repoRoot, 'assets/example/rsna-breast-cancer-detection/test_images');
function sink(): { stream: Writable; text: () => string } {
  let text = '';
  return { stream: new Writable({ write(c, _e, cb) { text += String(c); cb(); } }), text: () => text };
}

t.test('predict a folder and files; breasts from DICOM tags', async (t) => {
  const models = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-predict-models-'));
  await randomFolds(models);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-predict-'));
  // File names say nothing: grouping must come from the tags.
  fs.copyFileSync(path.join(example, '902', '9021.dcm'), path.join(dir, 'a.dcm'));
  fs.copyFileSync(path.join(example, '902', '9024.dcm'), path.join(dir, 'b.dcm'));
  fs.writeFileSync(path.join(dir, 'broken.dcm'), 'nope');
  const json = path.join(dir, 'preds.json');
  const out = sink();
  const err = sink();
  const code = await main(['predict', dir, path.join(example, '902', '9022.dcm'), '--models', models, '--roi', 'otsu', '--out', json, '--quiet'],
    { stdout: out.stream, stderr: err.stream });
  t.equal(code, 0, code === 0 ? 'exit 0' : err.text());
  t.match(err.text(), /converting .* to ONNX once/);
  const res = JSON.parse(fs.readFileSync(json, 'utf8'));
  t.same(res.breasts.map((b: { predictionId: string }) => b.predictionId), ['902_L', '902_R']);
  t.same(res.breasts.map((b: { imageCount: number }) => b.imageCount), [2, 1], 'a.dcm (L CC) + 9022 (L MLO); b.dcm (R MLO)');
  t.same(res.images.map((i: { key: string }) => path.basename(i.key)), ['a.dcm', 'b.dcm', '9022.dcm']);
  t.same(res.images.map((i: { meta: { laterality: string } }) => i.meta.laterality), ['L', 'R', 'L']);
  t.equal(res.errors.length, 1);
  t.match(res.errors[0], { key: /broken\.dcm$/, code: 'ERR_DICOM_NOT_DICOM' });
  t.match(out.text(), /^902_L\t0\.\d+\tcancer=[01]\t\(2 images\)$/m);
  t.match(out.text(), /^error\t.*broken\.dcm\tERR_DICOM_NOT_DICOM/m);
  // The breast value is the float32 mean of its images' means (§5.7).
  const l = res.images.filter((i: { meta: { laterality: string } }) => i.meta.laterality === 'L').map((i: { probability: number }) => i.probability);
  t.equal(res.breasts[0].probability, Math.fround(Math.fround(l[0] + l[1]) / 2));

  const csv = path.join(dir, 'preds.csv');
  t.equal(await main(['predict', path.join(dir, 'b.dcm'), '--models', models, '--roi', 'otsu', '--out', csv, '--quiet'], { stdout: sink().stream, stderr: sink().stream }), 0);
  const rows = parseCsvRecords(fs.readFileSync(csv, 'utf8')).records;
  t.equal(rows.length, 1);
  t.match(rows[0], { prediction_id: '902_R', patient_id: '902', laterality: 'R', view: 'MLO', roi_method: 'otsu' });
  t.equal(Math.fround(Number(rows[0].image_mean)), res.images[1].probability, 'same image, same probability in both runs');
});

t.test('predict without detector weights asks for --roi otsu', async (t) => {
  const models = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-predict-models-'));
  const err = sink();
  t.equal(await main(['predict', path.join(example, '902'), '--models', models], { stdout: sink().stream, stderr: err.stream }), 1);
  t.match(err.text(), /YOLOX detector weights are missing.*--roi otsu/);
});

t.test('Node API: predict(path) and predict(Buffer) give the same prediction', async (t) => {
  const models = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-predict-models-'));
  const files = modelDirFiles(models);
  await ensureOnnx('classifier', await randomFolds(models), files.classifierOnnx, convertEnsemble);
  const pipeline = await createPipeline({ classifier: files.classifierOnnx, roi: 'otsu' });
  try {
    const file = path.join(example, '902', '9023.dcm'); // the MONOCHROME1 image
    const a = await pipeline.predict(file);
    const b = await pipeline.predict(fs.readFileSync(file));
    t.same(b.foldProbabilities, a.foldProbabilities);
    t.same(b.roi, a.roi);
    t.equal(a.meta.photometricInterpretation, 'MONOCHROME1');
    t.match(b.key, /^buffer-\d+$/);
    await t.rejects(pipeline.predict(Buffer.from('not a dicom')), { code: 'ERR_DICOM_NOT_DICOM' });
  } finally {
    await pipeline.close();
  }
});
