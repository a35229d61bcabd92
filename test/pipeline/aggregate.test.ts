/**
 * Per-image mean, per-prediction_id mean and threshold (ALGORITHMS.md §5.6.6–§5.9) against the
 * end-to-end golden made by the original code (../shared/golden/e2e: fold_probs → image_mean →
 * per_prediction_id.csv → submission.csv) and hand-computed float32 cases.
 */
import t from 'tap';
import fs from 'fs';
import path from 'path';
import { aggregateBreasts, Float32GroupMean, imageMean, quantileLinear } from '../../lib/pipeline/aggregate';
import { formatSubmission } from '../../lib/run/runSubmit';
import { parseCsvRecords, formatFloat32 } from '../../lib/run/csv';
import { needsShared, readF32, sharedPath } from '../helpers/shared';

t.test('golden e2e: image means and per-prediction_id means are bit-identical, submission equal', needsShared('golden/e2e/fold_probs.f32.bin'), async (t) => {
  const dir = sharedPath('golden/e2e')!;
  const probs = readF32(path.join(dir, 'fold_probs.f32.bin'));
  const means = readF32(path.join(dir, 'image_mean.f32.bin'));
  const test = parseCsvRecords(fs.readFileSync(path.join(dir, 'test.csv'), 'utf8')).records;
  const images = test.map((r, i) => ({ predictionId: r.prediction_id, probability: imageMean(probs.subarray(4 * i, 4 * i + 4)) }));
  t.same(images.map((x) => x.probability), Array.from(means), 'numpy float32 mean order reproduced exactly');
  const { rows } = aggregateBreasts(images);
  const golden = parseCsvRecords(fs.readFileSync(path.join(dir, 'per_prediction_id.csv'), 'utf8')).records;
  t.same(rows.map((r) => r.predictionId), golden.map((g) => g.prediction_id));
  t.same(rows.map((r) => r.probability), golden.map((g) => Number(g.preds)), 'float32 group means exact');
  t.same(rows.map((r) => r.cancer), golden.map((g) => Number(g.cancer)));
  t.equal(formatSubmission(rows), fs.readFileSync(path.join(dir, 'submission.csv'), 'utf8'));
});

t.test('per-image mean: NaN counts as 0; float32 left-to-right sum', async (t) => {
  t.equal(imageMean([NaN, 0.5, 0.5, 0.5]), 0.375);
  // Row 2 of the golden is where the order matters: (p0+p1)+(p2+p3) gives 0.57373065.
  const f = Math.fround;
  const p = [f(0.394102067), f(0.883542597), f(0.460613787), f(0.556664109)];
  t.equal(imageMean(p), f(f(f(f(p[0] + p[1]) + p[2]) + p[3]) / 4));
  t.not(imageMean(p), f(f(f(p[0] + p[1]) + f(p[2] + p[3])) / 4));
});

t.test('group mean is a Kahan float32 sum divided by the count (pandas groupby.mean)', async (t) => {
  const g = new Float32GroupMean();
  t.equal(g.mean(), 0, 'no image predicted → 0');
  for (const v of [0.25, 0.5, 0.75]) g.add(v);
  t.equal(g.mean(), 0.5);
  t.equal(g.count, 3);
});

t.test('threshold is "> 0.31" compared in float32; rows sorted as strings', async (t) => {
  const t32 = Math.fround(0.31); // 0.3100000023841858
  const above = t32 + 2 ** -25; // next float32 above
  const { rows } = aggregateBreasts([
    { predictionId: '9_R', probability: t32 },
    { predictionId: '10_L', probability: above },
    { predictionId: '10_R', probability: 0.3100000001 }, // rounds to float32(0.31): not above
    { predictionId: '2_L', probability: null },
  ]);
  t.same(rows.map((r) => r.predictionId), ['10_L', '10_R', '2_L', '9_R'], 'string order, not numeric');
  t.same(rows.map((r) => r.cancer), [1, 0, 0, 0]);
  t.equal(rows[2].probability, 0, 'breast without any predicted image gets 0');
});

t.test('auto-percentile threshold follows np.quantile linear interpolation', async (t) => {
  // np.quantile([1,2,3,4], 0.97935) = 3 + (4-3)*0.93805 = 3.93805
  t.ok(Math.abs(quantileLinear([4, 1, 3, 2], 0.97935) - 3.93805) < 1e-12);
  t.equal(quantileLinear([5], 0.5), 5);
  const { threshold, rows } = aggregateBreasts(
    [0.1, 0.2, 0.3, 0.9].map((p, i) => ({ predictionId: `p${i}`, probability: p })),
    { quantile: 0.97935 },
  );
  t.ok(threshold > 0.3 && threshold < 0.9);
  t.same(rows.map((r) => r.cancer), [0, 0, 0, 1]);
});

t.test('float32 text round trip', async (t) => {
  for (const v of [0.584229946, 1e-8, 0.31, 1, 0]) {
    t.equal(Math.fround(Number(formatFloat32(v))), Math.fround(v));
  }
});
