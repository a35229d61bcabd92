// The one CUDA implementation of preprocessing (the fused GpuImage path production runs,
// native/cuda_addon/pipeline_kernels.cu) against the CPU kernels, on synthetic 12/14/16-bit images:
// min-max ×255 + torch bilinear + letterbox (detector input, §1.5, §2.2), crop + window
// LINEAR/LINEAR_EXACT/SIGMOID/min-max + inversion + resize_and_pad + uint8 truncation (classifier
// input, §2.8, §3.1, §1.4, §1.7), and the 3-channel float batch tensor (§3.1.4–3.1.5) assembled on the
// device from planes kept there. Integer outputs bit-exact, float outputs bit-exact too (same
// per-pixel functions, no contraction). Prints one PARITY line per case. GPU only, skipped by name.
import t, { Test } from 'tap';
import { needsGpu } from '../helpers/shared';
import { GpuImage } from '../../lib/gpu/pipeline';
import { DeviceBatchTensor } from '../../lib/gpu/deviceBatch';
import { classifierInput, detectorInput, minMaxScale255 } from '../../lib/preprocess';
import type { WindowMeta } from '../../lib/preprocess';
import { BatchTensorBuffer } from '../../lib/pipeline/tensor';
import { cudaAddonPath, tryLoadCudaAddon } from '../../lib/native';
import { synthU32 } from './helpers';

const usable = !!tryLoadCudaAddon(() => undefined);
const gpu = needsGpu(usable, 'fused CUDA preprocessing vs CPU kernels');

/** 12/14/16-bit-like int16 test image (values from the README's lowbias32 stream). */
function synthI16(rows: number, cols: number, seed: number, bits: number): Int16Array {
  const u = synthU32(rows * cols, seed);
  const out = new Int16Array(u.length);
  for (let i = 0; i < u.length; i++) out[i] = (u[i] >>> (32 - bits)) - (bits === 16 ? 32768 : 0);
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function parity(t: Test, what: string, size: string, want: ArrayLike<number>, got: ArrayLike<number>, ms: number): void {
  const diff = maxAbsDiff(want, got);
  t.comment(`PARITY ${what} ${size} maxAbsDiff=${diff} ms=${ms.toFixed(2)}`);
  t.equal(diff, 0, `${what} ${size}: GPU = CPU bit for bit`);
}

const windows: [string, WindowMeta][] = [
  ['LINEAR', { windowCenter: [2048], windowWidth: [4096], voiLutFunction: 'LINEAR', invert: false }],
  ['LINEAR fp16 +invert', { windowCenter: [1755.5], windowWidth: [811.3], voiLutFunction: 'LINEAR', invert: true }],
  ['LINEAR_EXACT', { windowCenter: [900.25], windowWidth: [1234.5], voiLutFunction: 'LINEAR_EXACT', invert: false }],
  ['SIGMOID +invert', { windowCenter: [1802.31], windowWidth: [1091.97], voiLutFunction: 'SIGMOID', invert: true }],
  ['min-max (no tags) +invert', { windowCenter: [], windowWidth: [], invert: true }],
];

t.test('the CUDA addon binary carries the fused path and no per-kernel twins', { skip: cudaAddonPath() ? false : 'CUDA addon not built here' }, async (t) => {
  // Loading the binary needs no GPU (cudart is static).
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const binary = require(cudaAddonPath()!) as Record<string, unknown> & { modules: string[] };
  for (const name of ['cudaImageUpload', 'cudaBatchTensor', 'cudaPreprocessImage', 'cudaStagingInfo']) t.type(binary[name], 'function', name);
  t.notOk(binary.modules.includes('imgproc_cuda'), 'no imgproc twin module');
  for (const name of ['imgprocMinMaxScale255', 'imgprocWindowedCrop', 'imgprocTorchResize', 'imgprocDetectorInput', 'imgprocClassifierInput', 'imgprocCvResizeLinear']) {
    t.equal(binary[name], undefined, `${name}: one implementation (the CPU addon's), no CUDA twin`);
  }
});

t.test('detector input (min-max ×255, torch bilinear, letterbox)', gpu, async (t) => {
  for (const [rows, cols, bits] of [[2776, 2082, 12], [1101, 873, 14], [517, 333, 16], [1, 1, 12], [5355, 4915, 12]]) {
    const raw = synthI16(rows, cols, rows + cols, bits);
    for (const invert of [false, true]) {
      const cpu = await detectorInput(await minMaxScale255(raw, rows, cols, invert), rows, cols);
      const t0 = performance.now();
      const image = await GpuImage.upload(raw, rows, cols, { windowCenter: [], windowWidth: [], invert });
      try {
        const d = await image.detectorInput();
        parity(t, `detectorInput${invert ? '+invert' : ''}`, `${rows}x${cols}`, cpu.tensor, d.tensor, performance.now() - t0);
        t.same([d.ratio, d.resizedHeight, d.resizedWidth], [cpu.ratio, cpu.resizedHeight, cpu.resizedWidth]);
      } finally {
        image.dispose();
      }
    }
  }
});

t.test('classifier input per window function, host and device-resident, and the batch tensor', gpu, async (t) => {
  const [rows, cols] = [2776, 2082];
  const raw = synthI16(rows, cols, 11, 12);
  const boxes = [[0, 0, 1528, 2589], [547, 13, 2082, 2776], [100, 200, 1100, 700], [0, 0, 2082, 2776]];
  const batch = new DeviceBatchTensor();
  const host = new BatchTensorBuffer();
  try {
    for (const [name, meta] of windows) {
      const fp16Windows = name.includes('fp16');
      const image = await GpuImage.upload(raw, rows, cols, meta);
      try {
        const planes = [];
        const cpus = [];
        for (const box of boxes) {
          const cpu = await classifierInput(raw, rows, cols, box, meta, { fp16Windows });
          const t0 = performance.now();
          const got = await image.classifierInput(box, { fp16Windows });
          parity(t, `classifierInput ${name}`, `box ${box.join(',')}`, cpu, got.pixels, performance.now() - t0);
          const plane = await image.classifierPlane(box, { fp16Windows });
          parity(t, `classifierPlane ${name}`, `box ${box.join(',')}`, cpu, await plane.toHost(), 0);
          planes.push(plane);
          cpus.push(cpu);
        }
        // The batch engine input assembled on the device = the CPU's imgprocBatchTensor of the same inputs.
        await batch.fill(planes, 2048, 1024);
        const fromDevice = new Float32Array(planes.length * 3 * 2048 * 1024);
        await batch.download(fromDevice);
        parity(t, `batch tensor ${name}`, `${planes.length}x3x2048x1024`, await host.fill(cpus, 2048 * 1024), fromDevice, 0);
        planes.forEach((p) => p.dispose());
      } finally {
        image.dispose();
      }
    }
  } finally {
    batch.dispose();
  }
});
