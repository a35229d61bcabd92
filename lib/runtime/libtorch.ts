/**
 * The `libtorch` inference backend (docs/DESIGN.md "libtorch backend"): the k-fold ConvNeXt
 * ensemble and YOLOX run by the trainer's libtorch modules (native/infer_torch) on CUDA or the CPU.
 * A session is opened from the converted model's path like every backend, but its weights come from
 * the checkpoints that model was converted from (read by lib/models/torch in a worker), never from
 * the ONNX file. On CUDA it takes DeviceTensor feeds in place (`acceptsDeviceInput`).
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { RsnaMammoError, invalidArgument, fromNativeError } from '../errors';
import { ENSEMBLE_ONNX, FOLD_CHECKPOINTS, YOLOX_CHECKPOINT, YOLOX_ONNX } from '../run/modelFiles';
import { MEAN_255, STD_255 } from '../models/kfold_ensemble';
import { callWorker } from '../util/callWorker';
import {
  LIBTORCH_PRECISIONS, LibtorchPrecision, NamedWeight, NativeFeed, NativeTorchModel, libtorchAddonStatus, loadNativeModel,
} from './libtorch_addon';
import type { LibtorchWeights, PackedWeights } from './libtorch_weights';
import { Availability } from './selectBackend';
import { Feed, InferenceBackend, InferenceSession, SessionOptions, TensorData, isDeviceTensor } from './types';

/** Options of a libtorch session (SessionOptions plus what only this backend has). */
export interface LibtorchSessionOptions extends SessionOptions {
  /** NHWC weights and activations (faster convolutions on tensor cores). */
  channelsLast?: boolean;
  /** CUDA only: capture one graph per input shape and replay it. */
  cudaGraphs?: boolean;
}

const CHECKPOINT_EXT = /\.(pth|pt|tar|safetensors)$/i;

/** libtorch as this backend sees it: the addon loads, and whether it has a CUDA device. */
export function libtorchAvailability(): Availability & { cuda: boolean } {
  const st = libtorchAddonStatus();
  if (!st.loaded || !st.info) return { available: false, cuda: false, reason: st.reason ?? 'not loaded' };
  const i = st.info;
  if (i.cudaAvailable) return { available: true, cuda: true };
  return {
    available: true,
    cuda: false,
    reason: i.cuda ? 'libtorch sees no CUDA device' : `libtorch ${i.torchVersion} has no CUDA (CPU only)`,
  };
}

/**
 * The checkpoints whose weights the session for `modelPath` loads: `options.checkpoints`; the file
 * itself when it is a checkpoint; or, for a converted model, the sources lib/run/modelFiles.ts puts
 * beside it (the fold checkpoints of the ensemble ONNX, the YOLOX checkpoint of its ONNX).
 * @returns the files, or the reason none fit
 */
export function libtorchSources(modelPath: string, options: SessionOptions = {}): { files: string[] } | { reason: string } {
  if (options.checkpoints?.length) return { files: [...options.checkpoints] };
  if (CHECKPOINT_EXT.test(modelPath)) return { files: [modelPath] };
  const dir = path.dirname(modelPath);
  const base = path.basename(modelPath);
  let files: string[] = [];
  if (base === ENSEMBLE_ONNX) files = FOLD_CHECKPOINTS.map((f) => path.join(dir, f)).filter((f) => fs.existsSync(f));
  else if (base === YOLOX_ONNX) files = [path.join(dir, YOLOX_CHECKPOINT)].filter((f) => fs.existsSync(f));
  if (files.length > 0) return { files };
  return { reason: `libtorch loads the original checkpoints and none are beside ${base} (expected ${base === YOLOX_ONNX ? YOLOX_CHECKPOINT : FOLD_CHECKPOINTS.join(', ')})` };
}

/** A fold's named weights as views into its packed buffer. */
function namedWeights(p: PackedWeights): NamedWeight[] {
  return p.entries.map((e) => ({ name: e.name, dims: e.dims, data: p.buffer.subarray(e.offset, e.offset + e.length) }));
}

/** Reads the weights in a worker thread (the hardened checkpoint reader, off the event loop). */
export function readLibtorchWeights(files: string[]): Promise<LibtorchWeights> {
  return callWorker<LibtorchWeights>(__dirname, 'libtorch_weights_worker', files, 'ERR_MODEL_LOAD');
}

/** An InferenceSession on one native libtorch model. */
export class LibtorchSession implements InferenceSession {
  readonly backend = 'libtorch' as const;
  readonly inputNames: string[];
  readonly outputNames: string[];
  readonly inputShapes: (number | string)[][];
  readonly outputShapes: (number | string)[][];
  readonly acceptsDeviceInput: boolean;
  /** 'cpu' | 'cuda:N' */
  readonly device: string;

  constructor(private model: NativeTorchModel | undefined, readonly kind: LibtorchWeights['kind'], folds: number,
    readonly precision: LibtorchPrecision, private readonly file: string) {
    this.device = model!.device;
    this.acceptsDeviceInput = this.device.startsWith('cuda');
    // The names and shapes of the converted ONNX models, so callers treat both backends alike.
    if (kind === 'ensemble') {
      this.inputNames = ['input'];
      this.outputNames = ['probs'];
      this.inputShapes = [['batch', 3, 'height', 'width']];
      this.outputShapes = [['batch', folds]];
    } else {
      this.inputNames = ['images'];
      this.outputNames = ['output'];
      this.inputShapes = [['batch', 3, 'height', 'width']];
      this.outputShapes = [['batch', 'anchors', 'outputs']];
    }
  }

  /**
   * Runs the model on one feed: host data is read in place until the run settles (like the ONNX
   * Runtime worker reads the pipeline's shared batch buffer), a DeviceTensor on the session's device.
   */
  async run(feeds: Record<string, Feed>): Promise<Record<string, TensorData>> {
    const model = this.model;
    if (!model) throw new RsnaMammoError('ERR_SESSION_DISPOSED', `libtorch session on ${this.file} was disposed`);
    const name = this.inputNames[0];
    const feed = feeds?.[name];
    if (!feed) throw new RsnaMammoError('ERR_INVALID_ARGUMENT', `Expected a feed named "${name}"`);
    let native: NativeFeed;
    if (isDeviceTensor(feed)) {
      if (!this.acceptsDeviceInput) throw new RsnaMammoError('ERR_INVALID_ARGUMENT', `a DeviceTensor feed needs a CUDA session; this one runs on ${this.device}`);
      if (feed.dtype !== 'float32' || typeof feed.address !== 'bigint') throw invalidArgument(name, 'a float32 DeviceTensor with a bigint address', feed);
      native = { address: feed.address, deviceId: feed.deviceId, dims: feed.dims };
    } else {
      if (!(feed.data instanceof Float32Array) || !Array.isArray(feed.dims)) throw invalidArgument(name, '{ data: Float32Array, dims }', feed);
      native = { data: feed.data, dims: feed.dims };
    }
    try {
      // The feed (and a DeviceTensor's owner) stays referenced by this frame until the run settles.
      const out = await model.run(native);
      return { [this.outputNames[0]]: out };
    } catch (err) {
      throw fromNativeError(err, this.file);
    }
  }

  async dispose(): Promise<void> {
    this.model?.dispose();
    this.model = undefined;
  }
}

function precisionOf(options: SessionOptions, cuda: boolean): LibtorchPrecision {
  const p = options.precision ?? (options.fp16 ? 'fp16' : 'fp32');
  if (!LIBTORCH_PRECISIONS.includes(p)) throw invalidArgument('precision', LIBTORCH_PRECISIONS.join(' | '), p);
  if (!cuda && (p === 'fp16' || p === 'tf32')) throw invalidArgument('precision', "'fp32' or 'bf16' on the CPU", p);
  return p;
}

/**
 * Opens a libtorch session for `modelPath` (a converted .onnx with its checkpoints beside it, or a
 * checkpoint). Device: options.device, else the first CUDA device when libtorch sees one, else the CPU.
 * @throws RsnaMammoError ERR_BACKEND_UNAVAILABLE, ERR_MODEL_MISSING, ERR_ARCH_MISMATCH, ERR_CHECKPOINT_*,
 *   ERR_CUDA_UNAVAILABLE, ERR_INVALID_ARGUMENT
 */
export async function createLibtorchSession(modelPath: string, options: LibtorchSessionOptions = {}): Promise<LibtorchSession> {
  const availability = libtorchAvailability();
  if (!availability.available) throw new RsnaMammoError('ERR_BACKEND_UNAVAILABLE', `backend libtorch is not available: ${availability.reason}`);
  const sources = libtorchSources(modelPath, options);
  if ('reason' in sources) throw new RsnaMammoError('ERR_MODEL_MISSING', sources.reason, { file: modelPath });
  const device = options.device ?? (availability.cuda ? 'cuda:0' : 'cpu');
  const precision = precisionOf(options, device !== 'cpu');
  const weights = await readLibtorchWeights(sources.files);
  const threads = options.threads || Math.max(1, os.availableParallelism() - 1);
  const model = await loadNativeModel({
    kind: weights.kind,
    convnext: weights.convnext,
    yolox: weights.yolox,
    mean255: Float32Array.from(MEAN_255),
    std255: Float32Array.from(STD_255),
    folds: weights.folds.map(namedWeights),
    device,
    precision,
    channelsLast: options.channelsLast ?? false,
    cudaGraphs: options.cudaGraphs ?? false,
    threads,
  }, sources.files[0]);
  return new LibtorchSession(model, weights.kind, weights.folds.length, precision, modelPath);
}

/** The 'libtorch' InferenceBackend registered in lib/runtime/registry.ts. */
export const libtorchBackend: InferenceBackend = {
  name: 'libtorch',
  availability: async () => libtorchAvailability(),
  load: (modelPath: string, options: SessionOptions) => createLibtorchSession(modelPath, options),
};
