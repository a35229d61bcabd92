/**
 * Child-process entry of rsna-mammo's side: `node worker.js JOBS.json` runs one job or a batch (rows
 * at one thread count, set in the environment by sides.ts) and prints one JSON line per job: a
 * SideResult, `{"unavailable": reason}` when the stage's functions are not in this build, or
 * `{"error": message}`.
 */
import fs from 'fs';
import { gate, procStatusKb, peakRssKb, timeRepeated } from './measure';
import { oursStage } from './adapters';
import { BenchJob, ItemResult, SideResult } from './types';

async function runJob(job: BenchJob): Promise<SideResult | { unavailable: string }> {
  const setup = oursStage(job);
  if (typeof setup === 'string') return { unavailable: setup };
  const items: ItemResult[] = [];
  let peak = 0;
  let baseline: number | null = null;
  for (const it of job.items) {
    gate(); // the item's setup and warmup run alone too
    const stage = await setup(it);
    const rss = procStatusKb('VmRSS');
    if (rss !== null) baseline = Math.max(baseline ?? 0, rss);
    const timed = await timeRepeated(stage.run, job.warmup, job.repeats);
    peak = Math.max(peak, peakRssKb());
    items.push({ id: it.id, ms: timed.ms, cpu_ms: timed.cpuMs, output: stage.output(timed.last) });
  }
  return {
    side: 'rsna_mammo',
    stage: job.stage,
    threads: job.threads,
    items,
    peak_rss_kb: peak,
    baseline_rss_kb: baseline,
    versions: { node: process.version, uvThreadpool: process.env.UV_THREADPOOL_SIZE ?? null },
  };
}

async function main(file: string): Promise<void> {
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as BenchJob | BenchJob[];
  for (const job of Array.isArray(parsed) ? parsed : [parsed]) {
    const result = await runJob(job).catch((err: Error & { code?: string }) => ({ error: `${err.message}${err.code ? ` [${err.code}]` : ''}` }));
    fs.writeSync(1, `${JSON.stringify(result)}\n`); // synchronous: ordered with the gate lines
  }
}

main(process.argv[2]).then(
  // Sessions and worker threads of the models may keep the loop alive: the batch is done.
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`bench worker: ${err.message}\n`);
    process.exit(1);
  },
);
