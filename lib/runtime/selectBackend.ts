/**
 * `--backend auto|tensorrt|libtorch|onnxruntime`: which inference backend runs, as a pure function of
 * what is available, so the fallback rules are tested without a GPU. `auto` prefers TensorRT (the
 * original ran TensorRT engines, ALGORITHMS.md §4.5/§4.6), then libtorch on a CUDA device, then ONNX
 * Runtime, with one line saying which and why. A forced backend runs wherever it can (libtorch on
 * the CPU too).
 */
import { RsnaMammoError, invalidArgument } from '../errors';

export type BackendName = 'onnxruntime' | 'tensorrt' | 'libtorch';
export type BackendRequest = 'auto' | BackendName;

/** The one list of backend names (flags, options, messages). */
export const BACKEND_REQUESTS: readonly BackendRequest[] = ['auto', 'tensorrt', 'libtorch', 'onnxruntime'];

/** Whether a backend can run here, and why not. */
export interface Availability {
  available: boolean;
  reason?: string;
  /** libtorch: it has a usable CUDA device (`auto` takes libtorch only then; `reason` says why not). */
  cuda?: boolean;
}

export interface BackendChoice {
  backend: BackendName;
  /** The one line to print (after the 'rsna-mammo: ' prefix) when `auto` did not get TensorRT. */
  note?: string;
}

/** `auto | tensorrt | libtorch | onnxruntime`, for usage lines and messages. */
export const BACKEND_CHOICES = BACKEND_REQUESTS.join(' | ');

/**
 * A `--backend` value (undefined: 'auto').
 * @throws RsnaMammoError ERR_INVALID_ARGUMENT naming the flag and the choices
 */
export function parseBackendRequest(value: unknown, flag = '--backend'): BackendRequest {
  if (value === undefined) return 'auto';
  if (!BACKEND_REQUESTS.includes(value as BackendRequest)) throw invalidArgument(flag, BACKEND_CHOICES, value);
  return value as BackendRequest;
}

/**
 * Picks the backend for `request`. `available.libtorch` may be left out (not probed: not a candidate).
 * @throws RsnaMammoError ERR_INVALID_ARGUMENT (unknown request), ERR_BACKEND_UNAVAILABLE when the
 *   requested backend (or, for auto, every backend) is unavailable.
 */
export function selectBackend(
  request: BackendRequest,
  available: { tensorrt: Availability; onnxruntime: Availability; libtorch?: Availability },
): BackendChoice {
  if (!BACKEND_REQUESTS.includes(request)) {
    throw new RsnaMammoError('ERR_INVALID_ARGUMENT', `Expected one of ${BACKEND_REQUESTS.join(', ')} for backend but received "${String(request)}"`);
  }
  const libtorch: Availability = available.libtorch ?? { available: false, reason: 'not probed' };
  if (request !== 'auto') {
    const a = request === 'libtorch' ? libtorch : available[request];
    if (!a.available) throw new RsnaMammoError('ERR_BACKEND_UNAVAILABLE', `backend ${request} is not available: ${a.reason ?? 'unknown reason'}`);
    return { backend: request };
  }
  if (available.tensorrt.available) return { backend: 'tensorrt' };
  const noTrt = `TensorRT not used (${available.tensorrt.reason ?? 'unavailable'})`;
  if (libtorch.available && libtorch.cuda) return { backend: 'libtorch', note: `${noTrt}; using libtorch on CUDA` };
  const whyNotLibtorch = available.libtorch ? ` (libtorch CUDA not used: ${libtorch.reason ?? 'no CUDA device'})` : '';
  if (available.onnxruntime.available) {
    return { backend: 'onnxruntime', note: `${noTrt}; using ONNX Runtime${whyNotLibtorch}` };
  }
  throw new RsnaMammoError('ERR_BACKEND_UNAVAILABLE',
    `no inference backend is available: tensorrt (${available.tensorrt.reason}), libtorch (${libtorch.reason}), onnxruntime (${available.onnxruntime.reason})`);
}
