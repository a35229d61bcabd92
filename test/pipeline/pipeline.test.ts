/**
 * The pipeline object's scheduling (DESIGN.md): input order kept, batches of 2, prepare of the
 * next images overlapping inference, bounded concurrency, lazy pulling (back-pressure), and
 * per-image failure isolation. Stage doubles from fakeStages.ts; real stages are tested in e2e.
 */
import t from 'tap';
import { createPipelineFromStages } from '../../lib/pipeline/scheduler';
import { imageMean } from '../../lib/pipeline/aggregate';
import { fakeProbability, fakeStages } from './fakeStages';

const keys = (n: number): string[] => Array.from({ length: n }, (_, i) => `p${Math.floor(i / 4)}/img${i}`);

t.test('results come in input order, in batches of 2, with fold probabilities and their mean', async (t) => {
  const stages = fakeStages({ prepareDelayMs: 2 });
  const p = createPipelineFromStages(stages);
  const got: string[] = [];
  for await (const r of p.predictMany(keys(5).map((k) => ({ source: `/x/${k}.dcm`, key: k })))) {
    t.ok(r.ok);
    if (!r.ok) continue;
    got.push(r.key);
    const expected = [0, 1, 2, 3].map((f) => fakeProbability(r.key, f));
    t.same(r.foldProbabilities, expected);
    t.equal(r.probability, imageMean(expected));
    t.ok(r.timings.inferMs >= 0);
  }
  t.same(got, keys(5));
  t.same(stages.batches.map((b) => b.length), [2, 2, 1], 'batch 2, last partial batch kept (§5.6.5)');
  await p.close();
});

t.test('decode of the next images overlaps inference of the current batch', async (t) => {
  const stages = fakeStages({ prepareDelayMs: 5, inferDelayMs: 40 });
  const p = createPipelineFromStages(stages, { batchSize: 2, concurrency: 2 });
  for await (const r of p.predictMany(keys(6))) void r;
  const ev = stages.events;
  const firstInferEnd = ev.indexOf(`infer-end ${keys(6)[0]}+${keys(6)[1]}`);
  const thirdPrepareStart = ev.indexOf(`prepare-start ${keys(6)[2]}`);
  t.ok(thirdPrepareStart >= 0 && thirdPrepareStart < firstInferEnd, 'image 3 prepared while batch 1 runs');
});

t.test('concurrency and read-ahead are bounded; the source is pulled lazily', async (t) => {
  const stages = fakeStages({ prepareDelayMs: 3, inferDelayMs: 3 });
  const p = createPipelineFromStages(stages, { batchSize: 2, concurrency: 3, prefetch: 3 });
  let pulled = 0;
  let consumed = 0;
  let maxAhead = 0;
  function* source(): Generator<string> {
    for (const k of keys(40)) {
      pulled += 1;
      maxAhead = Math.max(maxAhead, pulled - consumed);
      yield k;
    }
  }
  for await (const r of p.predictMany(source())) {
    consumed += 1;
    void r;
  }
  t.equal(consumed, 40);
  t.ok(stages.maxConcurrentPrepare <= 3, `max concurrent prepares ${stages.maxConcurrentPrepare} ≤ 3`);
  t.ok(maxAhead <= 2 + 3 + 2, `read-ahead ${maxAhead} ≤ batch + prefetch + current batch`);
});

t.test('a failing image is reported and the stream goes on; a failing batch is retried image by image', async (t) => {
  const k = keys(6);
  const stages = fakeStages({ failPrepare: new Set([k[1]]), failInfer: new Set([k[4]]) });
  const p = createPipelineFromStages(stages);
  const results = [];
  for await (const r of p.predictMany(k)) results.push(r);
  t.same(results.map((r) => r.ok), [true, false, true, true, false, true]);
  const [bad1, bad4] = [results[1], results[4]];
  t.match(bad1, { ok: false, stage: 'prepare', code: 'ERR_DICOM_NOT_DICOM', message: /not a DICOM/ });
  t.match(bad4, { ok: false, stage: 'infer', message: /model failed/ });
  t.ok(results[5].ok, 'the batch partner of the failing image still gets its prediction');
});

t.test('predict(path | Buffer) resolves one prediction or throws with the code', async (t) => {
  const stages = fakeStages({ failPrepare: new Set(['buffer-2']) });
  const p = createPipelineFromStages(stages);
  const r = await p.predict(Buffer.from('DICM'));
  t.equal(r.key, 'buffer-1');
  await t.rejects(p.predict(new Uint8Array(4)), { code: 'ERR_DICOM_NOT_DICOM' });
  await t.rejects(p.predict(42 as unknown as string), { code: 'ERR_INVALID_ARGUMENT' });
  t.throws(() => createPipelineFromStages(stages, { batchSize: 0 }), { code: 'ERR_INVALID_ARGUMENT', message: /batchSize/ });
  await p.close();
  await t.rejects(async () => { for await (const x of p.predictMany(['a'])) void x; }, { code: 'ERR_PIPELINE_CLOSED' });
});

t.test('stopping early leaves no job running', async (t) => {
  const stages = fakeStages({ prepareDelayMs: 5 });
  const p = createPipelineFromStages(stages);
  for await (const r of p.predictMany(keys(20))) {
    void r;
    break;
  }
  const started = stages.events.filter((e) => e.startsWith('prepare-start')).length;
  const ended = stages.events.filter((e) => e.startsWith('prepare-end')).length;
  t.equal(started, ended, 'every started prepare settled');
  t.ok(started < 20, `only ${started} of 20 started`);
});
