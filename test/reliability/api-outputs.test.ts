// Hostile input, part 5: bad public-API arguments and odd output folders are typed errors; close()
// stops a running predictMany; one stuck image cannot stop a run (per-image deadline).
import fs from 'fs';
import os from 'os';
import path from 'path';
import t from 'tap';
import { createPipelineFromStages } from '../../lib/pipeline/scheduler';
import type { ImageResult } from '../../lib/pipeline/types';
import { loadSettings } from '../../lib/settings';
import { runSubmit } from '../../lib/run/runSubmit';
import { ensureOutputDir } from '../../lib/run/outputDir';
import { fakeStages } from '../pipeline/fakeStages';
import { fakeRows } from '../pipeline/fixtures/fakeRows';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-api-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

t.test('predict(undefined) and friends are typed argument errors', async (t) => {
  const pipeline = createPipelineFromStages(fakeStages());
  for (const bad of [undefined, null, 42]) {
    await t.rejects(pipeline.predict(bad as never), { code: 'ERR_INVALID_ARGUMENT', name: 'RsnaMammoError' }, `predict(${String(bad)})`);
  }
  await pipeline.close();
});

t.test('SETTINGS.json that is null, an array or a number is ERR_SETTINGS', async (t) => {
  for (const text of ['null', '[]', '3']) {
    const file = path.join(dir, `settings-${text}.json`);
    fs.writeFileSync(file, text);
    t.throws(() => loadSettings(file), { code: 'ERR_SETTINGS', message: /must be a JSON object/ }, text);
  }
});

t.test('odd SUBMISSION_DIRs are ERR_OUTPUT_DIR before any image is read', async (t) => {
  const file = path.join(dir, 'a-file');
  fs.writeFileSync(file, 'x');
  const stages = fakeStages();
  const run = (outDir: string) => runSubmit({ rows: fakeRows(4), pipeline: createPipelineFromStages(stages), outDir });
  await t.rejects(run(path.join(file, 'sub')), { code: 'ERR_OUTPUT_DIR', message: /ENOTDIR/ }, 'a file in the path');
  const t0 = Date.now();
  await t.rejects(run('/proc/self/rsna-out/deeper'), { code: 'ERR_OUTPUT_DIR', message: /pseudo-filesystem/ }, 'under /proc: no endless mkdir');
  t.ok(Date.now() - t0 < 2000, 'answered at once');
  t.equal(stages.prepared.length, 0, 'no image was read');
  const nested = ensureOutputDir(path.join(dir, 'a', 'b', 'c'));
  t.ok(fs.statSync(nested).isDirectory(), 'missing parents are created');
  if (process.getuid?.() === 0) {
    t.comment('running as root: permission bits do not stop root, EACCES case skipped');
  } else {
    const ro = path.join(dir, 'read-only');
    fs.mkdirSync(ro, { mode: 0o500 });
    t.throws(() => ensureOutputDir(ro), { code: 'ERR_OUTPUT_DIR', message: /EACCES|not writable/ });
  }
});

t.test('close() during predictMany stops pulling work', async (t) => {
  const stages = fakeStages({ prepareDelayMs: 10 });
  const pipeline = createPipelineFromStages(stages, { batchSize: 2, concurrency: 2 });
  const files = Array.from({ length: 40 }, (_, i) => `img${i}.dcm`);
  const seen: ImageResult[] = [];
  await t.rejects((async () => {
    for await (const r of pipeline.predictMany(files)) {
      seen.push(r);
      if (seen.length === 2) await pipeline.close();
    }
  })(), { code: 'ERR_PIPELINE_CLOSED' });
  t.ok(stages.prepared.length < 12, `${stages.prepared.length} of 40 images were prepared`);
});

t.test('a stuck image is an ERR_IMAGE_TIMEOUT failure and the run goes on', async (t) => {
  const base = fakeStages();
  const stuck = { ...base, prepare: (source: string | Uint8Array, key: string) => (key === 'stuck.dcm' ? new Promise<never>(() => undefined) : base.prepare(source, key)) };
  const pipeline = createPipelineFromStages(stuck, { imageTimeoutMs: 300 });
  const results: ImageResult[] = [];
  for await (const r of pipeline.predictMany(['a.dcm', 'stuck.dcm', 'b.dcm', 'c.dcm'])) results.push(r);
  t.same(results.map((r) => r.ok), [true, false, true, true]);
  t.match(results[1], { code: 'ERR_IMAGE_TIMEOUT', message: /imageTimeoutMs/ });
  await pipeline.close();
});
