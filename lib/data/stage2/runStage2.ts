/**
 * Stage 2 of one dataset (ALGORITHMS.md §7.7): every row of cleaned_label.csv →
 * cleaned_images/{patient_id}@{image_id}.png, on N worker threads (each with its own detector) or in
 * process for N = 1. Resumable: existing PNGs are skipped (writes are atomic). A failing image is
 * recorded in cleaned_images_errors.csv with its reason; the others go on.
 */
import fs from 'fs';
import path from 'path';
import { Worker } from 'worker_threads';
import { columnIndex, readCsv, writeCsvAtomic } from '../csv';
import { ProgressReporter, runPool } from '../workPool';
import { startWorker } from '../../util/startWorker';
import { writeStage2Image, Stage2Kind } from './processImage';
import { roiOptionsFor } from './roiOptions';
import type { Stage2Job, Stage2Reply, Stage2WorkerInit } from './protocol';
import type { RoiResult } from '../../roi';

export interface Stage2Options extends Stage2WorkerInit {
  cleanedLabelFile: string;
  stage1Dir: string;
  cleanedImagesDir: string;
  kind: Stage2Kind;
  /** stage1 image extension: dcm, dicom, png, jpg */
  ext: string;
  numWorkers: number;
  /** Empty cleaned_images first (the original always does; default false = resume). */
  fresh?: boolean;
  progress?: ProgressReporter;
  label?: string;
}

export interface Stage2Summary {
  done: number;
  skipped: number;
  failed: number;
  /** cleaned_images_errors.csv when some image failed. */
  errorsFile?: string;
  /** Images of this run per ROI method (yolox, or the §2.6/§2.7 fallbacks). */
  roiMethods: Record<string, number>;
}

/** Runs stage 2 for one dataset. */
export async function runStage2(options: Stage2Options): Promise<Stage2Summary> {
  const { cleanedLabelFile, stage1Dir, cleanedImagesDir, kind, ext } = options;
  if (options.fresh) fs.rmSync(cleanedImagesDir, { recursive: true, force: true });
  fs.mkdirSync(cleanedImagesDir, { recursive: true });
  const table = readCsv(cleanedLabelFile);
  const idx = columnIndex(table, ['patient_id', 'image_id'], cleanedLabelFile);
  const jobs: Stage2Job[] = table.rows.map((r, id) => ({
    id,
    kind,
    src: path.join(stage1Dir, r[idx.patient_id], `${r[idx.image_id]}.${ext}`),
    dst: path.join(cleanedImagesDir, `${r[idx.patient_id]}@${r[idx.image_id]}.png`),
  }));
  const errors: string[][] = [];
  const onError = (job: Stage2Job, err: unknown) => errors.push([table.rows[job.id][idx.image_id], job.src, (err as Error)?.message ?? String(err)]);
  const label = options.label ?? 'stage 2';
  const roiMethods: Record<string, number> = {};
  const tally = (r: RoiResult) => { roiMethods[r.method] = (roiMethods[r.method] ?? 0) + 1; };
  let counts;
  if (options.numWorkers <= 1) {
    const roi = await roiOptionsFor(options);
    try {
      counts = await runPool(jobs, 1, async (job) => {
        if (fs.existsSync(job.dst)) return 'skipped';
        tally(await writeStage2Image(job.kind, job.src, job.dst, roi.options));
        return 'done';
      }, { label, progress: options.progress, onError });
    } finally {
      await roi.dispose();
    }
  } else {
    const pool = new ThreadPool(Math.min(options.numWorkers, Math.max(1, jobs.length)), { roi: options.roi, roiModel: options.roiModel });
    try {
      counts = await runPool(jobs, pool.size, async (job) => {
        if (fs.existsSync(job.dst)) return 'skipped';
        tally(await pool.run(job));
        return 'done';
      }, { label, progress: options.progress, onError });
    } finally {
      await pool.close();
    }
  }
  const errorsFile = path.join(path.dirname(cleanedImagesDir), 'cleaned_images_errors.csv');
  if (errors.length) writeCsvAtomic(errorsFile, ['image_id', 'source', 'reason'], errors);
  else fs.rmSync(errorsFile, { force: true });
  return { ...counts, errorsFile: errors.length ? errorsFile : undefined, roiMethods };
}

/**
 * A fixed set of stage-2 worker threads; `run` hands a job to an idle one. A worker that dies fails
 * its current job and is replaced, so one crashing image cannot stall the dataset.
 */
class ThreadPool {
  private readonly idle: Worker[] = [];
  private readonly waiting: ((w: Worker) => void)[] = [];
  private readonly current = new Map<Worker, { id: number; resolve: (roi: RoiResult) => void; reject: (e: Error) => void }>();
  private closed = false;

  constructor(readonly size: number, private readonly init: Stage2WorkerInit) {
    for (let i = 0; i < size; i++) this.release(this.spawn());
  }

  private spawn(): Worker {
    const w = startWorker(__dirname, 'worker');
    w.on('message', (reply: Stage2Reply) => {
      const job = this.current.get(w);
      this.current.delete(w);
      this.release(w);
      if (!job || job.id !== reply.id) return;
      if (reply.ok) job.resolve(reply.roi);
      else job.reject(new Error(reply.error));
    });
    const died = (err: Error) => {
      const job = this.current.get(w);
      this.current.delete(w);
      if (this.closed) return;
      job?.reject(err);
      this.release(this.spawn());
    };
    w.on('error', died);
    w.on('exit', (code) => {
      if (this.current.has(w)) died(new Error(`stage-2 worker exited with code ${code}`));
    });
    w.postMessage({ init: this.init });
    return w;
  }

  private release(w: Worker): void {
    const next = this.waiting.shift();
    if (next) next(w);
    else this.idle.push(w);
  }

  private acquire(): Promise<Worker> {
    const w = this.idle.shift();
    return w ? Promise.resolve(w) : new Promise((res) => this.waiting.push(res));
  }

  async run(job: Stage2Job): Promise<RoiResult> {
    const w = await this.acquire();
    return new Promise((resolve, reject) => {
      this.current.set(w, { id: job.id, resolve, reject });
      w.postMessage(job);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.idle, ...this.current.keys()].map((w) => w.terminate()));
  }
}
