/**
 * The event loop stays responsive while the pipeline predicts (DESIGN.md: no heavy work on the JS
 * thread): a 5 ms timer's lateness stays under 50 ms during decode, ROI, windowing, report thumbnails
 * and inference of the example study (plus an RSNA-size J2K image when ../shared is present).
 * test/pipeline/crossings.test.ts checks the other half: one native job per stage, no image-sized array back.
 * A timer's lateness also counts the OS scheduler (CI runs two test files at once on 2 cores): a
 * twin 5 ms timer runs in a worker thread at the same time, and each main-thread tick's lateness is
 * reduced by the worst lateness the worker saw in the same time window. What remains is the time
 * the JS thread itself was busy; that must stay under 50 ms. When even an idle loop misses by more
 * than 10 ms at the 99th percentile, the machine is too loaded to measure and the test skips visibly.
 */
import t from 'tap';
import fs from 'fs';
import path from 'path';
import { createHook } from 'async_hooks';
import { Worker } from 'worker_threads';
import { PerformanceObserver } from 'perf_hooks';
import { createPipeline } from '../../lib/pipeline/createPipeline';
import { repoRoot, sharedPath } from '../helpers/shared';
import { randomEnsembleOnnx } from './demoModel';

interface Tick { end: number; late: number } // absolute end time (ms since epoch) and lateness

/** Starts a 5 ms timer on this thread; `stop()` returns its ticks. */
function lateness(): { stop: () => Tick[] } {
  const ticks: Tick[] = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    ticks.push({ end: performance.timeOrigin + now, late: Math.max(0, now - last - 5) });
    last = now;
  }, 5);
  return { stop: () => (clearInterval(timer), ticks) };
}

/** The same 5 ms timer in a worker thread: what the OS scheduler alone costs a timer meanwhile. */
function schedulerNoise(): { stop: () => Promise<Tick[]> } {
  const source = `
    const { parentPort } = require('worker_threads');
    const ticks = []; let last = performance.now();
    const timer = setInterval(() => { const now = performance.now();
      ticks.push({ end: performance.timeOrigin + now, late: Math.max(0, now - last - 5) }); last = now; }, 5);
    parentPort.on('message', () => { clearInterval(timer); parentPort.postMessage(ticks); });`;
  const worker = new Worker(source, { eval: true });
  return {
    stop: () =>
      new Promise<Tick[]>((resolve, reject) => {
        worker.once('message', (ticks: Tick[]) => void worker.terminate().then(() => resolve(ticks)));
        worker.once('error', reject);
        worker.postMessage('stop');
      }),
  };
}

/** Each main tick's lateness minus the worst worker lateness overlapping its window, sorted ascending. */
function loopBlocking(main: Tick[], noise: Tick[]): number[] {
  return main
    .map((tick) => {
      const start = tick.end - 5 - tick.late;
      const overlapping = noise.filter((n) => n.end >= start && n.end - 5 - n.late <= tick.end);
      const scheduler = overlapping.reduce((m, n) => Math.max(m, n.late), 0);
      return Math.max(0, tick.late - scheduler);
    })
    .sort((a, b) => a - b);
}

/** Records how long each callback runs on the JS thread (what blocks the loop, whoever runs it). */
function callbackDurations(): { stop: () => number } {
  const started = new Map<number, number>();
  let longest = 0;
  const hook = createHook({
    before(id) { started.set(id, performance.now()); },
    after(id) {
      const s = started.get(id);
      if (s !== undefined) longest = Math.max(longest, performance.now() - s);
      started.delete(id);
    },
  }).enable();
  return { stop: () => (hook.disable(), longest) };
}

/** Records the longest garbage-collection pause on this thread (it blocks the loop outside callbacks). */
function gcPauses(): { stop: () => number } {
  let longest = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) longest = Math.max(longest, entry.duration);
  });
  observer.observe({ entryTypes: ['gc'] });
  return { stop: () => (observer.disconnect(), longest) };
}

const p99 = (xs: number[]): number => xs[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))];

t.test('timer jitter < 50 ms during predict', async (t) => {
  const classifier = await randomEnsembleOnnx();
  const pipeline = await createPipeline({ classifier, roi: 'otsu' });
  const dir = path.join(repoRoot, 'assets/example/rsna-breast-cancer-detection/test_images/901');
  const files = fs.readdirSync(dir).sort().map((f) => path.join(dir, f));
  const big = sharedPath('data/dicom/rsna-kaggle/test_images/10008/736471439.dcm');
  if (big) files.push(big);
  try {
    await pipeline.predict(files[0]); // warm-up: worker start and model load are not the steady state
    const idle = lateness();
    await new Promise((r) => setTimeout(r, 2000));
    const noise = idle.stop().map((tick) => tick.late).sort((a, b) => a - b);
    if (p99(noise) > 10) {
      t.skip(`machine too loaded to measure: an idle 5 ms timer is already ${p99(noise).toFixed(1)} ms late at p99 (max ${noise[noise.length - 1].toFixed(1)} ms)`);
      return;
    }
    const scheduler = schedulerNoise();
    const busy = lateness();
    const blocking = callbackDurations();
    const gc = gcPauses();
    let n = 0;
    for await (const r of pipeline.predictMany(files)) {
      t.ok(r.ok, `${path.basename(r.key)} predicted`);
      n += 1;
    }
    const longest = blocking.stop();
    const longestGc = gc.stop();
    const mainTicks = busy.stop();
    const noiseTicks = await scheduler.stop();
    const raw = mainTicks.map((tick) => tick.late).sort((a, b) => a - b);
    const during = loopBlocking(mainTicks, noiseTicks);
    t.equal(n, files.length);
    t.ok(noiseTicks.length > 10, `the worker-thread timer ticked ${noiseTicks.length} times`);
    t.comment(`idle p99 ${p99(noise).toFixed(1)} ms; during predict raw lateness p99 ${p99(raw).toFixed(1)} ms, max ${raw[raw.length - 1].toFixed(1)} ms; longest callback ${longest.toFixed(1)} ms; longest GC pause ${longestGc.toFixed(1)} ms`);
    t.ok(during[during.length - 1] < 50, `worst timer lateness not explained by the scheduler ${during[during.length - 1].toFixed(1)} ms < 50 ms over ${during.length} ticks`);
  } finally {
    await pipeline.close();
  }
});
