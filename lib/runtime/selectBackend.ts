/**
 * `--backend auto|tensorrt|onnxruntime`: which inference backend runs, as a pure function of what
 * is available, so the fallback rules are tested without a GPU. `auto` prefers TensorRT (the
 * original ran TensorRT engines, ALGORITHMS.md §4.5/§4.6) and falls back to ONNX Runtime with one line why.
 */
import { RsnaMammoError } from '../errors';

export type BackendName = 'onnxruntime' | 'tensorrt';
export type BackendRequest = 'auto' | BackendName;

export const BACKEND_REQUESTS: readonly BackendRequest[] = ['auto', 'tensorrt', 'onnxruntime'];

/** Whether a backend can run here, and why not. */
export interface Availability {
  available: boolean;
  reason?: string;
}

export interface BackendChoice {
  backend: BackendName;
  /** The one line to print (after the 'rsna-mammo: ' prefix) when `auto` did not get TensorRT. */
  note?: string;
}

/**
 * Picks the backend for `request`.
 * @throws RsnaMammoError ERR_BACKEND_UNAVAILABLE when the requested backend (or, for auto, every backend) is unavailable.
 */
export function selectBackend(request: BackendRequest, available: Record<BackendName, Availability>): BackendChoice {
  if (!BACKEND_REQUESTS.includes(request)) {
    throw new RsnaMammoError('ERR_INVALID_ARGUMENT', `Expected one of auto, tensorrt, onnxruntime for backend but received "${String(request)}"`);
  }
  if (request !== 'auto') {
    const a = available[request];
    if (!a.available) throw new RsnaMammoError('ERR_BACKEND_UNAVAILABLE', `backend ${request} is not available: ${a.reason ?? 'unknown reason'}`);
    return { backend: request };
  }
  if (available.tensorrt.available) return { backend: 'tensorrt' };
  if (available.onnxruntime.available) {
    return { backend: 'onnxruntime', note: `TensorRT not used (${available.tensorrt.reason ?? 'unavailable'}); using ONNX Runtime` };
  }
  throw new RsnaMammoError('ERR_BACKEND_UNAVAILABLE',
    `no inference backend is available: tensorrt (${available.tensorrt.reason}), onnxruntime (${available.onnxruntime.reason})`);
}
