/** Inference runtime: backend interface, registry, the ONNX Runtime and libtorch backends. */
export type { TensorData, InferenceSession, SessionOptions, InferenceBackend } from './types';
export { registerBackend, registeredBackends, createSession } from './registry';
export { onnxRuntimeBackend } from './onnxruntime_backend';
export { createLibtorchSession, libtorchBackend } from './libtorch';
export type { LibtorchSessionOptions } from './libtorch';
