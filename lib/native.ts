/**
 * The one place that loads native addons and says which are available.
 * - CPU addon (binding.gyp, node-gyp-build): always expected; a missing build is a clear error.
 * - CUDA addon (CMakeLists.txt, build-cuda/): optional, loaded only when a GPU is usable
 *   (see lib/runtime/ and `rsna-mammo doctor`).
 */
import fs from 'fs';
import path from 'path';
import { RsnaMammoError } from './errors';
import { detectDriver } from './gpu/detectDriver';
import { testLoadAddon } from './gpu/testLoadAddon';
import { CudaAddonStatus, CudaDeviceInfo, cpuFallbackLine, decideCudaUse } from './gpu/cudaStatus';

import { packageRoot } from './util/packageRoot';
export { packageRoot };  // re-exported for older importers; its home is lib/util/packageRoot.ts

export interface CpuAddonBuildInfo {
  codecs: { openjpeg: boolean; charls: boolean; openjph: boolean; gdcmJpeg: boolean };
  /** Codecs only a source build links (Grok: AGPL-3.0, never in a prebuilt); absent in older builds. */
  sourceOnlyCodecs?: { grok: boolean };
  napiVersion: number;
}

/** The CPU addon's surface; each area (dicom, imgproc, roi) adds its functions (typed in its own module). */
export interface CpuAddon {
  modules: string[];
  buildInfo(): CpuAddonBuildInfo;
  /** glibc malloc_trim(0): free heap pages back to the kernel (native/addon/malloc_trim.cc); absent in older builds. */
  releaseFreedMemory?(): boolean;
  [name: string]: unknown;
}

let cpuAddon: CpuAddon | undefined;
let cpuAddonFile: string | undefined;
let cpuAddonError: Error | undefined;

/**
 * Loads (once) and returns the CPU addon: $RSNA_MAMMO_CPU_ADDON when set (a binary of one's own),
 * else node-gyp-build's choice (build/Release, then prebuilds/<platform>-<arch>/).
 * @throws RsnaMammoError ERR_ADDON_MISSING with the fix when no binary loads.
 */
export function loadCpuAddon(): CpuAddon {
  if (cpuAddon) return cpuAddon;
  if (cpuAddonError) throw cpuAddonError;
  const override = process.env.RSNA_MAMMO_CPU_ADDON;
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const load = require('node-gyp-build') as { resolve(dir: string): string };
    const file = override ? path.resolve(override) : load.resolve(packageRoot);
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    cpuAddon = require(file) as CpuAddon;
    cpuAddonFile = file;
    return cpuAddon;
  } catch (err) {
    const why = (err as Error).message?.split('\n')[0] ?? String(err);
    cpuAddonError = new RsnaMammoError(
      'ERR_ADDON_MISSING',
      `the rsna-mammo native addon does not load for ${process.platform}-${process.arch} (${why}). ` +
        'Prebuilt binaries ship for linux-x64 (glibc >= 2.34); elsewhere build it: `npm rebuild rsna-mammo` ' +
        '(needs python3, make and a C++17 compiler). See the README, "Install".',
      { cause: err },
    );
    throw cpuAddonError;
  }
}

/** Whether the CPU addon loads, without throwing; `path` is the binary, `source` where it came from. */
export function cpuAddonStatus(): { loaded: boolean; reason?: string; modules?: string[]; path?: string; source?: 'prebuilt' | 'source' | 'override' } {
  try {
    const addon = loadCpuAddon();
    const file = cpuAddonFile ?? '';
    const source = process.env.RSNA_MAMMO_CPU_ADDON ? 'override' : file.startsWith(path.join(packageRoot, 'prebuilds')) ? 'prebuilt' : 'source';
    return { loaded: true, modules: addon.modules, path: file, source };
  } catch (err) {
    return { loaded: false, reason: (err as Error).message };
  }
}

/** The CUDA addon's surface (CMakeLists.txt); each area adds its functions (typed in its own module). */
export interface CudaAddon {
  modules: string[];
  deviceInfo(): CudaDeviceInfo;
  [name: string]: unknown;
}

/**
 * Where the CUDA addon binary is: $RSNA_MAMMO_CUDA_ADDON, the source build (build-cuda/Release), or
 * the CUDA prebuild (prebuilds/linux-x64-cuda/, a folder name node-gyp-build ignores).
 */
export function cudaAddonPath(): string | undefined {
  const candidates = [
    process.env.RSNA_MAMMO_CUDA_ADDON,
    path.join(packageRoot, 'build-cuda', 'Release', 'rsna_mammo_cuda.node'),
    path.join(packageRoot, 'prebuilds', `${process.platform}-${process.arch}-cuda`, 'rsna_mammo_cuda.node'),
  ];
  return candidates.find((p): p is string => typeof p === 'string' && p.length > 0 && fs.existsSync(p));
}

let cudaStatusCache: CudaAddonStatus | undefined;
let cudaAddon: CudaAddon | undefined;

/**
 * Probes the CUDA path (driver, binary, test load in a child process) once per process.
 * `alwaysTestLoad` also test-loads without a driver (for `doctor`), and is never cached.
 */
export function cudaAddonStatus(options: { alwaysTestLoad?: boolean } = {}): CudaAddonStatus {
  if (cudaStatusCache && !options.alwaysTestLoad) return cudaStatusCache;
  const status = decideCudaUse({
    disabled: process.env.RSNA_MAMMO_GPU === '0',
    addonPath: cudaAddonPath(),
    driver: detectDriver(),
    testLoad: (p) => testLoadAddon(p),
    alwaysTestLoad: options.alwaysTestLoad,
  });
  if (!options.alwaysTestLoad) cudaStatusCache = status;
  return status;
}

/** Loads the CUDA addon when a GPU is usable; throws ERR_CUDA_UNAVAILABLE with the reason otherwise. */
export function loadCudaAddon(): CudaAddon {
  if (cudaAddon) return cudaAddon;
  const status = cudaAddonStatus();
  if (!status.usable || !status.path) {
    throw new RsnaMammoError('ERR_CUDA_UNAVAILABLE', `the GPU path is not available: ${status.reason}`);
  }
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  cudaAddon = require(status.path) as CudaAddon;
  return cudaAddon;
}

/**
 * The CUDA addon when a GPU is usable, else undefined after calling `log` once with the reason
 * (the caller then takes the CPU path); RSNA_MAMMO_QUIET=1 silences that line as every other notice.
 */
export function tryLoadCudaAddon(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): CudaAddon | undefined {
  try {
    return loadCudaAddon();
  } catch {
    if (process.env.RSNA_MAMMO_QUIET !== '1') log(cpuFallbackLine(cudaAddonStatus()));
    return undefined;
  }
}
