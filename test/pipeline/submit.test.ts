/**
 * The submission run (ALGORITHMS.md §5): files written, failed images listed in errors.csv while the
 * run goes on, resume after kill -9 with the identical submission.csv and no finished image redone,
 * and memory bounded on a 10,000-image run. Stage doubles (fakeStages.ts); the real stages are
 * exercised by e2e.test.ts and cli.test.ts.
 */
import t from 'tap';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { spawn } from 'child_process';
import { createPipelineFromStages } from '../../lib/pipeline/scheduler';
import { aggregateBreasts, imageMean } from '../../lib/pipeline/aggregate';
import { formatSubmission, runSubmit } from '../../lib/run/runSubmit';
import { parseCsvRecords } from '../../lib/run/csv';
import { fakeProbability, fakeStages } from './fakeStages';
import { fakeRows } from './fixtures/fakeRows';

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-submit-'));
const read = (f: string): string => fs.readFileSync(f, 'utf8');
/** The expected per-image mean of a fake image, from the fake's definition. */
const expectedMean = (key: string): number => imageMean([0, 1, 2, 3].map((f) => fakeProbability(key, f)));

t.test('writes submission.csv, predictions.csv and errors.csv; failed images leave their breast mean', async (t) => {
  const dir = tmp();
  const rows = fakeRows(12);
  // Image 1 (patient 10000, L) and both R images of patient 10007 fail.
  const failing = new Set([rows[1].imageId, rows[6].imageId, rows[7].imageId]);
  const stages = fakeStages({ failPrepare: failing });
  const res = await runSubmit({ rows, pipeline: createPipelineFromStages(stages), outDir: dir });
  t.equal(res.predicted, 9);
  t.equal(res.failed, 3);
  const errors = parseCsvRecords(read(res.errorsFile)).records;
  t.same(errors.map((e) => e.image_id).sort(), [...failing].sort());
  t.match(errors[0], { stage: 'prepare', code: 'ERR_DICOM_NOT_DICOM', message: /not a DICOM file/, file: /\.dcm$/ });
  const preds = parseCsvRecords(read(res.predictionsFile));
  t.same(preds.header.slice(0, 9), ['image_id', 'patient_id', 'laterality', 'prediction_id', 'prob_fold0', 'prob_fold1', 'prob_fold2', 'prob_fold3', 'image_mean']);
  t.ok(preds.header.includes('decoder') && preds.header.includes('roi_method') && preds.header.includes('infer_ms'));
  t.equal(preds.records.length, 9);
  // Expected breast means computed from the fake's probabilities, failed images left out.
  const expected = aggregateBreasts(rows.map((r) => ({ predictionId: r.predictionId, probability: failing.has(r.imageId) ? null : expectedMean(r.imageId) })));
  t.equal(read(res.submissionFile), formatSubmission(expected.rows));
  const lines = read(res.submissionFile).trim().split('\n');
  t.equal(lines[0], 'prediction_id,cancer');
  t.same(lines.slice(1).map((l) => l.split(',')[0]), ['10000_L', '10000_R', '10007_L', '10007_R', '10014_L', '10014_R']);
  t.equal(res.breasts.find((b) => b.predictionId === '10000_L')!.probability, expectedMean(rows[0].imageId), 'mean of the other image');
  t.equal(res.breasts.find((b) => b.predictionId === '10007_R')!.probability, 0, 'no image left → 0');
});

t.test('resume after a crash mid-line: the partial line is dropped and only missing images run', async (t) => {
  const dir = tmp();
  const rows = fakeRows(10);
  const full = await runSubmit({ rows, pipeline: createPipelineFromStages(fakeStages()), outDir: dir });
  const submission = read(full.submissionFile);
  // Keep the header + 4 records + half of the 5th line, as if killed during a write.
  const text = read(full.predictionsFile).split('\n');
  fs.writeFileSync(full.predictionsFile, `${text.slice(0, 5).join('\n')}\n${text[5].slice(0, 20)}`);
  fs.rmSync(full.submissionFile);
  const stages = fakeStages();
  const res = await runSubmit({ rows, pipeline: createPipelineFromStages(stages), outDir: dir, resume: true });
  t.equal(res.resumed, 4);
  t.same(stages.prepared, rows.slice(4).map((r) => r.imageId), 'finished images are not redone');
  t.equal(read(res.submissionFile), submission);
  t.equal(parseCsvRecords(read(res.predictionsFile)).records.length, 10);
});

t.test('kill -9 during a submission run, then --resume: same submission.csv, no finished image redone', async (t) => {
  const dir = tmp();
  const clean = tmp();
  const count = 40;
  const child = path.join(__dirname, 'fixtures', 'submitChild.ts');
  const run = (out: string, resume: boolean) =>
    spawn(process.execPath, [...process.execArgv, child, out, String(count), resume ? '1' : '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exit = (p: ReturnType<typeof spawn>) => new Promise<number | null>((r) => p.on('exit', (code) => r(code)));

  const first = run(dir, false);
  const predictions = path.join(dir, 'predictions.csv');
  // Wait until some (not all) images are journaled, then SIGKILL.
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      const n = fs.existsSync(predictions) ? read(predictions).split('\n').length - 2 : 0;
      if (n >= 8) {
        clearInterval(timer);
        first.kill('SIGKILL');
        resolve();
      }
    }, 5);
    first.on('exit', () => {
      clearInterval(timer);
      reject(new Error('child finished before it was killed'));
    });
  });
  await exit(first);
  t.notOk(fs.existsSync(path.join(dir, 'submission.csv')), 'killed before writing submission.csv');
  const journaled = parseCsvRecords(read(predictions).slice(0, read(predictions).lastIndexOf('\n') + 1)).records.map((r) => r.image_id);
  t.ok(journaled.length >= 8 && journaled.length < count, `${journaled.length} images journaled before the kill`);
  fs.rmSync(path.join(dir, 'prepared.log'));

  t.equal(await exit(run(dir, true)), 0, 'resumed run exits 0');
  const redone = read(path.join(dir, 'prepared.log')).trim().split('\n');
  t.same(redone.filter((k) => journaled.includes(k)), [], 'no journaled image prepared again');
  t.equal(redone.length, count - journaled.length);

  t.equal(await exit(run(clean, false)), 0);
  t.equal(read(path.join(dir, 'submission.csv')), read(path.join(clean, 'submission.csv')), 'identical submission.csv');
  const sorted = (f: string) => read(f).trim().split('\n').slice(1).map((l) => l.split(',').slice(0, 9).join(',')).sort();
  t.same(sorted(predictions), sorted(path.join(clean, 'predictions.csv')), 'same per-image probabilities');
});

t.test('memory stays bounded on a 10,000-image run', async (t) => {
  const dir = tmp();
  const rows = fakeRows(10_000);
  const stages = fakeStages({ inputBytes: 2048 * 1024 });
  // Only the bookkeeping of the stage double itself grows; drop it.
  stages.events = new Proxy([], { get: (a, k) => (k === 'push' ? () => 0 : Reflect.get(a, k)) });
  stages.prepared = stages.events;
  stages.batches = stages.events;
  const before = process.memoryUsage();
  let peak = 0;
  const res = await runSubmit({
    rows,
    pipeline: createPipelineFromStages(stages),
    outDir: dir,
    onResult: () => {
      const m = process.memoryUsage();
      peak = Math.max(peak, m.heapUsed + m.arrayBuffers - before.heapUsed - before.arrayBuffers);
    },
  });
  t.equal(res.predicted, 10_000);
  t.equal(res.breasts.length, 5000);
  // 6 classifier inputs of 2 MiB are in flight at most (batch 2 + prefetch 2 + current); 20 GB went through.
  t.ok(peak < 400 * 1024 * 1024, `peak growth ${(peak / 1048576).toFixed(0)} MiB < 400 MiB for 10,000 images of 2 MiB`);
});
