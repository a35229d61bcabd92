/**
 * `predict --backend libtorch` on the RSNA example files gives ONNX Runtime's fold probabilities
 * within 1e-5, and predictions name the backend that ran (the `backend` column). The models are the
 * demo's seeded random fold checkpoints (test/pipeline/demoModel.ts); ROI by Otsu (no detector).
 * Skips by name when the libtorch addon is not built.
 */
import t from 'tap';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { Writable } from 'stream';
import { main } from '../../lib/cli/main';
import { parseCsvRecords } from '../../lib/run/csv';
import { libtorchAddonStatus } from '../../lib/runtime/libtorch_addon';
import { repoRoot } from '../helpers/shared';
import { randomFolds } from '../pipeline/demoModel';

const example = path.join(repoRoot, 'assets/example/rsna-breast-cancer-detection/test_images');
const addon = libtorchAddonStatus();

function sink(): { stream: Writable; text: () => string } {
  let text = '';
  return { stream: new Writable({ write(c, _e, cb) { text += String(c); cb(); } }), text: () => text };
}

t.test('predict --backend libtorch = --backend onnxruntime within 1e-5', { skip: addon.loaded ? false : `libtorch addon not usable (${addon.reason}): "predict --backend libtorch" skipped` }, async (t) => {
  const models = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-libtorch-predict-'));
  await randomFolds(models);
  const files = ['901/9011.dcm', '902/9022.dcm', '902/9023.dcm'].map((f) => path.join(example, f));
  const rows: Record<string, Record<string, string>[]> = {};
  for (const backend of ['onnxruntime', 'libtorch']) {
    const csv = path.join(models, `${backend}.csv`);
    const err = sink();
    const code = await main(['predict', ...files, '--models', models, '--roi', 'otsu', '--backend', backend, '--threads', '1', '--out', csv, '--quiet'],
      { stdout: sink().stream, stderr: err.stream });
    t.equal(code, 0, `predict --backend ${backend} exits 0 ${code ? err.text() : ''}`);
    rows[backend] = parseCsvRecords(fs.readFileSync(csv, 'utf8')).records;
  }
  t.equal(rows.libtorch.length, 3);
  t.same(rows.libtorch.map((r) => r.backend), ['libtorch:cpu', 'libtorch:cpu', 'libtorch:cpu'], 'the backend column names libtorch and its device');
  t.same(rows.onnxruntime.map((r) => r.backend), ['onnxruntime', 'onnxruntime', 'onnxruntime']);
  let maxAbs = 0;
  for (const [i, r] of rows.libtorch.entries()) {
    const o = rows.onnxruntime[i];
    t.equal(r.file, o.file);
    for (let k = 0; k < 4; k++) maxAbs = Math.max(maxAbs, Math.abs(Number(r[`prob_fold${k}`]) - Number(o[`prob_fold${k}`])));
  }
  t.ok(maxAbs <= 1e-5, `fold probabilities: max |libtorch − onnxruntime| ${maxAbs.toExponential(2)} (≤ 1e-5)`);
});
