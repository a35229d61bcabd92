/**
 * rsna-mammo's side of the model stages: YOLOX-nano and the ConvNeXt ensemble converted to ONNX by
 * lib/models (once, cached next to the checkpoints) and run by lib/runtime's ONNX Runtime session at
 * the job's thread count; the end-to-end row runs lib/pipeline's `predict` per image.
 */
import fs from 'fs';
import path from 'path';
import { firstMissing, libApi } from '../api';
import { BenchJob, StageName } from '../types';
import { Adapter, DicomApi, PreprocessApi, decode, dicomApi, ensembleInput, preprocessApi, writeOutput } from './common';

interface Tensor {
  data: Float32Array;
  dims: number[];
}
interface Session {
  run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>>;
  dispose(): Promise<void>;
}
interface RuntimeApi {
  createSession(model: string, options: { backend?: string; threads?: number; maxBatch?: number }): Promise<Session>;
}
interface ModelsApi {
  convertYolox(checkpoint: string, outFile: string): Promise<unknown>;
  convertClassifier(checkpoints: string[], outFile: string, options?: { globalPool?: 'max' | 'avg' }): Promise<unknown>;
}
interface Prediction {
  probability: number;
  foldProbabilities: number[];
  roi: { box: number[]; method: string };
}
interface PipelineLike {
  predict(source: string): Promise<Prediction>;
  close(): Promise<void>;
}
interface PipelineApi {
  createPipeline(options: Record<string, unknown>): Promise<PipelineLike>;
}

const runtimeApi = (): RuntimeApi | string => libApi<RuntimeApi>('runtime', ['createSession']);
const modelsApi = (): ModelsApi | string =>
  libApi<ModelsApi>('models', ['convertYolox', 'convertClassifier']);

/** Converts once per checkpoint set; the ONNX lives beside the (cached) checkpoints. */
async function onnxOnce(file: string, convert: (out: string) => Promise<unknown>): Promise<string> {
  if (!fs.existsSync(file)) {
    await convert(`${file}.part`);
    fs.renameSync(`${file}.part`, file);
  }
  return file;
}

function yoloxOnnx(m: ModelsApi, job: BenchJob): Promise<string> {
  const ckpt = job.models.yolox as string;
  const out = path.join(job.cache_dir, 'models', `${path.basename(ckpt).replace(/\.\w+$/, '')}.onnx`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  return onnxOnce(out, (part) => m.convertYolox(ckpt, part));
}

function ensembleOnnx(m: ModelsApi, job: BenchJob): Promise<string> {
  const folds = job.models.folds as string[];
  // ALGORITHMS.md §4.1: global_pool 'max'; the peer's ConvNeXt always max-pools.
  return onnxOnce(path.join(path.dirname(folds[0]), 'ensemble.onnx'), (part) => m.convertClassifier(folds, part, { globalPool: 'max' }));
}

const session = (r: RuntimeApi, model: string, job: BenchJob): Promise<Session> =>
  r.createSession(model, { backend: 'onnxruntime', threads: job.threads, maxBatch: 1 });

export const MODEL_ADAPTERS: Partial<Record<StageName, Adapter>> = {
  yolox: (job) => {
    const [d, p, r, m] = [dicomApi(), preprocessApi(), runtimeApi(), modelsApi()];
    const missing = firstMissing(d, p, r, m);
    if (missing) return missing;
    let s: Promise<Session> | undefined;
    return async (it) => {
      s ??= yoloxOnnx(m as ModelsApi, job).then((f) => session(r as RuntimeApi, f, job));
      const sess = await s;
      const img = await decode(d as DicomApi, it.dicom as string);
      const pp = p as PreprocessApi;
      const det = await pp.detectorInput(await pp.minMaxScale255(img.raw, img.rows, img.cols, img.meta.invert), img.rows, img.cols);
      const feeds = { images: { data: det.tensor, dims: [1, 3, 416, 416] } };
      return {
        run: () => sess.run(feeds),
        output: (res) => {
          const out = (res as Record<string, Tensor>).output.data;
          writeOutput(job, it.id, out);
          let best = 0;
          for (let i = 0; i < out.length; i += 6) best = Math.max(best, out[i + 4] * out[i + 5]);
          return { max_score: best };
        },
      };
    };
  },

  ensemble: (job) => {
    const [r, m] = [runtimeApi(), modelsApi()];
    const missing = firstMissing(r, m);
    if (missing) return missing;
    let s: Promise<Session> | undefined;
    return async (it) => {
      s ??= ensembleOnnx(m as ModelsApi, job).then((f) => session(r as RuntimeApi, f, job));
      const sess = await s;
      const feeds = { input: { data: ensembleInput(it), dims: [1, 3, it.height ?? 2048, it.width ?? 1024] } };
      return {
        run: () => sess.run(feeds),
        output: (res) => {
          const probs = [...(res as Record<string, Tensor>).probs.data];
          return { probs, mean: probs.reduce((a, b) => a + b, 0) / probs.length };
        },
      };
    };
  },

  e2e: (job) => {
    const [m, pl] = [modelsApi(), libApi<PipelineApi>('pipeline', ['createPipeline'])];
    const missing = firstMissing(m, pl);
    if (missing) return missing;
    let pipe: Promise<PipelineLike> | undefined;
    return async (it) => {
      pipe ??= Promise.all([yoloxOnnx(m as ModelsApi, job), ensembleOnnx(m as ModelsApi, job)]).then(([detector, classifier]) =>
        (pl as PipelineApi).createPipeline({ classifier, detector, roi: 'yolox', backend: 'onnxruntime', threads: job.threads, batchSize: 1 }));
      const p = await pipe;
      return {
        run: () => p.predict(it.dicom as string),
        output: (res) => {
          const r = res as Prediction;
          return { box: r.roi.box, method: r.roi.method, probs: r.foldProbabilities, mean: r.probability };
        },
      };
    };
  },
};
