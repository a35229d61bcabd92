/**
 * The CUDA addon for the imgproc parity tests: loaded from build-cuda/ when it was built, usable only
 * when it reports a device (deviceInfo().deviceCount > 0). Until lib/native.ts has the CUDA loader
 * (gpu helper), the tests load the binary directly.
 */
import fs from 'fs';
import path from 'path';
import { repoRoot } from '../helpers/shared';
import type { ImgprocKernels } from '../../lib/preprocess/addon';

export interface CudaImgproc {
  addon?: ImgprocKernels;
  usable: boolean;
  reason: string;
}

export function loadCudaImgproc(): CudaImgproc {
  const file = path.join(repoRoot, 'build-cuda', 'Release', 'rsna_mammo_cuda.node');
  if (!fs.existsSync(file)) return { usable: false, reason: 'CUDA addon not built (node scripts/build-cuda.js)' };
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const addon = require(file) as ImgprocKernels & { deviceInfo(): { deviceCount: number; error?: string } };
  const info = addon.deviceInfo();
  if (info.deviceCount > 0) return { addon, usable: true, reason: '' };
  return { addon, usable: false, reason: `no CUDA device (${info.error ?? 'deviceCount 0'})` };
}
