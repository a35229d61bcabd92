/**
 * Backend registry and `createSession`. ONNX Runtime is always registered; the GPU area registers
 * 'tensorrt'. 'auto' prefers tensorrt when it is registered and available, else onnxruntime, and
 * says in one line why it fell back.
 */
import fs from 'fs';
import { RsnaMammoError, invalidArgument } from '../errors';
import { onnxRuntimeBackend } from './onnxruntime_backend';
import { tensorrtBackend } from './tensorrt';
import { InferenceBackend, InferenceSession, SessionOptions } from './types';
import { runtimeLog } from './log';

/** A backend's availability; a throwing check counts as unavailable, with its message as the reason. */
async function availabilityOf(backend: InferenceBackend): Promise<{ available: boolean; reason?: string }> {
  try {
    return await backend.availability();
  } catch (err) {
    return { available: false, reason: (err as Error)?.message ?? String(err) };
  }
}

const backends = new Map<string, InferenceBackend>([
  [onnxRuntimeBackend.name, onnxRuntimeBackend],
  [tensorrtBackend.name, tensorrtBackend],
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
 * @param options backend ('auto' | 'onnxruntime' | 'tensorrt'), threads, providers, maxBatch, fp16
 * @throws RsnaMammoError ERR_FILE_NOT_FOUND, ERR_BACKEND_UNAVAILABLE (explicitly requested backend missing), ERR_MODEL_LOAD
 * @example const s = await createSession('ensemble.onnx'); const out = await s.run({ input: { data, dims: [1, 3, 2048, 1024] } });
 */
export async function createSession(modelPath: string, options: SessionOptions = {}): Promise<InferenceSession> {
  if (typeof modelPath !== 'string' || modelPath.length === 0) throw invalidArgument('modelPath', 'a file path', modelPath);
  const wanted = options.backend ?? 'auto';
  if (!['auto', 'onnxruntime', 'tensorrt'].includes(wanted)) throw invalidArgument('backend', "'auto', 'onnxruntime' or 'tensorrt'", wanted);
  if (!fs.existsSync(modelPath)) throw new RsnaMammoError('ERR_FILE_NOT_FOUND', 'model file does not exist', { file: modelPath });
  if (wanted !== 'auto') {
    const backend = backends.get(wanted);
    if (!backend) throw new RsnaMammoError('ERR_BACKEND_UNAVAILABLE', `backend "${wanted}" is not registered (registered: ${registeredBackends().join(', ')})`);
    const status = await availabilityOf(backend);
    if (!status.available) throw new RsnaMammoError('ERR_BACKEND_UNAVAILABLE', `backend "${wanted}" is unavailable: ${status.reason ?? 'unknown reason'}`);
    return backend.load(modelPath, options);
  }
  const trt = backends.get('tensorrt');
  if (trt) {
    const status = await availabilityOf(trt);
    if (status.available) return trt.load(modelPath, options);
    const line = `tensorrt unavailable (${status.reason ?? 'unknown reason'}); using onnxruntime`;
    if (!fallbackLogged.has(line)) runtimeLog(line);  // once per process, not per session
    fallbackLogged.add(line);
  }
  return onnxRuntimeBackend.load(modelPath, options);
}
