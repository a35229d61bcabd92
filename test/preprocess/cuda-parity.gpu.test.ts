// CUDA twins vs CPU kernels (same JS names and arguments in both addons): min-max ×255 (§1.5),
// windowing LINEAR/LINEAR_EXACT/SIGMOID/min-max + inversion + truncation (§1.4, §1.7), torch bilinear
// + letterbox (§2.2), crop + window + resize_and_pad + uint8 (§2.8, §3.1), cv2 INTER_LINEAR uint8
// (§3.2.3). Targets: integer outputs bit-exact, float outputs ≤ 1e-5. Prints one PARITY line per case
// (kernel, size, max abs diff, GPU ms incl. transfers, GB/s of input+output) for scripts/device-check.sh.
import t, { Test } from 'tap';
import { needsGpu } from '../helpers/shared';
import { imgprocAddon, type ImgprocKernels, type NativeWindow } from '../../lib/preprocess/addon';
import { cudaAddonPath, tryLoadCudaAddon } from '../../lib/native';
import { synthF32, synthU32, synthU8 } from './helpers';

// The project's loader: the CUDA addon only when a driver and a GPU are usable (test-loaded first).
const gpuAddon = tryLoadCudaAddon(() => undefined) as (ImgprocKernels & { deviceInfo(): { deviceCount: number } }) | undefined;
const cuda = { addon: gpuAddon, usable: !!gpuAddon && gpuAddon.deviceInfo().deviceCount > 0 };
const cpu = imgprocAddon() as ImgprocKernels;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** 12/14/16-bit-like int16 test image (values from the README's lowbias32 stream). */
function synthI16(rows: number, cols: number, seed: number, bits: number): Int16Array {
  const u = synthU32(rows * cols, seed);
  const out = new Int16Array(u.length);
  for (let i = 0; i < u.length; i++) out[i] = (u[i] >>> (32 - bits)) - (bits === 16 ? 32768 : 0);
  return out;
}

async function parity<T extends ArrayLike<number>>(t: Test, kernel: string, size: string, bytes: number,
  run: (a: ImgprocKernels) => Promise<T>, tolerance: number): Promise<void> {
  const want = await run(cpu);
  const start = process.hrtime.bigint();
  const got = await run(cuda.addon as ImgprocKernels);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const diff = maxAbsDiff(want, got);
  t.comment(`PARITY ${kernel} ${size} maxAbsDiff=${diff} ms=${ms.toFixed(2)} GBps=${(bytes / ms / 1e6).toFixed(2)}`);
  t.ok(diff <= tolerance, `${kernel} ${size}: max abs diff ${diff} ≤ ${tolerance}`);
}

const gpu = needsGpu(cuda.usable, 'imgproc CUDA twins vs CPU');

t.test('the CUDA addon binary carries the imgproc twins (built here by scripts/build-cuda.js)', { skip: cudaAddonPath() ? false : 'CUDA addon not built here' }, async (t) => {
  // Loading the binary needs no GPU (cudart is static). Without a device a call rejects with a
  // typed error instead of crashing; argument errors are thrown before any CUDA call.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const binary = require(cudaAddonPath()!) as ImgprocKernels & { modules: string[]; deviceInfo(): { deviceCount: number } };
  t.ok(binary.modules.includes('imgproc_cuda'));
  for (const name of ['imgprocMinMaxScale255', 'imgprocWindowedCrop', 'imgprocWindowedCropU8', 'imgprocTorchResize',
    'imgprocDetectorInput', 'imgprocClassifierInput', 'imgprocCvResizeLinear'] as const) {
    t.type(binary[name], 'function', `${name} exported under the CPU name`);
  }
  t.throws(() => binary.imgprocMinMaxScale255(new Int16Array(3), 2, 2, false), { code: 'ERR_INVALID_ARGUMENT' });
  if (binary.deviceInfo().deviceCount === 0) {
    await t.rejects(binary.imgprocMinMaxScale255(new Int16Array(4), 2, 2, false), { code: 'ERR_CUDA' });
  }
});

t.test('min-max ×255 and windowing twins', gpu, async (t) => {
  for (const [rows, cols, bits] of [[2776, 2082, 12], [1, 1, 12], [517, 333, 16], [64, 48, 14]]) {
    const raw = synthI16(rows, cols, rows + cols, bits);
    const n = rows * cols;
    for (const invert of [false, true]) {
      await parity(t, `minMaxScale255${invert ? '+invert' : ''}`, `${rows}x${cols}`, n * 6,
        (a) => a.imgprocMinMaxScale255(raw, rows, cols, invert), 0);
    }
    const box = [Math.floor(cols / 5), Math.floor(rows / 7), cols, rows];
    const windows: NativeWindow[] = [
      { func: 'LINEAR', center: 2048, width: 4096, fp16: false },
      { func: 'LINEAR', center: 1755.5, width: 811.3, fp16: true },
      { func: 'LINEAR_EXACT', center: 900.25, width: 1234.5, fp16: false },
      { func: 'SIGMOID', center: 1802.31, width: 1091.97, fp16: false },
      { func: 'NONE', center: 0, width: 0, fp16: false },
    ];
    for (const w of windows) {
      for (const invert of [false, true]) {
        const name = `${w.func}${w.fp16 ? '+fp16' : ''}${invert ? '+invert' : ''}`;
        await parity(t, `windowedCrop ${name}`, `${rows}x${cols}`, n * 6, (a) => a.imgprocWindowedCrop(raw, rows, cols, box, w, invert), 1e-5);
        await parity(t, `windowedCropU8 ${name}`, `${rows}x${cols}`, n * 3, (a) => a.imgprocWindowedCropU8(raw, rows, cols, box, w, invert), 0);
      }
    }
  }
});

t.test('torch bilinear resize and detector letterbox twins', gpu, async (t) => {
  for (const [rows, cols, or, oc] of [[1101, 873, 415, 329], [5355, 4915, 416, 381], [700, 300, 2048, 877], [3, 2, 7, 5], [1, 1, 416, 416]]) {
    const img = synthF32(rows, cols, rows * 3 + cols);
    await parity(t, 'torchResize', `${rows}x${cols}->${or}x${oc}`, (rows * cols + or * oc) * 4,
      (a) => a.imgprocTorchResize(img, rows, cols, or, oc), 1e-5);
    const bytes = (rows * cols + 3 * 416 * 416) * 4;
    await parity(t, 'detectorInput.tensor', `${rows}x${cols}`, bytes, async (a) => (await a.imgprocDetectorInput(img, rows, cols, 416)).tensor, 1e-5);
    await parity(t, 'detectorInput.resized', `${rows}x${cols}`, bytes, async (a) => (await a.imgprocDetectorInput(img, rows, cols, 416)).resized, 1e-5);
  }
});

t.test('classifier input (crop + window + resize_and_pad + uint8) twin', gpu, async (t) => {
  const [rows, cols] = [2776, 2082];
  const raw = synthI16(rows, cols, 11, 12);
  const cases: Array<[number[], NativeWindow, boolean]> = [
    [[0, 0, 1528, 2589], { func: 'LINEAR', center: 2048, width: 4096, fp16: false }, false],
    [[547, 13, 2082, 2776], { func: 'SIGMOID', center: 1802.31, width: 1091.97, fp16: true }, true],
    [[100, 200, 1100, 700], { func: 'NONE', center: 0, width: 0, fp16: false }, true],
    [[0, 0, 2082, 2776], { func: 'LINEAR_EXACT', center: 1500, width: 3000, fp16: false }, false],
  ];
  for (const [box, w, invert] of cases) {
    await parity(t, `classifierInput ${w.func}${invert ? '+invert' : ''}`, `box ${box.join(',')}`, rows * cols * 2 + 2048 * 1024,
      (a) => a.imgprocClassifierInput(raw, rows, cols, box, w, invert, 2048, 1024), 0);
  }
});

t.test('cv2 INTER_LINEAR uint8 twin', gpu, async (t) => {
  for (const [rows, cols, or, oc] of [[2294, 1914, 1227, 1024], [1101, 873, 1291, 1024], [4096, 2048, 2048, 1024], [512, 256, 512, 256], [1, 1, 5, 3]]) {
    const img = synthU8(rows, cols, rows + 2 * cols);
    await parity(t, 'cvResizeLinear', `${rows}x${cols}->${or}x${oc}`, rows * cols + or * oc,
      (a) => a.imgprocCvResizeLinear(img, rows, cols, or, oc), 0);
  }
});
