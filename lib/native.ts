/**
 * The one place that loads native addons and says which are available.
 * - CPU addon (binding.gyp, node-gyp-build): always expected; a missing build is a clear error.
 * - CUDA addon (CMakeLists.txt, build-cuda/): optional, loaded only when a GPU is usable
 *   (see lib/runtime/ and `rsna-mammo doctor`).
 */
import path from 'path';
import { RsnaMammoError } from './errors';

/** Root of the installed package (works from lib/ via ts-node and from dist/). */
export const packageRoot: string = path.resolve(__dirname, '..');

export interface CpuAddonBuildInfo {
  codecs: { openjpeg: boolean; charls: boolean; openjph: boolean; gdcmJpeg: boolean };
  napiVersion: number;
}

/** The CPU addon's surface; each area (dicom, imgproc, roi) adds its functions (typed in its own module). */
export interface CpuAddon {
  modules: string[];
  buildInfo(): CpuAddonBuildInfo;
  [name: string]: unknown;
}

let cpuAddon: CpuAddon | undefined;
let cpuAddonError: Error | undefined;

/** Loads (once) and returns the CPU addon; throws ERR_ADDON_MISSING with the fix when it was not built. */
export function loadCpuAddon(): CpuAddon {
  if (cpuAddon) return cpuAddon;
  if (cpuAddonError) throw cpuAddonError;
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const load = require('node-gyp-build') as (dir: string) => CpuAddon;
    cpuAddon = load(packageRoot);
    return cpuAddon;
  } catch (err) {
    cpuAddonError = new RsnaMammoError(
      'ERR_ADDON_MISSING',
      'the rsna-mammo CPU addon is not built for this platform. Fixes: run `npm rebuild rsna-mammo` ' +
        '(needs python3, make and a C++17 compiler), or install on linux-x64 where a prebuild ships.',
      { cause: err },
    );
    throw cpuAddonError;
  }
}

/** Whether the CPU addon loads, without throwing. */
export function cpuAddonStatus(): { loaded: boolean; reason?: string; modules?: string[] } {
  try {
    const addon = loadCpuAddon();
    return { loaded: true, modules: addon.modules };
  } catch (err) {
    return { loaded: false, reason: (err as Error).message };
  }
}
