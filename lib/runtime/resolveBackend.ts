/**
 * `--backend auto|tensorrt|onnxruntime` on this machine: probes TensorRT (CUDA addon + libnvinfer)
 * and ONNX Runtime, applies selectBackend's rules and logs the one fallback line when `auto` did
 * not get TensorRT.
 */
import { probeOnnxRuntime } from '../doctor/probes';
import { BackendChoice, BackendRequest, selectBackend } from './selectBackend';
import { tensorrtAvailability } from './tensorrt';

/** Resolves `request` against what this machine offers. @throws ERR_BACKEND_UNAVAILABLE */
export function resolveBackend(request: BackendRequest = 'auto', log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): BackendChoice {
  const ort = probeOnnxRuntime();
  const choice = selectBackend(request, {
    tensorrt: request === 'onnxruntime' ? { available: false, reason: 'not requested' } : tensorrtAvailability(),
    onnxruntime: { available: ort.found, reason: ort.reason ?? undefined },
  });
  if (choice.note) log(choice.note);
  return choice;
}
