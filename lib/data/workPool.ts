/**
 * Bounded-concurrency job runner with a progress display (lib/run/progress.ts: a redrawn bar on a
 * TTY, plain lines every 10 s and at the end otherwise). A failing job is reported through `onError`
 * and does not stop the others (a bad image is logged, the dataset goes on).
 */
import { createProgress, Progress, ProgressCounts } from '../run/progress';

/** Where progress goes: a bar on TTYs, plain lines on pipes/files. */
export interface ProgressReporter {
  update(label: string, done: number, total: number, skipped: number, failed: number): void;
  log(message: string): void;
  finish(label: string): void;
}

/**
 * A reporter on a stream (stderr by default): lib/run/progress.ts's display (bar on a TTY, a line every
 * 10 s and at the end otherwise), one per label.
 */
export function streamProgress(stream: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr): ProgressReporter {
  let current: { label: string; progress: Progress; counts: ProgressCounts } | undefined;
  const forLabel = (label: string, counts: ProgressCounts) => {
    if (current?.label !== label) current = { label, progress: createProgress({ stream, label }), counts };
    current.counts = counts;
    return current.progress;
  };
  return {
    update(label, done, total, skipped, failed) {
      const counts = { done: done - failed, failed, total, skipped };
      forLabel(label, counts).update(counts);
    },
    log(message) {
      if (current) current.progress.log(message);
      else stream.write(`${message}\n`);
    },
    finish(label) {
      if (current?.label === label) current.progress.finish(current.counts);
      current = undefined;
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
