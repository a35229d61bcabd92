/**
 * Finds the NVIDIA driver without loading anything: the user-space driver library (libcuda.so.1),
 * the kernel module (/proc/driver/nvidia/version or /sys/module/nvidia) and nvidia-smi. The driver
 * counts as present only when the library is there AND the kernel side is (the module, or nvidia-smi,
 * which WSL ships beside its libcuda): a distribution's libcuda package alone (Debian's libcuda1 on a
 * machine without an NVIDIA GPU) is not a driver. The CUDA addon is considered only then
 * (node-llama-cpp does the same before touching a GPU binary).
 */
import fs from 'fs';
import path from 'path';

/** What was found about the NVIDIA driver on this machine. */
export interface DriverProbe {
  /** Path of libcuda.so.1 when found. */
  libcuda?: string;
  /** First line of /proc/driver/nvidia/version, or the /sys/module/nvidia path, when the kernel module is loaded. */
  kernelModule?: string;
  /** Path of nvidia-smi when found on PATH or in the usual places. */
  nvidiaSmi?: string;
  /** True when the driver library exists and the kernel module or nvidia-smi does too. */
  present: boolean;
  /** Why the driver counts as absent, in one line; undefined when present. */
  reason?: string;
}

/** Where a filesystem probe looks; injectable so the logic is testable without a GPU. */
export interface ProbeEnv {
  exists(p: string): boolean;
  readText(p: string): string | undefined;
  env: NodeJS.ProcessEnv;
}

const LIBCUDA_DIRS = [
  '/usr/lib/x86_64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib/x86_64-linux-gnu', '/lib64',
  '/usr/local/nvidia/lib64', '/usr/local/nvidia/lib', '/usr/lib/wsl/lib', '/usr/lib/aarch64-linux-gnu',
];

const SYS_MODULE = '/sys/module/nvidia';

const SMI_DIRS = ['/usr/bin', '/usr/local/bin', '/usr/local/nvidia/bin', '/usr/lib/wsl/lib'];

export const realProbeEnv: ProbeEnv = {
  exists: (p) => fs.existsSync(p),
  readText: (p) => {
    try {
      return fs.readFileSync(p, 'utf8');
    } catch {
      return undefined;
    }
  },
  env: process.env,
};

function splitPath(value: string | undefined): string[] {
  return (value ?? '').split(path.delimiter).filter((d) => d.length > 0);
}

/** Probes the driver library, the kernel module and nvidia-smi; never throws. */
export function detectDriver(probe: ProbeEnv = realProbeEnv): DriverProbe {
  const libDirs = [...splitPath(probe.env.LD_LIBRARY_PATH), ...LIBCUDA_DIRS];
  const libcuda = libDirs.map((d) => path.join(d, 'libcuda.so.1')).find((p) => probe.exists(p));
  const version = probe.readText('/proc/driver/nvidia/version');
  const kernelModule = version ? version.split('\n')[0].trim() : probe.exists(SYS_MODULE) ? SYS_MODULE : undefined;
  const smiDirs = [...splitPath(probe.env.PATH), ...SMI_DIRS];
  const nvidiaSmi = smiDirs.map((d) => path.join(d, 'nvidia-smi')).find((p) => probe.exists(p));
  if (libcuda && (kernelModule || nvidiaSmi)) return { libcuda, kernelModule, nvidiaSmi, present: true };
  if (libcuda) {
    return { libcuda, present: false,
      reason: `${libcuda} exists but no NVIDIA kernel module is loaded (no /proc/driver/nvidia/version, no ${SYS_MODULE}) and there is no nvidia-smi: a driver library without a driver` };
  }
  const reason = kernelModule
    ? 'the NVIDIA kernel module is loaded but libcuda.so.1 was not found (add its folder to LD_LIBRARY_PATH)'
    : 'no NVIDIA driver found (no libcuda.so.1, no /proc/driver/nvidia, ' +
      (nvidiaSmi ? `but ${nvidiaSmi} exists)` : 'no nvidia-smi)');
  return { kernelModule, nvidiaSmi, present: false, reason };
}
