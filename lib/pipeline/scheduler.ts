/**
 * The async pipeline object (DESIGN.md): decode → ROI → classifier input → fold ensemble, with
 * bounded concurrency. Prepare jobs of the next images run while the current batch is inferred
 * (batch 2 as the original, ALGORITHMS.md §5.6.5); streaming pulls its input lazily (back-pressure),
 * so memory is bounded by `batchSize + prefetch` prepared images whatever the number of files.
 */
import { RsnaMammoError, invalidArgument } from '../errors';
import { imageMean } from './aggregate';
import { releaseInput } from './classifierInput';
import { Semaphore } from './semaphore';
import type {
  ImageFailure,
  ImagePrediction,
  ImageResult,
  ImageSource,
  PipelineStages,
  PredictRequest,
  PreparedImage,
} from './types';

/** Options of {@link createPipelineFromStages}. */
export interface PipelineRunOptions {
  /** Images per inference call (the original: 2). */
  batchSize?: number;
  /** Prepare jobs running at once (decode/ROI/windowing on the libuv pool); default 2. */
  concurrency?: number;
  /** Prepared images waiting for inference beyond the current batch; default max(concurrency, batchSize). */
  prefetch?: number;
  /** Per-image deadline of the prepare stage (read + decode + ROI + input) in ms; an image past it is an
   * ERR_IMAGE_TIMEOUT failure and the run goes on. Default 300000 (5 minutes). */
  imageTimeoutMs?: number;
}

/** The pipeline object returned by `createPipeline`. */
export interface Pipeline {
  /**
   * Predicts one image.
   * @param source DICOM path or bytes.
   * @returns fold probabilities, their mean, ROI, decoder and timings.
   * @throws RsnaMammoError when the image cannot be read or inferred (`code` says which).
   * @example const r = await pipeline.predict('/data/10008/736471439.dcm'); r.probability
   */
  predict(source: ImageSource): Promise<ImagePrediction>;
  /**
   * Predicts many images in input order with bounded concurrency and back-pressure; failures are
   * yielded as `{ ok: false }` results and the stream goes on.
   * @param requests paths, bytes or {@link PredictRequest}s (sync or async iterable, pulled lazily).
   * @example for await (const r of pipeline.predictMany(files)) console.log(r.key, r.ok && r.probability)
   */
  predictMany<T = unknown>(
    requests: Iterable<ImageSource | PredictRequest<T>> | AsyncIterable<ImageSource | PredictRequest<T>>,
  ): AsyncGenerator<ImageResult<T>>;
  /** Releases the model sessions. */
  close(): Promise<void>;
  readonly batchSize: number;
  readonly concurrency: number;
}

type Slot<T> = { key: string; tag?: T; prepared: Promise<PreparedImage | ImageFailure<T>> };

function positiveInt(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw invalidArgument(name, 'a positive integer', value);
  return value;
}

function failure<T>(key: string, tag: T | undefined, stage: 'prepare' | 'infer', err: unknown): ImageFailure<T> {
  const e = err as { code?: unknown; message?: unknown };
  return {
    ok: false,
    key,
    tag,
    stage,
    code: typeof e?.code === 'string' ? e.code : 'ERR_PIPELINE',
    message: typeof e?.message === 'string' ? e.message : String(err),
  };
}

/**
 * Builds a pipeline over given stages (the real ones, or test doubles).
 * @param stages prepare / infer / close.
 * @param options batch size and concurrency.
 */
export function createPipelineFromStages(stages: PipelineStages, options: PipelineRunOptions = {}): Pipeline {
  const batchSize = positiveInt('batchSize', options.batchSize, 2);
  const concurrency = positiveInt('concurrency', options.concurrency, 2);
  const prefetch = positiveInt('prefetch', options.prefetch, Math.max(concurrency, batchSize));
  const imageTimeoutMs = positiveInt('imageTimeoutMs', options.imageTimeoutMs, 300_000);
  const prepareSlots = new Semaphore(concurrency);
  // One inference at a time: the runtime uses all its threads per call.
  const inferSlot = new Semaphore(1);
  let bufferCount = 0;
  let closed = false;

  const normalize = <T>(r: ImageSource | PredictRequest<T>): PredictRequest<T> & { key: string } => {
    if (r === null || (typeof r !== 'string' && typeof r !== 'object')) throw invalidArgument('source', 'a file path, a Buffer or { source }', r);
    const req: PredictRequest<T> =
      typeof r === 'string' || r instanceof Uint8Array ? { source: r } : (r as PredictRequest<T>);
    if (typeof req.source !== 'string' && !(req.source instanceof Uint8Array)) {
      throw invalidArgument('source', 'a file path or a Buffer', req.source);
    }
    const key = req.key ?? (typeof req.source === 'string' ? req.source : `buffer-${++bufferCount}`);
    return { ...req, key };
  };

  const startPrepare = <T>(req: PredictRequest<T> & { key: string }): Slot<T> => ({
    key: req.key,
    tag: req.tag,
    prepared: prepareSlots
      .use(() => withDeadline(stages.prepare(req.source, req.key), imageTimeoutMs, req.key))
      .catch((err: unknown) => failure(req.key, req.tag, 'prepare', err)),
  });

  /** Infers the prepared images of one batch; a failing batch is retried image by image. */
  const inferBatch = async <T>(items: { slot: Slot<T>; prepared: PreparedImage }[]): Promise<ImageResult<T>[]> => {
    const run = async (group: typeof items): Promise<ImageResult<T>[]> => {
      const t0 = performance.now();
      const probs = await inferSlot.use(() => stages.infer(group.map((g) => g.prepared.input)));
      const share = (performance.now() - t0) / group.length;
      if (probs.length !== group.length) {
        throw new RsnaMammoError('ERR_INFER_SHAPE', `the model returned ${probs.length} rows for ${group.length} images`);
      }
      return group.map(({ slot, prepared }, i) => toPrediction(slot, prepared, probs[i], share, stages.backend));
    };
    try {
      return await run(items);
    } catch (err) {
      if (items.length === 1) return [failure(items[0].slot.key, items[0].slot.tag, 'infer', err)];
      const out: ImageResult<T>[] = [];
      for (const item of items) out.push(...(await inferBatch([item])));
      return out;
    }
  };

  async function* predictMany<T>(
    requests: Iterable<ImageSource | PredictRequest<T>> | AsyncIterable<ImageSource | PredictRequest<T>>,
  ): AsyncGenerator<ImageResult<T>> {
    if (closed) throw new RsnaMammoError('ERR_PIPELINE_CLOSED', 'the pipeline was closed');
    const source: AsyncIterator<ImageSource | PredictRequest<T>> | Iterator<ImageSource | PredictRequest<T>> =
      Symbol.asyncIterator in (requests as object)
        ? (requests as AsyncIterable<ImageSource | PredictRequest<T>>)[Symbol.asyncIterator]()
        : (requests as Iterable<ImageSource | PredictRequest<T>>)[Symbol.iterator]();
    const window: Slot<T>[] = [];
    let exhausted = false;
    const topUp = async (): Promise<void> => {
      while (!closed && !exhausted && window.length < batchSize + prefetch) {
        const next = await source.next();
        if (next.done) exhausted = true;
        else window.push(startPrepare(normalize(next.value)));
      }
    };
    try {
      await topUp();
      while (window.length > 0) {
        // close() during the run: no new work is pulled or started; the caller learns why it ended.
        if (closed) throw new RsnaMammoError('ERR_PIPELINE_CLOSED', 'the pipeline was closed during predictMany');
        const batch = window.splice(0, batchSize);
        // Start the next images' prepare jobs before waiting on this batch (overlap).
        await topUp();
        const settled = await Promise.all(batch.map((s) => s.prepared));
        const ready: { slot: Slot<T>; prepared: PreparedImage }[] = [];
        const results = new Array<ImageResult<T>>(batch.length);
        settled.forEach((p, i) => {
          if ('ok' in p) results[i] = p;
          else ready.push({ slot: batch[i], prepared: p });
        });
        if (ready.length > 0) {
          // GPU-resident inputs are freed as soon as their batch is done (retries included).
          const inferred = await inferBatch(ready).finally(() => ready.forEach((r) => releaseInput(r.prepared.input)));
          let j = 0;
          settled.forEach((p, i) => {
            if (!('ok' in p)) results[i] = inferred[j++];
          });
        }
        for (const r of results) yield r;
      }
    } finally {
      // Consumer stopped early: let in-flight jobs settle so nothing rejects unobserved, and free what
      // they left on the GPU.
      for (const p of await Promise.allSettled(window.map((s) => s.prepared))) {
        if (p.status === 'fulfilled' && !('ok' in p.value)) releaseInput(p.value.input);
      }
      if (!exhausted && typeof source.return === 'function') await source.return();
    }
  }

  return {
    batchSize,
    concurrency,
    predictMany,
    async predict(src: ImageSource): Promise<ImagePrediction> {
      for await (const r of predictMany([src])) {
        if (r.ok) return r;
        const file = typeof src === 'string' && !r.message.includes(src) ? src : undefined;
        throw new RsnaMammoError(r.code, r.message, { file });
      }
      throw new RsnaMammoError('ERR_PIPELINE', 'no result');
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await stages.close();
    },
  };
}

/** `work`, or an ERR_IMAGE_TIMEOUT rejection after `ms` (the stuck job is left to finish on its own). */
function withDeadline<V>(work: Promise<V>, ms: number, key: string): Promise<V> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RsnaMammoError('ERR_IMAGE_TIMEOUT', `preparing the image took longer than ${ms} ms (option imageTimeoutMs)`, { file: key })), ms);
  });
  work.catch(() => undefined); // a late failure of an abandoned job is not unhandled
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

function toPrediction<T>(slot: Slot<T>, prepared: PreparedImage, probs: Float32Array, inferMs: number, backend?: string): ImagePrediction<T> {
  const foldProbabilities = Array.from(probs, (p) => Math.fround(p));
  return {
    ok: true,
    key: slot.key,
    tag: slot.tag,
    foldProbabilities,
    probability: imageMean(foldProbabilities),
    roi: prepared.roi,
    decoder: prepared.decoder,
    device: prepared.device,
    backend,
    meta: prepared.meta,
    timings: { ...prepared.timings, inferMs },
    preview: prepared.preview,
  };
}
