/**
 * The TensorRT inference backend: engines built from our ONNX models (cached per GPU + TensorRT
 * version + options, engineCache.ts), run asynchronously with enqueueV3 on a pool of execution
 * contexts (native/trt). Implements the same session shape as the ONNX Runtime backend
 * (`backend, inputNames, outputNames, inputShapes, outputShapes, run(feeds), dispose()`), and takes
 * DeviceTensor feeds in place (`acceptsDeviceInput`): the GPU prepare stage's batch tensor is bound
 * by address, never copied (docs/GPU.md).
 */
import fs from 'fs';
import path from 'path';
import { RsnaMammoError, fromNativeError } from '../errors';
import { cudaAddonStatus, loadCudaAddon } from '../native';
import { TensorRtEngine, TensorRtInfo, loadTensorRtAddon, tensorrtUsability, TensorRtAddon } from '../gpu/tensorrtAddon';
import { EngineKeyInputs, engineCacheKey, engineCachePath, engineIsCurrent, sha256File, sidecarPath } from './engineCache';
import { readOnnxInputs } from './onnxInputs';
import { profileShapes, splitBatch } from './profileShapes';
import { Availability } from './selectBackend';
import { DeviceTensor, Feed, InferenceBackend, InferenceSession, SessionOptions, TensorData, isDeviceTensor } from './types';
import { runtimeLog } from './log';

/** Options of an engine build (`rsna-mammo engine build`). */
export interface EngineBuildOptions {
  fp16?: boolean;
  /** Allow TF32 (off by default so FP32 is FP32; the original's engine had it on, ALGORITHMS.md §4.5). */
  tf32?: boolean;
  /** Batch range 1..maxBatch of the optimization profile (default 2, ALGORITHMS.md §4.5). */
  maxBatch?: number;
  /** Full shapes for inputs with dynamic non-batch dims. */
  fixedShapes?: Record<string, number[]>;
  /** Engine file; default: the cache path next to the ONNX model. */
  out?: string;
  /** Where engines and the timing cache go when `out` is not given (default: the model's folder). */
  cacheDir?: string;
  workspaceBytes?: number;
}

/** Session options of this backend (the shared SessionOptions fields it uses). */
export interface TensorRtSessionOptions extends EngineBuildOptions {
  /** Concurrent runs (one execution context each). */
  maxContexts?: number;
  /** A prebuilt engine to load instead of building from the ONNX model. */
  engine?: string;
  log?: (line: string) => void;
}

/** Whether TensorRT can run here, with the reason when not (used by `--backend auto`). */
export function tensorrtAvailability(): Availability {
  const cuda = cudaAddonStatus();
  const addon = cuda.usable ? loadCudaAddon() as TensorRtAddon : undefined;
  const info = addon && typeof addon.tensorrtInfo === 'function' ? addon.tensorrtInfo() : cuda.tensorrtInfo as TensorRtInfo | undefined;
  return tensorrtUsability(cuda, info);
}

/** The key inputs of an engine for `onnxPath` on this machine's GPU 0 and TensorRT. */
export async function engineKeyInputs(onnxPath: string, options: EngineBuildOptions): Promise<EngineKeyInputs> {
  const addon = loadTensorRtAddon();
  const device = addon.deviceInfo().devices?.[0];
  if (!device) throw new RsnaMammoError('ERR_CUDA_UNAVAILABLE', 'no CUDA device to build a TensorRT engine for');
  return {
    onnxSha256: await sha256File(onnxPath),
    gpuName: device.name,
    computeCapability: device.computeCapability,
    tensorrtVersion: addon.tensorrtInfo().version ?? 'unknown',
    fp16: options.fp16 ?? false,
    tf32: options.tf32 ?? false,
    maxBatch: options.maxBatch ?? 2,
  };
}

/**
 * Builds a TensorRT engine from an ONNX model and writes it with its key sidecar.
 * @returns the engine path, its size and the build time.
 * @throws RsnaMammoError ERR_TENSORRT_UNAVAILABLE, ERR_ONNX_READ, ERR_TRT_SHAPE, ERR_TRT_PARSE, ERR_TRT.
 * @example await buildEngine('yolox.onnx', { fp16: true, maxBatch: 1 })
 */
export async function buildEngine(onnxPath: string, options: EngineBuildOptions = {}): Promise<{ enginePath: string; bytes: number; seconds: number }> {
  const addon = loadTensorRtAddon();
  const maxBatch = options.maxBatch ?? 2;
  const profiles = profileShapes(readOnnxInputs(onnxPath), maxBatch, { fixed: options.fixedShapes });
  const key = await engineKeyInputs(onnxPath, { ...options, maxBatch });
  const dir = options.cacheDir ?? path.dirname(onnxPath);
  const enginePath = options.out ?? engineCachePath(onnxPath, engineCacheKey(key), dir);
  fs.mkdirSync(path.dirname(enginePath), { recursive: true });
  const timingCachePath = path.join(options.out ? path.dirname(enginePath) : dir,
    `timing-${engineCacheKey({ ...key, onnxSha256: '', maxBatch: 0 })}.cache`);
  const started = process.hrtime.bigint();
  try {
    const r = await addon.tensorrtBuildEngine({
      onnxPath, outPath: enginePath, fp16: key.fp16, tf32: key.tf32, profiles, timingCachePath,
      workspaceBytes: options.workspaceBytes,
    });
    fs.writeFileSync(sidecarPath(enginePath), `${JSON.stringify(key, null, 2)}\n`);
    return { enginePath, bytes: r.bytes, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
  } catch (err) {
    throw fromNativeError(err, onnxPath);
  }
}

/** The cached engine for `onnxPath`, built first when missing or stale (logs one line why). */
export async function ensureEngine(onnxPath: string, options: TensorRtSessionOptions = {}): Promise<string> {
  const key = await engineKeyInputs(onnxPath, options);
  const enginePath = options.out ?? engineCachePath(onnxPath, engineCacheKey(key), options.cacheDir ?? path.dirname(onnxPath));
  const state = engineIsCurrent(enginePath, key);
  if (state.current) return enginePath;
  options.log?.(`building TensorRT engine ${enginePath} (${state.reason}); this takes minutes once`);
  return (await buildEngine(onnxPath, { ...options, out: enginePath })).enginePath;
}

/** Rows [start, start + size) of a feed along dim 0: a subarray, or a device address offset. */
function batchSlice(t: Feed, start: number, size: number): Feed {
  const per = t.dims.slice(1).reduce((n, d) => n * d, 1);
  const dims = [size, ...t.dims.slice(1)];
  if (isDeviceTensor(t)) {
    const sliced: DeviceTensor = { ...t, dims, address: t.address + BigInt(start * per * Float32Array.BYTES_PER_ELEMENT) };
    return sliced;
  }
  return { dims, data: t.data.subarray(start * per, (start + size) * per) };
}

function concatBatch(parts: TensorData[]): TensorData {
  const total = parts.reduce((n, p) => n + p.data.length, 0);
  const data = new Float32Array(total);
  let offset = 0;
  for (const p of parts) {
    data.set(p.data, offset);
    offset += p.data.length;
  }
  return { data, dims: [parts.reduce((n, p) => n + p.dims[0], 0), ...parts[0].dims.slice(1)] };
}

/** An inference session on one TensorRT engine (the lib/runtime InferenceSession contract). */
export class TensorRtSession implements InferenceSession {
  readonly backend = 'tensorrt' as const;
  readonly inputNames: string[];
  readonly outputNames: string[];
  /** Input dims with -1 for the dynamic batch. */
  readonly inputShapes: number[][];
  readonly outputShapes: number[][];
  /** Largest batch one engine run takes (larger feeds are split). */
  readonly maxBatch: number;
  /** Device feeds (CUDA memory of this GPU) are bound in place. */
  readonly acceptsDeviceInput = true;

  constructor(private engine: TensorRtEngine | undefined, readonly enginePath: string) {
    const tensors = engine!.tensors;
    this.inputNames = tensors.filter((t) => t.isInput).map((t) => t.name);
    this.outputNames = tensors.filter((t) => !t.isInput).map((t) => t.name);
    this.inputShapes = tensors.filter((t) => t.isInput).map((t) => t.dims);
    this.outputShapes = tensors.filter((t) => !t.isInput).map((t) => t.dims);
    this.maxBatch = Math.min(...tensors.filter((t) => t.isInput).map((t) => t.maxDims[0] ?? 1));
  }

  /**
   * Runs the engine on `feeds` (all inputs share the batch dim 0; host Float32Array data or a
   * DeviceTensor); a batch larger than the engine's profile is split into runs that execute
   * concurrently on separate execution contexts (a device feed is split by address offsets).
   */
  async run(feeds: Record<string, Feed>): Promise<Record<string, TensorData>> {
    const engine = this.engine;
    if (!engine) throw new RsnaMammoError('ERR_SESSION_DISPOSED', `session on ${this.enginePath} was disposed`);
    for (const name of this.inputNames) {
      const t = feeds[name];
      const ok = t && (isDeviceTensor(t) ? t.dtype === 'float32' && typeof t.address === 'bigint' : t.data instanceof Float32Array);
      if (!ok) throw new RsnaMammoError('ERR_INVALID_ARGUMENT', `Expected a Float32Array tensor or a float32 DeviceTensor for feed "${name}"`);
    }
    const batch = feeds[this.inputNames[0]].dims[0];
    if (!Number.isInteger(batch) || batch < 1) throw new RsnaMammoError('ERR_INVALID_ARGUMENT', `Expected a batch dimension >= 1 for feed "${this.inputNames[0]}" but received ${batch}`);
    const runs = splitBatch(batch, this.maxBatch);
    let start = 0;
    const pending = runs.map((size) => {
      const part: Record<string, Feed> = {};
      for (const name of this.inputNames) part[name] = batchSlice(feeds[name], start, size);
      start += size;
      return engine.run(part);
    });
    let results: Record<string, TensorData>[];
    try {
      results = await Promise.all(pending);
    } catch (err) {
      throw fromNativeError(err, this.enginePath);
    }
    const out: Record<string, TensorData> = {};
    for (const name of this.outputNames) out[name] = concatBatch(results.map((r) => r[name]));
    return out;
  }

  /** Releases the engine and its contexts (runs in flight finish first). */
  async dispose(): Promise<void> {
    this.engine?.dispose();
    this.engine = undefined;
  }
}

/**
 * Opens a TensorRT session for an ONNX model (building or reusing its cached engine) or a prebuilt
 * engine (`options.engine`).
 * @throws RsnaMammoError ERR_TENSORRT_UNAVAILABLE when TensorRT cannot run here.
 */
export async function createTensorRtSession(modelPath: string, options: TensorRtSessionOptions = {}): Promise<TensorRtSession> {
  const addon = loadTensorRtAddon();
  const enginePath = options.engine ?? (modelPath.endsWith('.engine') ? modelPath : await ensureEngine(modelPath, options));
  try {
    const engine = await addon.tensorrtLoadEngine(enginePath, { maxContexts: options.maxContexts ?? 2 });
    return new TensorRtSession(engine, enginePath);
  } catch (err) {
    throw fromNativeError(err, enginePath);
  }
}

/** The 'tensorrt' InferenceBackend registered in lib/runtime/registry.ts (`--backend tensorrt`, and `auto` when available). */
export const tensorrtBackend: InferenceBackend = {
  name: 'tensorrt',
  availability: async () => tensorrtAvailability(),
  load: (modelPath: string, options: SessionOptions) =>
    createTensorRtSession(modelPath, { maxBatch: options.maxBatch, fp16: options.fp16, log: runtimeLog }),
};
