/** Inference runtime: backend interface, registry and the ONNX Runtime backend. */
export type { TensorData, InferenceSession, SessionOptions, InferenceBackend } from './types';
export { registerBackend, registeredBackends, createSession } from './registry';
export { onnxRuntimeBackend } from './onnxruntime_backend';
