/**
 * The decision whether the CUDA addon is used, as a pure function of what was probed, so the
 * fallback rules are unit-tested on machines without a GPU. Order (first failing check wins):
 * disabled by RSNA_MAMMO_GPU=0 → addon not installed → no driver → test load failed → no device.
 */
import { DriverProbe } from './detectDriver';
import { TestLoadResult } from './testLoadAddon';

/** One CUDA device as the addon's `deviceInfo()` reports it. */
export interface CudaDevice {
  name: string;
  /** "major.minor", e.g. "9.0" for H100. */
  computeCapability: string;
  totalMemory: number;
}

/** The CUDA addon's `deviceInfo()` result (native/cuda_addon/device_info_cuda.cpp). */
export interface CudaDeviceInfo {
  runtimeVersion: number;
  driverVersion: number;
  deviceCount: number;
  devices?: CudaDevice[];
  /** The CUDA runtime's message when no device could be counted (e.g. no driver). */
  error?: string;
}

/** Everything known about the CUDA addon on this machine (stable keys; `doctor --json` prints it). */
export interface CudaAddonStatus {
  /** A CUDA addon binary exists (build-cuda/ or a prebuild). */
  built: boolean;
  path?: string;
  driver: DriverProbe;
  /** The binary loaded in a child process; undefined when not tried. */
  loadable?: boolean;
  /** deviceInfo() from the child process. */
  deviceInfo?: CudaDeviceInfo;
  /** tensorrtInfo() from the child process (typed in gpu/tensorrtAddon.ts). */
  tensorrtInfo?: unknown;
  /** The addon will be (or was) loaded in this process and a GPU is usable. */
  usable: boolean;
  /** Why the GPU path is not used, one line; undefined when usable. */
  reason?: string;
}

/** Inputs of the decision. */
export interface CudaProbeInputs {
  disabled: boolean;
  addonPath?: string;
  driver: DriverProbe;
  /** Called only when needed (it spawns a process). */
  testLoad: (addonPath: string) => TestLoadResult;
  /** Test-load even without a driver (doctor wants to know if the binary is sound). */
  alwaysTestLoad?: boolean;
}

/** Applies the fallback rules; never throws. */
export function decideCudaUse(inputs: CudaProbeInputs): CudaAddonStatus {
  const { driver, addonPath } = inputs;
  const status: CudaAddonStatus = { built: addonPath !== undefined, path: addonPath, driver, usable: false };
  if (addonPath && (driver.present || inputs.alwaysTestLoad) && !inputs.disabled) {
    const loaded = inputs.testLoad(addonPath);
    status.loadable = loaded.ok;
    status.deviceInfo = loaded.report?.deviceInfo as CudaDeviceInfo | undefined;
    status.tensorrtInfo = loaded.report?.tensorrtInfo;
    if (!loaded.ok) status.reason = loaded.reason;
  }
  if (inputs.disabled) {
    status.reason = 'disabled by RSNA_MAMMO_GPU=0';
  } else if (!addonPath) {
    status.reason = 'the CUDA addon is not installed (no prebuilt fits; to build it: `npm install --no-save cmake-js` and `RSNA_MAMMO_BUILD_CUDA=1 npm rebuild rsna-mammo` with the CUDA toolkit, docs/GPU.md)';
  } else if (!driver.present) {
    status.reason = driver.reason ?? 'no NVIDIA driver found';
  } else if (status.loadable === false) {
    // reason already set by the test load
  } else if (!status.deviceInfo || status.deviceInfo.deviceCount < 1) {
    status.reason = `the CUDA runtime sees no GPU${status.deviceInfo?.error ? ` (${status.deviceInfo.error})` : ''}`;
  } else {
    status.usable = true;
  }
  return status;
}

/** The one line printed when the CPU path is used instead of the GPU. */
export function cpuFallbackLine(status: CudaAddonStatus): string {
  return `rsna-mammo: GPU not used: ${status.reason ?? 'unknown reason'}; using the CPU path`;
}
