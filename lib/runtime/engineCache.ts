/**
 * Engine files keyed by what makes a TensorRT plan valid: the ONNX model's content, the GPU (name +
 * compute capability), the TensorRT version and the build options. A plan built elsewhere is not
 * misused: a different key is a different file, and a sidecar JSON is checked before loading.
 */
import crypto from 'crypto';
import fs from 'fs';
import path from 'path';

/** Everything an engine depends on. */
export interface EngineKeyInputs {
  /** sha256 of the ONNX file (hex). */
  onnxSha256: string;
  gpuName: string;
  /** "major.minor", e.g. "8.0". */
  computeCapability: string;
  /** TensorRT library version, e.g. "10.16.1". */
  tensorrtVersion: string;
  fp16: boolean;
  tf32: boolean;
  maxBatch: number;
}

/** The stable key: a short hash of the canonical JSON of the inputs plus readable parts. */
export function engineCacheKey(k: EngineKeyInputs): string {
  const canonical = JSON.stringify([k.onnxSha256, k.gpuName, k.computeCapability, k.tensorrtVersion, k.fp16, k.tf32, k.maxBatch]);
  const hash = crypto.createHash('sha256').update(canonical).digest('hex').slice(0, 12);
  const gpu = k.gpuName.toLowerCase().replace(/^nvidia\s+/, '').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  const precision = k.fp16 ? 'fp16' : k.tf32 ? 'tf32' : 'fp32';
  return `${gpu}-sm${k.computeCapability.replace('.', '')}-trt${k.tensorrtVersion}-${precision}-b${k.maxBatch}-${hash}`;
}

/** `<dir>/<model>.<key>.engine` for the ONNX file `onnxPath`. */
export function engineCachePath(onnxPath: string, key: string, dir = path.dirname(onnxPath)): string {
  return path.join(dir, `${path.basename(onnxPath, '.onnx')}.${key}.engine`);
}

/** The sidecar written next to an engine: the inputs of its key. */
export function sidecarPath(enginePath: string): string {
  return `${enginePath}.json`;
}

/**
 * Whether `enginePath` was built for exactly `expected` (engine and sidecar present, sidecar equal).
 * Returns the reason when it must be (re)built.
 */
export function engineIsCurrent(enginePath: string, expected: EngineKeyInputs): { current: boolean; reason?: string } {
  if (!fs.existsSync(enginePath)) return { current: false, reason: 'no engine built yet' };
  let recorded: Partial<EngineKeyInputs>;
  try {
    recorded = JSON.parse(fs.readFileSync(sidecarPath(enginePath), 'utf8')) as Partial<EngineKeyInputs>;
  } catch {
    return { current: false, reason: 'the engine has no readable sidecar' };
  }
  for (const field of Object.keys(expected) as (keyof EngineKeyInputs)[]) {
    if (recorded[field] !== expected[field]) {
      return { current: false, reason: `${field} changed (${String(recorded[field])} → ${String(expected[field])})` };
    }
  }
  return { current: true };
}

/** sha256 of a file, streamed (ONNX ensembles are large). */
export async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
