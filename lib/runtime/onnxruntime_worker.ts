/**
 * Worker-thread body for the ONNX Runtime backend: onnxruntime-node's `run` executes synchronously
 * on the calling thread, so every session lives in its own worker and the main event loop stays free.
 * Protocol: {id, type: 'load'|'run'|'dispose', ...} → {id, ok, result | error}.
 */
import { parentPort } from 'worker_threads';
import type * as Ort from 'onnxruntime-node';
import type { OrtRequest, OrtResponse } from './onnxruntime_protocol';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const ort: typeof Ort = require('onnxruntime-node');
let session: Ort.InferenceSession | undefined;

function shapes(meta: readonly Ort.InferenceSession.ValueMetadata[]): (number | string)[][] {
  return meta.map((m) => (m.isTensor ? [...m.shape] : []));
}

/** Providers the installed package can use; unknown or not bundled ones are reported and dropped. */
function usableProviders(requested: string[]): { providers: string[]; notes: string[] } {
  const supported = new Map(ort.listSupportedBackends().map((b) => [b.name, b.bundled]));
  const notes: string[] = [];
  const providers = requested.filter((p) => {
    if (p === 'cpu') return true;
    if (!supported.has(p)) notes.push(`execution provider "${p}" is not supported by this onnxruntime-node build`);
    else if (!supported.get(p)) notes.push(`execution provider "${p}" is not installed (onnxruntime-node-install=skip)`);
    else return true;
    return false;
  });
  if (!providers.includes('cpu')) providers.push('cpu');
  return { providers, notes };
}

async function load(req: Extract<OrtRequest, { type: 'load' }>): Promise<OrtResponse['result']> {
  const { providers, notes } = usableProviders(req.providers ?? ['cpu']);
  const opts = (eps: string[]): Ort.InferenceSession.SessionOptions => ({
    executionProviders: eps,
    graphOptimizationLevel: 'all',
    // Memory (issue 15): the memory pattern plans one block for a whole run on top of what the arena
    // already holds. 4-fold convnext_small at 2048×1024: peak RSS 2337 MB with it (the default), 1729 MB
    // without, at the same speed (1.03× of the default in interleaved runs of the small 4-fold model). Without the arena as well it
    // is 1599 MB, but every activation is then a fresh mmap whose pages fault in on each run: 1.2–1.9×
    // slower, so the arena stays.
    enableMemPattern: false,
    ...(req.threads ? { intraOpNumThreads: req.threads, interOpNumThreads: 1 } : {}),
  });
  try {
    session = await ort.InferenceSession.create(req.modelPath, opts(providers));
  } catch (err) {
    if (providers.length === 1) throw err;
    notes.push(`execution providers ${providers.filter((p) => p !== 'cpu').join(', ')} failed (${(err as Error).message.split('\n')[0]})`);
    session = await ort.InferenceSession.create(req.modelPath, opts(['cpu']));
    providers.splice(0, providers.length, 'cpu');
  }
  return {
    inputNames: [...session.inputNames],
    outputNames: [...session.outputNames],
    inputShapes: shapes(session.inputMetadata),
    outputShapes: shapes(session.outputMetadata),
    providers,
    notes,
  };
}

async function run(req: Extract<OrtRequest, { type: 'run' }>): Promise<{ outputs: Record<string, { data: Float32Array; dims: number[] }>; transfer: ArrayBuffer[] }> {
  if (!session) throw new Error('session is not loaded');
  const feeds: Record<string, Ort.Tensor> = {};
  for (const [name, t] of Object.entries(req.feeds)) {
    // onnxruntime-node rejects views of shared memory: copy here, on the worker, not on the JS thread.
    const data = t.data.buffer instanceof SharedArrayBuffer ? new Float32Array(t.data) : t.data;
    feeds[name] = new ort.Tensor('float32', data, t.dims);
  }
  const result = await session.run(feeds);
  const outputs: Record<string, { data: Float32Array; dims: number[] }> = {};
  const transfer: ArrayBuffer[] = [];
  for (const [name, t] of Object.entries(result)) {
    const data = Float32Array.from(t.data as Float32Array);
    outputs[name] = { data, dims: [...t.dims] };
    transfer.push(data.buffer as ArrayBuffer);
    t.dispose?.();
  }
  return { outputs, transfer };
}

parentPort!.on('message', async (req: OrtRequest) => {
  try {
    if (req.type === 'load') parentPort!.postMessage({ id: req.id, ok: true, result: await load(req) });
    else if (req.type === 'run') {
      const { outputs, transfer } = await run(req);
      parentPort!.postMessage({ id: req.id, ok: true, result: { outputs } }, transfer);
    } else {
      await session?.release();
      session = undefined;
      parentPort!.postMessage({ id: req.id, ok: true });
    }
  } catch (err) {
    parentPort!.postMessage({ id: req.id, ok: false, error: (err as Error).message ?? String(err) });
  }
});
