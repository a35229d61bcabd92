/**
 * The TensorRT optimization profile of a model: the batch dimension (dim 0) of every input goes
 * from 1 to maxBatch with opt = maxBatch — what the original engine used (ALGORITHMS.md §4.5: min
 * (1,3,2048,1024), opt = max = (2,3,2048,1024)). Any other dynamic dimension must be fixed by the
 * caller. Also the split of a larger batch into runs the engine accepts.
 */
import { RsnaMammoError } from '../errors';
import { OnnxInput } from './onnxInputs';

/** min/opt/max dims of one input. */
export interface ProfileShape {
  min: number[];
  opt: number[];
  max: number[];
}

function isStatic(d: number | string | null): d is number {
  return typeof d === 'number' && d > 0;
}

/**
 * Profile shapes for each input of `inputs`. `fixed` gives full shapes for inputs whose non-batch
 * dims are dynamic (e.g. `{ images: [1, 3, 416, 416] }`; its dim 0 is replaced by the batch range).
 * @throws RsnaMammoError ERR_TRT_SHAPE when a non-batch dim is dynamic and not fixed, or maxBatch < 1.
 */
export function profileShapes(
  inputs: readonly OnnxInput[],
  maxBatch: number,
  options: { optBatch?: number; fixed?: Record<string, number[]> } = {},
): Record<string, ProfileShape> {
  if (!Number.isInteger(maxBatch) || maxBatch < 1) {
    throw new RsnaMammoError('ERR_TRT_SHAPE', `maxBatch must be an integer >= 1, got ${maxBatch}`);
  }
  const opt = options.optBatch ?? maxBatch;
  if (!Number.isInteger(opt) || opt < 1 || opt > maxBatch) {
    throw new RsnaMammoError('ERR_TRT_SHAPE', `optBatch must be in [1, ${maxBatch}], got ${opt}`);
  }
  const out: Record<string, ProfileShape> = {};
  for (const input of inputs) {
    const dims = options.fixed?.[input.name] ?? input.dims;
    if (dims.length === 0) throw new RsnaMammoError('ERR_TRT_SHAPE', `input "${input.name}" is a scalar; no batch dimension`);
    const rest = dims.slice(1);
    const dynamic = rest.findIndex((d) => !isStatic(d));
    if (dynamic >= 0) {
      throw new RsnaMammoError('ERR_TRT_SHAPE',
        `input "${input.name}" dimension ${dynamic + 1} is dynamic (${String(rest[dynamic])}); give its shape explicitly`);
    }
    const tail = rest as number[];
    if (isStatic(dims[0]) && options.fixed?.[input.name] === undefined) {
      // A model exported with a fixed batch takes exactly that batch.
      const b = dims[0];
      out[input.name] = { min: [b, ...tail], opt: [b, ...tail], max: [b, ...tail] };
    } else {
      out[input.name] = { min: [1, ...tail], opt: [opt, ...tail], max: [maxBatch, ...tail] };
    }
  }
  return out;
}

/** Splits `batch` items into consecutive runs of at most `maxBatch` (5, 2 → [2, 2, 1]). */
export function splitBatch(batch: number, maxBatch: number): number[] {
  if (!Number.isInteger(batch) || batch < 0 || !Number.isInteger(maxBatch) || maxBatch < 1) {
    throw new RsnaMammoError('ERR_TRT_SHAPE', `cannot split a batch of ${batch} into runs of ${maxBatch}`);
  }
  const runs: number[] = [];
  for (let left = batch; left > 0; left -= maxBatch) runs.push(Math.min(left, maxBatch));
  return runs;
}
