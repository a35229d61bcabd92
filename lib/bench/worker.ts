/**
 * Child-process entry of rsna-mammo's side: `node worker.js JOB.json` runs one job (one stage at one
 * thread count, set in the environment by sides.ts) and prints one JSON line (SideResult), or
 * `{"unavailable": reason}` when the stage's functions are not in this build.
 */
import fs from 'fs';
import { procStatusKb, peakRssKb, timeRepeated } from './measure';
import { oursStage } from './adapters';
import { BenchJob, ItemResult, SideResult } from './types';

async function main(file: string): Promise<void> {
  const job = JSON.parse(fs.readFileSync(file, 'utf8')) as BenchJob;
  const setup = oursStage(job);
  if (typeof setup === 'string') {
    process.stdout.write(`${JSON.stringify({ unavailable: setup })}\n`);
    return;
  }
  const items: ItemResult[] = [];
  let peak = 0;
  let baseline: number | null = null;
  for (const it of job.items) {
    const stage = await setup(it);
    const rss = procStatusKb('VmRSS');
    if (rss !== null) baseline = Math.max(baseline ?? 0, rss);
    const timed = await timeRepeated(stage.run, job.warmup, job.repeats);
    peak = Math.max(peak, peakRssKb());
    items.push({ id: it.id, ms: timed.ms, output: stage.output(timed.last) });
  }
  const result: SideResult = {
    side: 'rsna_mammo',
    stage: job.stage,
    threads: job.threads,
    items,
    peak_rss_kb: peak,
    baseline_rss_kb: baseline,
    versions: { node: process.version, uvThreadpool: process.env.UV_THREADPOOL_SIZE ?? null },
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main(process.argv[2]).catch((err: Error & { code?: string }) => {
  process.stderr.write(`bench worker: ${err.message}${err.code ? ` [${err.code}]` : ''}\n`);
  process.exitCode = 1;
});
