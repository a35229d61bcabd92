/**
 * `rsna-mammo doctor`: what this machine offers and what rsna-mammo will use. The JSON keys are a
 * stable interface (documented in docs/GPU.md); add keys, never rename or remove them.
 */
import os from 'os';
import { cpuAddonStatus, cudaAddonStatus, loadCpuAddon } from '../native';
import { CudaDevice } from '../gpu/cudaStatus';
import { DriverProbe } from '../gpu/detectDriver';
import { TensorRtInfo, tensorrtUsability } from '../gpu/tensorrtAddon';
import { BackendName, selectBackend } from '../runtime/selectBackend';
import { LibtorchProbe, OnnxRuntimeProbe, probeLibtorch, probeOnnxRuntime } from './probes';
import { trainExecutableInfo, trainExecutableStatus } from '../train/executable';
import { libtorchAddonStatus } from '../runtime/libtorch_addon';
import { libtorchAvailability } from '../runtime/libtorch';

/** Version of the report's shape; bumped only if a key ever has to change meaning. */
export const DOCTOR_SCHEMA = 1;

export type CodecSource = 'native' | 'wasm';

export interface DoctorReport {
  schema: number;
  version: string;
  platform: { os: string; arch: string; node: string; cpus: number };
  cpuAddon: {
    loaded: boolean; reason: string | null; modules: string[]; napiVersion: number | null;
    /** The binary that loaded and where it came from: the package's prebuilt, a source build, or $RSNA_MAMMO_CPU_ADDON. */
    path: string | null; source: 'prebuilt' | 'source' | 'override' | null;
  };
  /** Per codec: compiled into the CPU addon ("native") or the WASM fallback. */
  codecs: Record<string, CodecSource>;
  /** True when every codec is native. */
  nativeCodecs: boolean;
  /** The JPEG 2000 decoder a default run uses: Grok (source builds that found it, AGPL-3.0), libopenjp2, or WASM OpenJPEG. */
  j2kDecoder: string;
  driver: DriverProbe;
  cudaAddon: {
    built: boolean;
    path: string | null;
    /** Loaded in a child process without crashing (null: not tried). */
    loadable: boolean | null;
    /** Will be loaded by the pipeline (a GPU is usable). */
    loaded: boolean;
    reason: string | null;
    runtimeVersion: number | null;
    driverVersion: number | null;
  };
  gpus: CudaDevice[];
  tensorrt: { found: boolean; version: string | null; compiled: boolean; headerVersion: string | null; usable: boolean; reason: string | null };
  onnxruntime: OnnxRuntimeProbe;
  libtorch: LibtorchProbe;
  /**
   * The `libtorch` inference backend (build-torch/rsna_mammo_torch.node): built, loaded, its libtorch
   * and CUDA/cuDNN versions (e.g. "12.4", "9.1.0"), the CUDA devices it sees, whether `auto` would take
   * it (usable on CUDA), and why not.
   */
  libtorchBackend: {
    built: boolean; path: string; loaded: boolean; torchVersion: string | null; cuda: boolean;
    cudaVersion: string | null; cudnnVersion: string | null; devices: string[]; usableOnCuda: boolean; reason: string | null;
  };
  /** The native trainer (build-train/rsna-mammo-train): built, its libtorch, CUDA in it, or why not. */
  trainer: { built: boolean; path: string | null; torchVersion: string | null; cuda: boolean; reason: string | null };
  /** What a default run uses. */
  uses: { decode: CodecSource | 'mixed'; preprocessing: 'cuda' | 'cpu'; inference: BackendName | null; notes: string[] };
}

/** Gathers the report (spawns one child process to test-load the CUDA addon). */
export function collectDoctorReport(): DoctorReport {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const version: string = require('../../package.json').version;
  const cpu = cpuAddonStatus();
  const build = cpu.loaded ? loadCpuAddon().buildInfo() : undefined;
  const codecs: Record<string, CodecSource> = {};
  for (const [name, native] of Object.entries(build?.codecs ?? { openjpeg: false, charls: false, openjph: false, gdcmJpeg: false })) {
    codecs[name] = native ? 'native' : 'wasm';
  }
  const sources = new Set(Object.values(codecs));
  const cuda = cudaAddonStatus({ alwaysTestLoad: true });
  const trtInfo = cuda.tensorrtInfo as TensorRtInfo | undefined;
  const { available: trtUsable, reason: trtReason } = tensorrtUsability(cuda, trtInfo);
  const ort = probeOnnxRuntime();
  const libtorch = probeLibtorch();
  const libtorchBackend = libtorchBackendReport();
  const notes: string[] = [];
  let inference: BackendName | null = null;
  try {
    const choice = selectBackend('auto', {
      tensorrt: { available: trtUsable, reason: trtReason ?? (cuda.usable ? undefined : cuda.reason) },
      onnxruntime: { available: ort.found, reason: ort.reason ?? undefined },
      libtorch: { available: libtorchBackend.loaded, cuda: libtorchBackend.usableOnCuda, reason: libtorchBackend.reason ?? undefined },
    });
    inference = choice.backend;
    if (choice.note) notes.push(choice.note);
  } catch (err) {
    notes.push((err as Error).message);
  }
  if (!cuda.usable) notes.push(`preprocessing on the CPU: ${cuda.reason}`);
  return {
    schema: DOCTOR_SCHEMA,
    version,
    platform: { os: `${process.platform} ${os.release()}`, arch: process.arch, node: process.version, cpus: os.cpus().length },
    cpuAddon: {
      loaded: cpu.loaded, reason: cpu.reason ?? null, modules: cpu.modules ?? [], napiVersion: build?.napiVersion ?? null,
      path: cpu.path ?? null, source: cpu.source ?? null,
    },
    codecs,
    nativeCodecs: sources.size === 1 && sources.has('native'),
    j2kDecoder: build?.sourceOnlyCodecs?.grok ? 'grok (native, source build; AGPL-3.0)' : `openjpeg (${codecs.openjpeg ?? 'wasm'})`,
    driver: cuda.driver,
    cudaAddon: {
      built: cuda.built,
      path: cuda.path ?? null,
      loadable: cuda.loadable ?? null,
      loaded: cuda.usable,
      reason: cuda.reason ?? null,
      runtimeVersion: cuda.deviceInfo?.runtimeVersion ?? null,
      driverVersion: cuda.deviceInfo?.driverVersion ?? null,
    },
    gpus: cuda.deviceInfo?.devices ?? [],
    tensorrt: {
      found: trtInfo?.found ?? false,
      version: trtInfo?.version ?? null,
      compiled: trtInfo?.compiled ?? false,
      headerVersion: trtInfo?.headerVersion ?? null,
      usable: trtUsable,
      reason: trtUsable ? null : trtReason ?? cuda.reason ?? null,
    },
    onnxruntime: ort,
    libtorch,
    libtorchBackend,
    trainer: trainerReport(libtorch),
    uses: {
      decode: sources.size === 1 ? [...sources][0] : 'mixed',
      preprocessing: cuda.usable ? 'cuda' : 'cpu',
      inference,
      notes,
    },
  };
}

/** 12040 → "12.4" (CUDA runtime); 8902 → "8.9.2", 90100 → "9.1.0" (cuDNN); 0 → null. */
export function cudaVersionText(v: number, kind: 'cuda' | 'cudnn'): string | null {
  if (!v) return null;
  if (kind === 'cuda') return `${Math.floor(v / 1000)}.${Math.floor((v % 1000) / 10)}`;
  const major = v >= 90000 ? Math.floor(v / 10000) : Math.floor(v / 1000);
  const rest = v >= 90000 ? v % 10000 : v % 1000;
  return `${major}.${Math.floor(rest / 100)}.${rest % 100}`;
}

function libtorchBackendReport(): DoctorReport['libtorchBackend'] {
  const st = libtorchAddonStatus();
  const a = libtorchAvailability();
  const i = st.info;
  return {
    built: st.built,
    path: st.path,
    loaded: st.loaded,
    torchVersion: i?.torchVersion ?? null,
    cuda: i?.cuda ?? false,
    cudaVersion: cudaVersionText(i?.cudaVersion ?? 0, 'cuda'),
    cudnnVersion: cudaVersionText(i?.cudnnVersion ?? 0, 'cudnn'),
    devices: i?.devices ?? [],
    usableOnCuda: a.available && a.cuda,
    reason: a.available && a.cuda ? null : a.reason ?? null,
  };
}

function trainerReport(libtorch: LibtorchProbe): DoctorReport['trainer'] {
  const st = trainExecutableStatus();
  const info = st.built ? trainExecutableInfo() : null;
  let reason = st.reason;
  if (!st.built && !libtorch.found) reason = `${reason}; ${libtorch.reason}`;
  if (st.built && !info) reason = `${st.path} does not run (libtorch or OpenCV shared libraries missing?)`;
  return {
    built: st.built,
    path: st.path,
    torchVersion: typeof info?.torch === 'string' ? info.torch : null,
    cuda: info?.cuda === true,
    reason,
  };
}

function yesNo(ok: boolean, detail: string | null | undefined, why: string | null | undefined): string {
  return ok ? `yes${detail ? ` (${detail})` : ''}` : `no${why ? ` — ${why}` : ''}`;
}

function libtorchBackendLine(b: DoctorReport['libtorchBackend']): string {
  if (!b.loaded) return `no — ${b.reason}`;
  if (!b.cuda) return `built (libtorch ${b.torchVersion} without CUDA): CPU only`;
  const where = b.usableOnCuda ? `runs on ${b.devices.join(', ') || 'CUDA'}` : `CPU only — ${b.reason}`;
  return `built (libtorch ${b.torchVersion}, CUDA ${b.cudaVersion ?? '?'}, cuDNN ${b.cudnnVersion ?? 'none'}): ${where}`;
}

/** The human-readable form, one line per fact. */
export function formatDoctorReport(r: DoctorReport): string {
  const codecList = Object.entries(r.codecs).map(([k, v]) => `${k}=${v}`).join(', ');
  const gpus = r.gpus.map((g) => `${g.name} (sm_${g.computeCapability.replace('.', '')}, ${(g.totalMemory / 2 ** 30).toFixed(0)} GiB)`);
  const lines = [
    `rsna-mammo ${r.version} on ${r.platform.os} ${r.platform.arch}, Node ${r.platform.node}, ${r.platform.cpus} CPUs`,
    `CPU addon:        ${yesNo(r.cpuAddon.loaded, `${r.cpuAddon.source}, ${r.cpuAddon.modules.length} modules: ${r.cpuAddon.path}`, r.cpuAddon.reason)}`,
    `codecs:           ${codecList}${r.nativeCodecs ? '' : ' (WASM fallback for the others)'}`,
    `JPEG 2000:        ${r.j2kDecoder}`,
    `NVIDIA driver:    ${yesNo(r.driver.present, r.driver.kernelModule ?? r.driver.libcuda, r.driver.reason)}`,
    `CUDA addon:       built ${r.cudaAddon.built ? 'yes' : 'no'}, loadable ${r.cudaAddon.loadable === null ? 'not tried' : r.cudaAddon.loadable ? 'yes' : 'no'}, ` +
      `used ${yesNo(r.cudaAddon.loaded, null, r.cudaAddon.reason)}`,
    `GPUs:             ${gpus.length ? gpus.join('; ') : 'none'}`,
    `TensorRT:         ${yesNo(r.tensorrt.usable, r.tensorrt.version, r.tensorrt.reason)}`,
    `ONNX Runtime:     ${yesNo(r.onnxruntime.found, r.onnxruntime.version && `${r.onnxruntime.version}; providers ${r.onnxruntime.providers.join(', ')}` +
      (r.onnxruntime.providersNotInstalled.length ? `; not installed: ${r.onnxruntime.providersNotInstalled.join(', ')}` : ''), r.onnxruntime.reason)}`,
    `libtorch:         ${yesNo(r.libtorch.found, [r.libtorch.version, r.libtorch.path].filter(Boolean).join(' '), r.libtorch.reason)}`,
    `libtorch backend: ${libtorchBackendLine(r.libtorchBackend)}`,
    `trainer:          ${yesNo(r.trainer.built && !r.trainer.reason, r.trainer.torchVersion && `libtorch ${r.trainer.torchVersion}, ${r.trainer.cuda ? 'CUDA' : 'CPU only'}`, r.trainer.reason)}`,
    `uses:             decode ${r.uses.decode}, preprocessing ${r.uses.preprocessing}, inference ${r.uses.inference ?? 'none'}`,
    ...r.uses.notes.map((n) => `note:             ${n}`),
  ];
  return `${lines.join('\n')}\n`;
}
