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

/** A loaded model. */
export interface InferenceSession {
  /** 'onnxruntime' | 'tensorrt' */
  readonly backend: string;
  readonly inputNames: string[];
  readonly outputNames: string[];
  /** Per input: dims, with symbolic names (e.g. 'batch') as strings. */
  readonly inputShapes: (number | string)[][];
  readonly outputShapes: (number | string)[][];
  /** Runs the model; never blocks the event loop. Resolves to every output by name. */
  run(feeds: Record<string, TensorData>): Promise<Record<string, TensorData>>;
  /** Frees the session (and its worker/engine). */
  dispose(): Promise<void>;
}

export interface SessionOptions {
  /** 'auto' (default): tensorrt if registered and available, else onnxruntime. */
  backend?: BackendRequest;
  /** Intra-op threads (ORT default: one per core). */
  threads?: number;
  /** ORT execution providers in preference order, e.g. ['cuda', 'cpu']; unavailable ones fall back to cpu with a message. */
  providers?: string[];
  /** Largest batch the session must accept (TensorRT profiles). */
  maxBatch?: number;
  /** Build/run in fp16 where the backend supports it (TensorRT). */
  fp16?: boolean;
}

export interface InferenceBackend {
  readonly name: string;
  availability(): Promise<Availability>;
  load(modelPath: string, options: SessionOptions): Promise<InferenceSession>;
}
