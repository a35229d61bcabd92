/**
 * Command-line options shared by `submit`, `predict` and `demo` (batching, concurrency, backend,
 * device, ROI method, threshold), validated in one place with the house message shape.
 */
import { roiDetector } from '../roi';
import type { RoiDetectorName } from '../roi';
import { invalidArgument } from '../errors';
import { BACKEND_CHOICES, BackendRequest, parseBackendRequest } from '../runtime/selectBackend';
import { LibtorchPrecision, parseLibtorchPrecision } from '../runtime/libtorch_addon';
import { AUTO_THRESHOLD_QUANTILE, DEFAULT_THRESHOLD, ThresholdRule } from '../pipeline/aggregate';

/** util.parseArgs option specs of the shared options. */
export const RUN_OPTION_SPECS = {
  roi: { type: 'string' },
  'batch-size': { type: 'string' },
  concurrency: { type: 'string' },
  backend: { type: 'string' },
  precision: { type: 'string' },
  device: { type: 'string' },
  threads: { type: 'string' },
  threshold: { type: 'string' },
  'auto-threshold': { type: 'boolean' },
  quiet: { type: 'boolean' },
} as const;

/** Usage lines of the shared options. */
export const RUN_OPTION_USAGE = `  --roi yolox|otsu        ROI method (default yolox; otsu = fallback of ALGORITHMS.md §2.6–2.7 for every image)
  --batch-size N          images per inference call (default 2, as the original)
  --concurrency N         images decoded/cropped at once while the model runs (default 2)
  --backend B             ${BACKEND_CHOICES} (default auto: TensorRT, else libtorch
                          on CUDA, else ONNX Runtime, with one line why)
  --precision P           libtorch backend: fp32 | tf32 | fp16 | bf16 (default fp32; CPU: fp32 or bf16)
  --device D              auto | cpu | cuda: where ROI and classifier input are computed (default auto:
                          the GPU when usable, else the CPU with one line why; cuda fails without a GPU)
  --threads N             inference threads (default: the runtime's)
  --threshold T           binarize with mean > T (default 0.31, compared in float32)
  --auto-threshold        threshold = quantile ${AUTO_THRESHOLD_QUANTILE} of the breast means (the original's AUTO_THRES)
  --quiet                 no progress output`;

/** The parsed shared options. */
export interface RunOptions {
  roi: RoiDetectorName;
  batchSize: number;
  concurrency: number;
  backend: BackendRequest;
  /** libtorch precision (undefined: fp32). */
  precision?: LibtorchPrecision;
  device: 'auto' | 'cpu' | 'cuda';
  threads: number;
  thresholdRule: ThresholdRule;
  quiet: boolean;
}

function int(name: string, v: string | undefined, fallback: number, min: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw invalidArgument(`--${name}`, `an integer ≥ ${min}`, v);
  return n;
}

/** Validates the shared options from util.parseArgs `values`. */
export function parseRunOptions(values: Record<string, string | boolean | undefined>, defaultRoi: RoiDetectorName = 'yolox'): RunOptions {
  const roi = roiDetector((values.roi as string | undefined) ?? defaultRoi, '--roi').name;
  const backend = parseBackendRequest(values.backend);
  const precision = parseLibtorchPrecision(values.precision);
  const device = (values.device as string | undefined) ?? 'auto';
  if (device !== 'auto' && device !== 'cpu' && device !== 'cuda') throw invalidArgument('--device', "'auto', 'cpu' or 'cuda'", device);
  let thresholdRule: ThresholdRule = { threshold: DEFAULT_THRESHOLD };
  if (values.threshold !== undefined) {
    const t = Number(values.threshold);
    if (!Number.isFinite(t) || values.threshold === '') throw invalidArgument('--threshold', 'a number', values.threshold);
    thresholdRule = { threshold: t };
  }
  if (values['auto-threshold']) thresholdRule = { quantile: AUTO_THRESHOLD_QUANTILE };
  return {
    roi,
    backend,
    precision,
    device,
    batchSize: int('batch-size', values['batch-size'] as string | undefined, 2, 1),
    concurrency: int('concurrency', values.concurrency as string | undefined, 2, 1),
    threads: int('threads', values.threads as string | undefined, 0, 0),
    thresholdRule,
    quiet: Boolean(values.quiet),
  };
}
