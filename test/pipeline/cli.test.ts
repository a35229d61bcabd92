/**
 * `rsna-mammo submit` for real (dicom → ROI → classifier input → ONNX ensemble) on the bundled
 * synthetic example images plus broken files: unreadable images go to errors.csv with the reason and
 * the run finishes (their breast keeps the mean of its other images, or 0); a run killed with SIGKILL
 * midway and continued with --resume writes the same submission.csv without predicting the finished
 * images again. Random tiny fold checkpoints stand in for the trained ones (test/pipeline/demoModel.ts).
 */
import t from 'tap';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { spawn } from 'child_process';
import { Writable } from 'stream';
import { main } from '../../lib/cli/main';
import { parseCsvRecords } from '../../lib/run/csv';
import { repoRoot } from '../helpers/shared';
import { randomFolds } from './demoModel';

const example = path.join(repoRoot, 'assets/example/rsna-breast-cancer-detection/test_images');
const read = (f: string): string => fs.readFileSync(f, 'utf8');
function sink(): { stream: Writable; text: () => string } {
  let text = '';
  return { stream: new Writable({ write(c, _e, cb) { text += String(c); cb(); } }), text: () => text };
}

/** Rows: 4 good images of patient 901, a garbage file and a truncated DICOM beside them, a missing file for 903_R. */
const ROWS = [
  ['901', '9011', 'L'], ['901', '9012', 'L'], ['901', '9019', 'L'], ['901', '9013', 'R'],
  ['901', '9014', 'R'], ['901', '9015', 'R'], ['903', '9031', 'R'],
];

async function layout(folds: string[]): Promise<{ root: string; settings: string; out: string }> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-cli-'));
  const comp = path.join(root, 'raw', 'rsna-breast-cancer-detection');
  const images = path.join(comp, 'test_images', '901');
  fs.mkdirSync(images, { recursive: true });
  for (const id of ['9011', '9012', '9013', '9014']) fs.copyFileSync(path.join(example, '901', `${id}.dcm`), path.join(images, `${id}.dcm`));
  fs.writeFileSync(path.join(images, '9019.dcm'), Buffer.from('this is not a DICOM file at all'));
  const whole = fs.readFileSync(path.join(example, '901', '9013.dcm'));
  fs.writeFileSync(path.join(images, '9015.dcm'), whole.subarray(0, whole.length - 100_000)); // pixel data cut short
  fs.writeFileSync(path.join(comp, 'test.csv'), ['site_id,patient_id,image_id,laterality,view,age,implant,machine_id,prediction_id',
    ...ROWS.map(([p, i, l]) => `1,${p},${i},${l},CC,60,0,49,${p}_${l}`)].join('\n') + '\n');
  const trained = path.join(root, 'assets', 'trained');
  fs.mkdirSync(trained, { recursive: true });
  for (const f of folds) fs.symlinkSync(f, path.join(trained, path.basename(f)));
  const settings = path.join(root, 'SETTINGS.json');
  fs.writeFileSync(settings, JSON.stringify({ RAW_DATA_DIR: './raw/', SUBMISSION_DIR: './submissions/', ASSETS_DIR: './assets/' }));
  return { root, settings, out: path.join(root, 'submissions') };
}

t.test('submit with broken files, then kill -9 and --resume', async (t) => {
  const folds = await randomFolds(fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-folds-')));

  // 1. A clean run: broken images are listed, the run finishes.
  const clean = await layout(folds);
  const err = sink();
  const code = await main(['submit', '--settings', clean.settings, '--roi', 'otsu', '--quiet'], { stdout: sink().stream, stderr: err.stream });
  t.equal(code, 0, code === 0 ? 'clean run exits 0' : err.text());
  const errors = parseCsvRecords(read(path.join(clean.out, 'errors.csv'))).records;
  t.same(errors.map((e) => e.image_id).sort(), ['9015', '9019', '9031']);
  const reason = Object.fromEntries(errors.map((e) => [e.image_id, `${e.code} ${e.message}`]));
  t.match(reason['9019'], /ERR_DICOM_NOT_DICOM|not a DICOM/i, `garbage file: ${reason['9019']}`);
  t.match(reason['9015'], /ERR_DICOM_TRUNCATED|truncat|short/i, `truncated file: ${reason['9015']}`);
  t.match(reason['9031'], /ERR_DICOM_READ.*ENOENT|ENOENT/, `missing file: ${reason['9031']}`);
  const preds = parseCsvRecords(read(path.join(clean.out, 'predictions.csv'))).records;
  t.same(preds.map((p) => p.image_id), ['9011', '9012', '9013', '9014']);
  for (const p of preds) {
    const folds4 = [0, 1, 2, 3].map((k) => Number(p[`prob_fold${k}`]));
    t.ok(folds4.every((v) => v > 0 && v < 1), `${p.image_id} fold probabilities in (0, 1)`);
    t.equal(p.roi_method, 'otsu');
    t.equal(p.decoder.length > 0, true);
  }
  const submission = read(path.join(clean.out, 'submission.csv'));
  const lines = submission.trim().split('\n');
  t.same(lines.map((l) => l.split(',')[0]), ['prediction_id', '901_L', '901_R', '903_R']);
  t.equal(lines[3], '903_R,0', 'a breast with no readable image gets 0');

  // 2. The same run killed midway, then resumed.
  const killed = await layout(folds);
  const child = spawn(process.execPath, [...process.execArgv, path.join(__dirname, 'fixtures', 'cli.ts'),
    'submit', '--settings', killed.settings, '--roi', 'otsu', '--batch-size', '1', '--quiet'], { stdio: 'ignore' });
  const journal = path.join(killed.out, 'predictions.csv');
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      const n = fs.existsSync(journal) ? read(journal).split('\n').length - 2 : 0;
      if (n >= 1) {
        clearInterval(timer);
        child.kill('SIGKILL');
        resolve();
      }
    }, 10);
    child.on('exit', (c, sig) => {
      clearInterval(timer);
      if (sig !== 'SIGKILL') reject(new Error(`child ended before the kill (exit ${c})`));
    });
  });
  await exited;
  t.notOk(fs.existsSync(path.join(killed.out, 'submission.csv')), 'no submission.csv after the kill');
  const before = read(journal);
  const done = parseCsvRecords(before.slice(0, before.lastIndexOf('\n') + 1)).records.map((r) => r.image_id);
  t.ok(done.length >= 1 && done.length < 4, `${done.length} image(s) journaled before the kill`);

  const err2 = sink();
  t.equal(await main(['submit', '--settings', killed.settings, '--roi', 'otsu', '--resume', '--quiet'], { stdout: sink().stream, stderr: err2.stream }), 0);
  t.match(err2.text(), new RegExp(`resume: ${done.length} of 7 images already in`));
  const after = parseCsvRecords(read(journal)).records;
  t.same(after.map((r) => r.image_id).sort(), ['9011', '9012', '9013', '9014'], 'every image exactly once');
  t.same(after.slice(0, done.length).map((r) => r.image_id), done, 'finished images kept, not redone');
  t.equal(read(path.join(killed.out, 'submission.csv')), submission, 'identical submission.csv');
  t.equal(parseCsvRecords(read(path.join(killed.out, 'errors.csv'))).records.length, 3);
});
