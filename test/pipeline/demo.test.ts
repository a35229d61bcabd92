/**
 * `rsna-mammo demo` (the README's main-job command, `npm run demo`): the whole submission path on the
 * bundled example study with untrained weights → submission.csv, predictions.csv and report.html,
 * saying in bold (terminal and report) that the numbers are not predictions.
 */
import t from 'tap';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { Writable } from 'stream';
import { main } from '../../lib/cli/main';
import { parseCsvRecords } from '../../lib/run/csv';

function sink(tty = false): { stream: Writable & { isTTY?: boolean }; text: () => string } {
  let text = '';
  const stream: Writable & { isTTY?: boolean } = new Writable({ write(c, _e, cb) { text += String(c); cb(); } });
  stream.isTTY = tty;
  return { stream, text: () => text };
}

t.test('demo writes the submission and a report, labelled untrained', async (t) => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-demo-'));
  const noModels = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-no-models-'));
  const stdout = sink();
  const stderr = sink(true);
  const code = await main(['demo', '--out', out, '--models', noModels], { stdout: stdout.stream, stderr: stderr.stream });
  t.equal(code, 0, code === 0 ? 'exit 0' : stderr.text());
  t.match(stderr.text(), /\x1b\[1;31mUNTRAINED DEMO WEIGHTS.*NOT PREDICTIONS/, 'bold warning on the terminal');
  t.match(stderr.text(), /\rdemo \[[#.]+\] 8\/8 \(100\.0%\)\s+[\d.]+ img\/s\s+ETA/, 'progress bar with images/s and ETA on a TTY');
  t.match(stdout.text(), /NOT PREDICTIONS/);
  t.match(stderr.text(), /no YOLOX weights .*Otsu fallback/);

  const submission = fs.readFileSync(path.join(out, 'submission.csv'), 'utf8').trim().split('\n');
  t.same(submission.map((l) => l.split(',')[0]), ['prediction_id', '901_L', '901_R', '902_L', '902_R']);
  t.ok(submission.slice(1).every((l) => /,[01]$/.test(l)));
  const preds = parseCsvRecords(fs.readFileSync(path.join(out, 'predictions.csv'), 'utf8')).records;
  t.equal(preds.length, 8, 'all 8 example images predicted');
  t.same(new Set(preds.map((p) => p.roi_method)), new Set(['otsu']), 'the breast is found by Otsu on every synthetic image');
  for (const p of preds) {
    const [x0, y0, x1, y1] = [p.roi_x0, p.roi_y0, p.roi_x1, p.roi_y1].map(Number);
    t.ok(Number(p.roi_area_pct) > 0.2 && x1 - x0 < 384 && y1 - y0 <= 512 && x0 >= 0 && y0 >= 0, `${p.image_id}: ROI [${x0},${y0},${x1},${y1}] is the breast, not the whole frame`);
  }
  const report = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
  t.match(report, /<strong>UNTRAINED DEMO WEIGHTS[^<]*THESE NUMBERS ARE NOT PREDICTIONS/);
  t.equal(report.match(/<section class="card">/g)?.length, 8, 'one card per image');
  t.equal(report.match(/<rect [^>]*stroke="#ff3b30"/g)?.length, 8, 'ROI box drawn on every thumbnail');
  t.equal(report.match(/data:image\/png;base64,/g)?.length, 16, 'image and classifier-input thumbnails');
  t.match(report, /fold 3<\/td>/);
});
