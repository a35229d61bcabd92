/**
 * ONNX Runtime backend (onnxruntime-node, CPU binary bundled in the npm package). Each session runs
 * in its own worker thread because onnxruntime-node's `run` blocks the thread that calls it.
 */
import { Worker } from 'worker_threads';
import { RsnaMammoError } from '../errors';
import { runtimeLog } from './log';
import { OrtLoadResult, OrtRequest, OrtResponse } from './onnxruntime_protocol';
import { InferenceBackend, InferenceSession, SessionOptions, TensorData } from './types';
import { startWorker } from '../util/startWorker';
import { loadCpuAddon } from '../native';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type Pending = { resolve: (r: OrtResponse) => void; reject: (e: Error) => void };

class OrtWorkerSession implements InferenceSession {
  readonly backend = 'onnxruntime';
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private closed = false;
  inputNames: string[] = [];
  outputNames: string[] = [];
  inputShapes: (number | string)[][] = [];
  outputShapes: (number | string)[][] = [];
  /** Execution providers the session actually uses. */
  providers: string[] = [];

  constructor(private readonly worker: Worker, readonly modelPath: string) {
    worker.on('message', (msg: OrtResponse) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      this.updateRef();
      if (msg.ok) p.resolve(msg);
      else p.reject(new RsnaMammoError('ERR_INFERENCE', `onnxruntime: ${msg.error}`, { file: modelPath }));
    });
    worker.on('error', (err) => this.failAll(err));
    worker.on('exit', (code) => this.failAll(new Error(`onnxruntime worker exited with code ${code}`)));
    this.updateRef();
  }

  private failAll(err: Error): void {
    this.closed = true;
    for (const p of this.pending.values()) p.reject(new RsnaMammoError('ERR_INFERENCE', err.message, { file: this.modelPath, cause: err }));
    this.pending.clear();
  }

  /** The worker keeps the process alive only while a request is in flight. */
  private updateRef(): void {
    if (this.pending.size > 0) this.worker.ref();
    else this.worker.unref();
  }

  request(req: DistributiveOmit<OrtRequest, 'id'>, transfer: ArrayBuffer[] = []): Promise<OrtResponse> {
    if (this.closed) return Promise.reject(new RsnaMammoError('ERR_SESSION_CLOSED', 'session is disposed', { file: this.modelPath }));
    const id = this.nextId++;
    return new Promise<OrtResponse>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.updateRef();
      this.worker.postMessage({ ...req, id }, transfer);
    });
  }

  async run(feeds: Record<string, TensorData>): Promise<Record<string, TensorData>> {
    const copies: Record<string, TensorData> = {};
    const transfer: ArrayBuffer[] = [];
    for (const [name, t] of Object.entries(feeds)) {
      if (!(t?.data instanceof Float32Array) || !Array.isArray(t.dims)) {
        throw new RsnaMammoError('ERR_INVALID_ARGUMENT', `Expected {data: Float32Array, dims: number[]} for feeds.${name}`);
      }
      if (t.data.buffer instanceof SharedArrayBuffer) {
        // Shared memory reaches the worker without a copy (a 2048×1024 batch is ~50 MB: copying it
        // here would hold the event loop for tens of ms). The caller must not write to it until
        // run() resolves.
        copies[name] = { data: t.data, dims: [...t.dims] };
        continue;
      }
      const data = t.data.slice(); // the caller keeps its buffer; the copy moves to the worker
      copies[name] = { data, dims: [...t.dims] };
      transfer.push(data.buffer as ArrayBuffer);
    }
    const res = await this.request({ type: 'run', feeds: copies }, transfer);
    return (res.result as { outputs: Record<string, TensorData> }).outputs;
  }

  async dispose(): Promise<void> {
    if (this.closed) return;
    try {
      await this.request({ type: 'dispose' });
    } finally {
      this.closed = true;
      await this.worker.terminate();
    }
  }
}

/**
 * After a session is built, ORT has freed the parsed model, but glibc keeps those pages unless asked:
 * malloc_trim through the CPU addon (4-fold convnext_small: about 550 MB back). Without the addon, nothing.
 */
function releaseFreedMemory(): void {
  try {
    loadCpuAddon().releaseFreedMemory?.();
  } catch {
    // no CPU addon: the memory stays mapped, nothing else changes
  }
}

export const onnxRuntimeBackend: InferenceBackend = {
  name: 'onnxruntime',

  async availability() {
    try {
      require.resolve('onnxruntime-node');
      return { available: true };
    } catch (err) {
      return { available: false, reason: `onnxruntime-node is not installed (${(err as Error).message.split('\n')[0]})` };
    }
  },

  async load(modelPath: string, options: SessionOptions): Promise<InferenceSession> {
    const session = new OrtWorkerSession(startWorker(__dirname, 'onnxruntime_worker'), modelPath);
    let res: OrtResponse;
    try {
      res = await session.request({ type: 'load', modelPath, providers: options.providers, threads: options.threads });
    } catch (err) {
      await session.dispose().catch(() => undefined);
      const e = err as Error;
      throw new RsnaMammoError('ERR_MODEL_LOAD', e.message.replace(/^.*?onnxruntime: /, 'onnxruntime cannot load the model: '), { cause: err, file: modelPath });
    }
    const info = res.result as OrtLoadResult;
    releaseFreedMemory();
    for (const note of info.notes) runtimeLog(`onnxruntime: ${note}; falling back to ${info.providers.join(', ')}`);
    Object.assign(session, {
      inputNames: info.inputNames, outputNames: info.outputNames, inputShapes: info.inputShapes, outputShapes: info.outputShapes, providers: info.providers,
    });
    return session;
  },
};
