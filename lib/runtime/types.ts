/**
 * The inference runtime contract: backends (ONNX Runtime here, TensorRT from the GPU area) load a
 * model file into a session that runs float32 tensors asynchronously without blocking the event loop.
 */
import type { Availability, BackendRequest } from './selectBackend';

/** A dense float32 tensor (also what crosses the native boundary to TensorRT) in row-major order. */
export interface TensorData {
  data: Float32Array;
  dims: number[];
}

/**
 * A float32 tensor resident in CUDA device memory (row-major, contiguous), made by the CUDA addon and
 * consumed in place by a GPU backend, so the engine input never visits host memory (docs/GPU.md).
 * The producer has finished writing it (its stream is synchronized) before handing it over.
 */
export interface DeviceTensor {
  readonly location: 'cuda';
  /** CUDA device ordinal the memory belongs to. */
  readonly deviceId: number;
  /** Device address of the first element. */
  readonly address: bigint;
  readonly dims: number[];
  readonly dtype: 'float32';
  /** Keeps the device memory alive until the consuming run() settles; released by its producer. */
  readonly owner: unknown;
}

/** What a session's run() accepts per input: host data, or device data when `acceptsDeviceInput`. */
export type Feed = TensorData | DeviceTensor;

/** Whether a feed lives on the device. */
export function isDeviceTensor(feed: Feed): feed is DeviceTensor {
  return (feed as DeviceTensor).location === 'cuda';
}

/** A loaded model. */
export interface InferenceSession {
  /** 'onnxruntime' | 'tensorrt' | 'libtorch' */
  readonly backend: string;
  /** Where it runs ('cpu', 'cuda:0'), when the backend says (libtorch). */
  readonly device?: string;
  readonly inputNames: string[];
  readonly outputNames: string[];
  /** Per input: dims, with symbolic names (e.g. 'batch') as strings. */
  readonly inputShapes: (number | string)[][];
  readonly outputShapes: (number | string)[][];
  /**
   * True when run() takes DeviceTensor feeds in place (GPU backends); others accept host data only
   * and reject a DeviceTensor with ERR_INVALID_ARGUMENT.
   */
  readonly acceptsDeviceInput?: boolean;
  /** Runs the model; never blocks the event loop. Resolves to every output by name (host data). */
  run(feeds: Record<string, Feed>): Promise<Record<string, TensorData>>;
  /** Frees the session (and its worker/engine). */
  dispose(): Promise<void>;
}

export interface SessionOptions {
  /** 'auto' (default): tensorrt if available, else libtorch on CUDA, else onnxruntime (selectBackend.ts). */
  backend?: BackendRequest;
  /** Intra-op threads (ORT default: one per core). */
  threads?: number;
  /** ORT execution providers in preference order, e.g. ['cuda', 'cpu']; unavailable ones fall back to cpu with a message. */
  providers?: string[];
  /** Largest batch the session must accept (TensorRT profiles). */
  maxBatch?: number;
  /** Build/run in fp16 where the backend supports it (TensorRT; libtorch: precision 'fp16'). */
  fp16?: boolean;
  /** libtorch: 'fp32' (default) | 'tf32' | 'fp16' | 'bf16' (CPU: fp32 or bf16). */
  precision?: 'fp32' | 'tf32' | 'fp16' | 'bf16';
  /** libtorch: 'cpu' | 'cuda' | 'cuda:N' (default: cuda:0 when libtorch sees a GPU, else cpu). */
  device?: string;
  /** libtorch: the checkpoints the model file was converted from (default: found beside it by name). */
  checkpoints?: string[];
}

export interface InferenceBackend {
  readonly name: string;
  availability(): Promise<Availability>;
  load(modelPath: string, options: SessionOptions): Promise<InferenceSession>;
}
