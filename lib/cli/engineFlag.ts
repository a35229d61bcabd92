/**
 * The `--engine` hook for commands that write ONNX models (`rsna-mammo convert ... --engine`):
 * spread ENGINE_FLAG_OPTIONS into the command's util.parseArgs options, then call
 * buildEnginesIfRequested with the written ONNX files (ALGORITHMS.md §4.5/§4.6, the seed's 5.1.1/5.1.2).
 */
import { CliIO } from './command';
import { invalidArgument } from '../errors';
import { buildEngine } from '../runtime/tensorrt';

/** parseArgs options shared by `convert --engine` and `engine build`. */
export const ENGINE_FLAG_OPTIONS = {
  engine: { type: 'boolean' as const, default: false },
  fp16: { type: 'boolean' as const, default: false },
  tf32: { type: 'boolean' as const, default: false },
  batch: { type: 'string' as const },
};

/** Usage lines of the flags (default batch: 2 for the classifier §4.5, 1 for YOLOX §4.6). */
export function engineFlagUsage(defaultBatch: number): string[] {
  return [
    '  --engine                also build a TensorRT engine for this GPU (see `rsna-mammo engine build --help`)',
    `  --fp16 | --tf32         engine precision (default FP32, TF32 off)`,
    `  --batch <n>             engine batch range 1..n (default ${defaultBatch})`,
  ];
}

/** Parses `--batch` (default 2, ALGORITHMS.md §4.5). */
export function parseBatch(value: string | undefined, fallback = 2): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw invalidArgument('--batch', 'an integer between 1 and 64', value);
  return n;
}

/** Builds one engine per ONNX file when `--engine` was given; prints one line per engine. */
export async function buildEnginesIfRequested(
  values: { engine?: boolean; fp16?: boolean; tf32?: boolean; batch?: string },
  onnxPaths: string[],
  io: CliIO,
  defaultBatch = 2,
): Promise<string[]> {
  if (!values.engine) return [];
  const maxBatch = parseBatch(values.batch, defaultBatch);
  const built: string[] = [];
  for (const onnx of onnxPaths) {
    const r = await buildEngine(onnx, { fp16: values.fp16, tf32: values.tf32, maxBatch });
    io.stdout.write(`engine ${r.enginePath} (${(r.bytes / 2 ** 20).toFixed(1)} MiB, ${r.seconds.toFixed(1)} s)\n`);
    built.push(r.enginePath);
  }
  return built;
}
