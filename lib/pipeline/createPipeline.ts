/**
 * `createPipeline(options)`: the library entry for Node services — opens the models and returns the
 * pipeline object (lib/pipeline/scheduler.ts) over the real stages (lib/pipeline/stages.ts).
 */
import { roiDetector } from '../roi';
import { invalidArgument } from '../errors';
import { createPipelineFromStages, Pipeline, PipelineRunOptions } from './scheduler';
import { createRealStages, RealStageOptions } from './stages';
import type { PipelineStages } from './types';

/** Options of {@link createPipeline}: models and ROI method, batching and concurrency. */
export type PipelineOptions = PipelineRunOptions &
  (RealStageOptions | (Partial<RealStageOptions> & { /** Injected stages (tests, custom backends). */ stages: PipelineStages }));

/**
 * Opens the classifier (and detector) sessions and returns the pipeline.
 * @param options `classifier` ONNX path (ensemble), `roi` 'yolox' (needs `detector`) or 'otsu',
 *   `batchSize` (2), `concurrency` (2), `backend`, `threads`, `previewWidth`, `device` ('auto':
 *   ROI and classifier input on the GPU when usable, else on the CPU after one line why; 'cpu'; 'cuda').
 * @returns a {@link Pipeline}; call `close()` when done.
 * @throws RsnaMammoError ERR_NO_DETECTOR, ERR_CUDA_UNAVAILABLE (device 'cuda' without a usable GPU), ERR_MODEL_* from the runtime.
 * @example
 * const pipeline = await createPipeline({ classifier: 'assets/trained/best_ensemble_convnext_small_fp32.onnx', roi: 'otsu' });
 * const { probability, foldProbabilities, roi } = await pipeline.predict('10008/736471439.dcm');
 * for await (const r of pipeline.predictMany(files)) console.log(r.key, r.ok ? r.probability : r.message);
 * await pipeline.close();
 */
export async function createPipeline(options: PipelineOptions): Promise<Pipeline> {
  if (!options || typeof options !== 'object') throw invalidArgument('options', 'an object', options);
  if ('stages' in options && options.stages) return createPipelineFromStages(options.stages, options);
  const o = options as RealStageOptions & PipelineRunOptions;
  if (typeof o.classifier !== 'string' || !o.classifier) throw invalidArgument('options.classifier', 'the path of the ensemble ONNX', o.classifier);
  roiDetector(o.roi, 'options.roi');
  if (o.device !== undefined && !['auto', 'cpu', 'cuda'].includes(o.device)) throw invalidArgument('options.device', "'auto', 'cpu' or 'cuda'", o.device);
  const stages = await createRealStages({ ...o, maxBatch: o.maxBatch ?? o.batchSize ?? 2 });
  return createPipelineFromStages(stages, o);
}
