/**
 * Types of the CUDA addon's TensorRT functions (native/trt/tensorrt_info_cuda.cpp,
 * native/trt/tensorrt_napi.cpp) and a getter that says why they are unavailable.
 */
import { RsnaMammoError } from '../errors';
import { CudaAddon, loadCudaAddon } from '../native';
import { ProfileShape } from '../runtime/profileShapes';
import type { Availability } from '../runtime/selectBackend';
import type { Feed, TensorData } from '../runtime/types';
import type { CudaAddonStatus } from './cudaStatus';

/** tensorrtInfo(): TensorRT as the CUDA addon sees it (dlopen at run time). */
export interface TensorRtInfo {
  /** The addon was compiled with the engine builder/runtime (TensorRT headers found at build). */
  compiled: boolean;
  headerVersion: string | null;
  /** libnvinfer.so.10 loaded. */
  found: boolean;
  parserFound: boolean;
  version: string | null;
  libraryPath: string | null;
  parserPath: string | null;
  reason: string | null;
}

/** One I/O tensor of a loaded engine. */
export interface TensorRtTensorInfo {
  name: string;
  isInput: boolean;
  dataType: string;
  dims: number[];
  minDims: number[];
  maxDims: number[];
}


/** A deserialized engine (native EngineHandle); device feeds are bound in place. */
export interface TensorRtEngine {
  readonly tensors: TensorRtTensorInfo[];
  run(feeds: Record<string, Feed>): Promise<Record<string, TensorData>>;
  dispose(): void;
}

/** Options of tensorrtBuildEngine (native/trt/engine_builder.h BuildOptions). */
export interface NativeBuildOptions {
  onnxPath: string;
  outPath: string;
  fp16?: boolean;
  tf32?: boolean;
  workspaceBytes?: number;
  profiles?: Record<string, ProfileShape>;
  timingCachePath?: string;
}

export interface TensorRtAddon extends CudaAddon {
  tensorrtInfo(): TensorRtInfo;
  tensorrtBuildEngine?(options: NativeBuildOptions): Promise<{ bytes: number; timingCacheWritten: boolean }>;
  tensorrtLoadEngine?(path: string, options?: { maxContexts?: number }): Promise<TensorRtEngine>;
}

/** Why TensorRT cannot be used from this addon, or undefined when it can. */
export function tensorrtUnavailableReason(info: TensorRtInfo | undefined): string | undefined {
  if (!info) return 'the CUDA addon has no TensorRT unit';
  const noHeaders = 'the CUDA addon was built without TensorRT headers (rebuild it with them: `npm install --no-save cmake-js`, then `TENSORRT_INCLUDE_DIR=<TensorRT>/include RSNA_MAMMO_BUILD_CUDA=1 npm rebuild rsna-mammo`)';
  if (!info.found) return `${info.reason ?? 'TensorRT not found'}${info.compiled ? '' : `; also ${noHeaders}`}`;
  if (!info.compiled) return noHeaders;
  return undefined;
}

/**
 * "Is TensorRT usable here?": the one rule (backend 'auto', `engine`, doctor). A built, loadable CUDA
 * addon with a GPU, whose TensorRT unit is compiled and finds libnvinfer; else the first reason.
 * @param info tensorrtInfo() as the addon reports it (in this process or the test-load child)
 */
export function tensorrtUsability(cuda: Pick<CudaAddonStatus, 'built' | 'loadable' | 'usable' | 'reason'>, info: TensorRtInfo | undefined): Availability {
  if (!cuda.built) return { available: false, reason: 'the CUDA addon is not built' };
  if (cuda.loadable === false) return { available: false, reason: `the CUDA addon does not load: ${cuda.reason}` };
  const reason = tensorrtUnavailableReason(info);
  if (reason) return { available: false, reason };
  return cuda.usable ? { available: true } : { available: false, reason: cuda.reason };
}

/** The CUDA addon with a usable TensorRT; throws ERR_TENSORRT_UNAVAILABLE with the reason. */
export function loadTensorRtAddon(): Required<TensorRtAddon> {
  const addon = loadCudaAddon() as TensorRtAddon;
  const info = typeof addon.tensorrtInfo === 'function' ? addon.tensorrtInfo() : undefined;
  const reason = tensorrtUnavailableReason(info);
  if (reason || !addon.tensorrtBuildEngine || !addon.tensorrtLoadEngine) {
    throw new RsnaMammoError('ERR_TENSORRT_UNAVAILABLE', `TensorRT is not available: ${reason ?? 'engine functions missing'}`);
  }
  return addon as Required<TensorRtAddon>;
}
