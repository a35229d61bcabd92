/**
 * `rsna-mammo reproduce --tiny` end to end on the CPU (CI): synthetic set → cv-split → the six tiny
 * ConvNeXt steps → select-ckpts → submit --mode reproduce. Checks the §12 tree under DIR, that the four
 * selected files are byte-identical copies of checkpoints this run trained (the epochs select-ckpts chose),
 * and that submission.csv covers the example test set's prediction ids with probabilities made from them.
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
  t.match(text, /yolox: .*missing; not trained/, 'the skipped YOLOX training is named in the output');
});
