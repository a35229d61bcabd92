/**
 * Backend registry and `createSession`. ONNX Runtime, TensorRT and libtorch are registered; 'auto'
 * takes tensorrt when available, else libtorch on CUDA (when it can load this model's weights), else
 * onnxruntime, and says in one line why (the rule: selectBackend.ts).
 */
import fs from 'fs';
import { RsnaMammoError, invalidArgument } from '../errors';
import { onnxRuntimeBackend } from './onnxruntime_backend';
import { tensorrtBackend } from './tensorrt';
import { libtorchBackend, libtorchSources } from './libtorch';
import { InferenceBackend, InferenceSession, SessionOptions } from './types';
import { runtimeLog } from './log';
import { detectDriver } from '../gpu/detectDriver';
import { Availability, BACKEND_CHOICES, BACKEND_REQUESTS, BackendName, selectBackend } from './selectBackend';

/** A backend's availability; a throwing check counts as unavailable, with its message as the reason. */
async function availabilityOf(backend: InferenceBackend): Promise<Availability> {
  try {
    return await backend.availability();
  } catch (err) {
    return { available: false, reason: (err as Error)?.message ?? String(err) };
  }
}

const backends = new Map<string, InferenceBackend>([
  [onnxRuntimeBackend.name, onnxRuntimeBackend],
  [tensorrtBackend.name, tensorrtBackend],
  [libtorchBackend.name, libtorchBackend],
]);

const fallbackLogged = new Set<string>();

/** Registers (or replaces) a backend under `backend.name`. */
export function registerBackend(backend: InferenceBackend): void {
  if (!backend || typeof backend.name !== 'string' || typeof backend.load !== 'function' || typeof backend.availability !== 'function') {
    throw invalidArgument('backend', 'an InferenceBackend {name, availability(), load()}', backend);
  }
  backends.set(backend.name, backend);
}

/** Names of the registered backends. */
export function registeredBackends(): string[] {
  return [...backends.keys()];
}

/**
 * Loads `modelPath` with the chosen backend.
 * @param modelPath an .onnx file (or a backend-specific engine file)
 * @param options backend ('auto' | 'tensorrt' | 'libtorch' | 'onnxruntime'), threads, providers, maxBatch, fp16, precision, device, checkpoints
 * @throws RsnaMammoError ERR_FILE_NOT_FOUND, ERR_BACKEND_UNAVAILABLE (explicitly requested backend missing), ERR_MODEL_LOAD
 * @example const s = await createSession('ensemble.onnx'); const out = await s.run({ input: { data, dims: [1, 3, 2048, 1024] } });
 */
export async function createSession(modelPath: string, options: SessionOptions = {}): Promise<InferenceSession> {
  if (typeof modelPath !== 'string' || modelPath.length === 0) throw invalidArgument('modelPath', 'a file path', modelPath);
  const wanted = options.backend ?? 'auto';
  if (!BACKEND_REQUESTS.includes(wanted)) throw invalidArgument('backend', BACKEND_CHOICES, wanted);
  if (!fs.existsSync(modelPath)) throw new RsnaMammoError('ERR_FILE_NOT_FOUND', 'model file does not exist', { file: modelPath });
  // Only the backends the request can pick are probed (probing TensorRT loads the CUDA addon).
  const notAsked: Availability = { available: false, reason: 'not requested' };
  const tensorrt = wanted === 'auto' || wanted === 'tensorrt' ? await probe('tensorrt') : notAsked;
  const libtorch = wanted === 'libtorch' || (wanted === 'auto' && !tensorrt.available) ? await probeLibtorch(modelPath, options, wanted) : undefined;
  const onnxruntime = wanted !== 'onnxruntime' && (wanted !== 'auto' || tensorrt.available || (libtorch?.available && libtorch.cuda))
    ? notAsked : await probe('onnxruntime');
  const choice = selectBackend(wanted, { tensorrt, onnxruntime, libtorch });
  if (choice.note && !fallbackLogged.has(choice.note)) {
    runtimeLog(choice.note);  // once per process, not per session
    fallbackLogged.add(choice.note);
  }
  return backends.get(choice.backend)!.load(modelPath, options);
}

/** Availability of a registered backend by name ('not registered' when absent). */
async function probe(name: BackendName): Promise<Availability> {
  const backend = backends.get(name);
  return backend ? availabilityOf(backend) : { available: false, reason: `backend "${name}" is not registered (registered: ${registeredBackends().join(', ')})` };
}

/**
 * libtorch's availability for this model: the backend, and the checkpoints its weights come from.
 * For `auto` without an NVIDIA driver libtorch could only run on the CPU, which auto never takes, so
 * the addon (and libtorch with it) is not even loaded.
 */
async function probeLibtorch(modelPath: string, options: SessionOptions, wanted: string): Promise<Availability> {
  if (wanted === 'auto' && backends.get('libtorch') === libtorchBackend) {
    const driver = detectDriver();
    if (!driver.present) return { available: false, cuda: false, reason: driver.reason ?? 'no NVIDIA driver' };
  }
  const a = await probe('libtorch');
  if (!a.available || backends.get('libtorch') !== libtorchBackend) return a;
  const sources = libtorchSources(modelPath, options);
  return 'reason' in sources ? { available: false, cuda: false, reason: sources.reason } : a;
}
