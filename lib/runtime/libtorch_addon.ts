/**
 * The libtorch inference addon `build-torch/rsna_mammo_torch.node` (native/infer_torch, built by
 * scripts/build-train.js when libtorch is found): where it is, loading it once, and what it reports.
 * Loading it maps libtorch into the process, so it happens only when the libtorch backend is asked
 * about (auto, --backend libtorch, doctor).
 */
import fs from 'fs';
import path from 'path';
import { RsnaMammoError, fromNativeError, invalidArgument } from '../errors';
import { packageRoot } from '../util/packageRoot';

/** What the addon's info() says about its libtorch. */
export interface LibtorchInfo {
  torchVersion: string;
  /** The addon was built against a libtorch with CUDA (streams, graphs and device feeds compiled in). */
  cuda: boolean;
  cudaAvailable: boolean;
  deviceCount: number;
  /** CUDA runtime version of that libtorch (e.g. 12040), 0 when none. */
  cudaVersion: number;
  cudnnVersion: number;
  devices: string[];
}

/** One named weight handed to native (data: a view, kept alive by the caller until the load settles). */
export interface NamedWeight {
  name: string;
  dims: number[];
  data: Float32Array;
}

/** loadModel()'s argument (native/infer_torch/torch_addon.cc SpecOf/OptionsOf). */
export interface LibtorchModelSpec {
  kind: 'ensemble' | 'yolox';
  convnext?: { depths: number[]; dims: number[]; inChans: number; numClasses: number };
  yolox?: { depth: number; width: number; depthwise: boolean; numClasses: number; bnEps: number };
  mean255?: Float32Array;
  std255?: Float32Array;
  /** Per fold (YOLOX: one) the named float weights. */
  folds: NamedWeight[][];
  device: string;
  precision: LibtorchPrecision;
  channelsLast?: boolean;
  cudaGraphs?: boolean;
  threads?: number;
}

export type LibtorchPrecision = 'fp32' | 'tf32' | 'fp16' | 'bf16';
export const LIBTORCH_PRECISIONS: readonly LibtorchPrecision[] = ['fp32', 'tf32', 'fp16', 'bf16'];

/**
 * A `--precision` value (undefined stays undefined: the session's default, fp32).
 * @throws RsnaMammoError ERR_INVALID_ARGUMENT naming the flag and the choices
 */
export function parseLibtorchPrecision(value: unknown, flag = '--precision'): LibtorchPrecision | undefined {
  if (value === undefined) return undefined;
  if (!LIBTORCH_PRECISIONS.includes(value as LibtorchPrecision)) throw invalidArgument(flag, LIBTORCH_PRECISIONS.join(' | '), value);
  return value as LibtorchPrecision;
}

/** A feed in native form: host data, or a CUDA address consumed in place. */
export type NativeFeed = { data: Float32Array; dims: number[] } | { address: bigint; deviceId: number; dims: number[] };

export interface NativeTorchModel {
  readonly device: string;
  run(feed: NativeFeed): Promise<{ data: Float32Array; dims: number[] }>;
  dispose(): void;
}

export interface LibtorchAddon {
  info(): LibtorchInfo;
  loadModel(spec: LibtorchModelSpec): Promise<NativeTorchModel>;
}

/** Addon status: built (file present), loaded, and why not. */
export interface LibtorchAddonStatus {
  built: boolean;
  path: string;
  loaded: boolean;
  info: LibtorchInfo | null;
  reason: string | null;
}

/** The addon file ($RSNA_MAMMO_TORCH_ADDON overrides the build folder). */
export function libtorchAddonPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.RSNA_MAMMO_TORCH_ADDON ? path.resolve(env.RSNA_MAMMO_TORCH_ADDON) : path.join(packageRoot, 'build-torch', 'rsna_mammo_torch.node');
}

let cached: { addon?: LibtorchAddon; status: LibtorchAddonStatus } | undefined;

/** Loads the addon once; never throws (the status says why it is not usable). */
export function libtorchAddonStatus(): LibtorchAddonStatus {
  if (cached) return cached.status;
  const file = libtorchAddonPath();
  const shown = file.startsWith(packageRoot + path.sep) ? path.relative(packageRoot, file) : file;
  if (!fs.existsSync(file)) {
    cached = { status: { built: false, path: file, loaded: false, info: null,
      reason: `${shown} is not built (needs cmake, a C++17 compiler and libtorch; then npm run build:torch)` } };
    return cached.status;
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const addon = require(file) as LibtorchAddon;
    cached = { addon, status: { built: true, path: file, loaded: true, info: addon.info(), reason: null } };
  } catch (err) {
    const first = String((err as Error)?.message ?? err).split('\n')[0];
    cached = { status: { built: true, path: file, loaded: false, info: null, reason: `${path.basename(file)} does not load (${first})` } };
  }
  return cached.status;
}

/**
 * The loaded addon.
 * @throws RsnaMammoError ERR_BACKEND_UNAVAILABLE naming why it is not usable.
 */
export function loadLibtorchAddon(): LibtorchAddon {
  const status = libtorchAddonStatus();
  if (!cached?.addon) throw new RsnaMammoError('ERR_BACKEND_UNAVAILABLE', `backend libtorch is not available: ${status.reason}`);
  return cached.addon;
}

/** Loads a model through the addon, its native errors as RsnaMammoError naming `file`. */
export async function loadNativeModel(spec: LibtorchModelSpec, file: string): Promise<NativeTorchModel> {
  try {
    return await loadLibtorchAddon().loadModel(spec);
  } catch (err) {
    throw fromNativeError(err, file);
  }
}
