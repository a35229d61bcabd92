/**
 * Bounded-concurrency job runner with a progress display: a redrawn bar on a TTY, plain lines
 * (every 5 % and at the end) otherwise. A failing job is reported through `onError` and does not stop
 * the others (a bad image is logged, the dataset goes on).
 */

/** Where progress goes: a bar on TTYs, plain lines on pipes/files. */
export interface ProgressReporter {
  update(label: string, done: number, total: number, skipped: number, failed: number): void;
  log(message: string): void;
  finish(label: string): void;
}

/** A reporter on a stream (stderr by default); `isTTY` picks the bar or plain lines. */
export function streamProgress(stream: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr): ProgressReporter {
  const tty = Boolean(stream.isTTY);
  const started = Date.now();
  let lastPct = -1;
  let drawn = false;
  return {
    update(label, done, total, skipped, failed) {
      const pct = total ? Math.floor((done / total) * 100) : 100;
      const secs = (Date.now() - started) / 1000;
      const rate = secs > 0 ? (done - skipped) / secs : 0;
      const eta = rate > 0 ? Math.round((total - done) / rate) : 0;
      const text = `${label} ${done}/${total} (${pct}%) skipped ${skipped} failed ${failed} ${rate.toFixed(1)} img/s ETA ${eta}s`;
      if (tty) {
        const width = 24;
        const fill = Math.round((width * done) / Math.max(total, 1));
        stream.write(`\r[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${text}\x1b[K`);
        drawn = true;
      } else if (done === total || pct >= lastPct + 5) {
        lastPct = pct;
        stream.write(`${text}\n`);
      }
    },
    log(message) {
      if (drawn) stream.write('\n');
      drawn = false;
      stream.write(`${message}\n`);
    },
    finish() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}

/** A reporter that prints nothing. */
export const silentProgress: ProgressReporter = { update() {}, log() {}, finish() {} };

export interface PoolOptions<J> {
  label: string;
  progress?: ProgressReporter;
  onError?: (job: J, err: unknown) => void;
}

/**
 * Runs `work` over `jobs` with at most `concurrency` in flight; resolves when all have settled.
 * `work` returns 'skipped' for jobs already done by an earlier run (resume).
 */
export async function runPool<J>(
  jobs: readonly J[],
  concurrency: number,
  work: (job: J, index: number) => Promise<'done' | 'skipped'>,
  options: PoolOptions<J>,
): Promise<{ done: number; skipped: number; failed: number }> {
  const progress = options.progress;
  let next = 0;
  let done = 0;
  let skipped = 0;
  let failed = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      try {
        if ((await work(jobs[i], i)) === 'skipped') skipped++;
      } catch (err) {
        failed++;
        options.onError?.(jobs[i], err);
        progress?.log(`${options.label}: ${describe(jobs[i])}: ${(err as Error)?.message ?? String(err)}`);
      }
      done++;
      progress?.update(options.label, done, jobs.length, skipped, failed);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, jobs.length)) }, worker));
  progress?.finish(options.label);
  return { done, skipped, failed };
}

function describe(job: unknown): string {
  if (typeof job === 'string') return job;
  const j = job as { file?: string; dicom?: string; src?: string };
  return j?.file ?? j?.dicom ?? j?.src ?? JSON.stringify(job);
}
