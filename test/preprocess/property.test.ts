// Random sizes and degenerate images never crash the kernels (issue 4): 1×1 up to 6000×5000,
// constant images, a single bright pixel, images smaller than 416. Each call returns a well-formed
// result or the documented typed error (ERR_EMPTY_RESIZE where torch/cv2 refuse an empty size and the
// original falls back to the full frame, §2.7).
import t, { Test } from 'tap';
import { classifierInput, detectorInput, minMaxScale255, resizeTrainingPath, windowToUint8, windowedCropUint8 } from '../../lib/preprocess';
import type { Box, WindowMeta } from '../../lib/preprocess';
import { synthU32 } from './helpers';

/** Runs `f`, accepting only success or a typed ERR_EMPTY_RESIZE. */
async function validOrEmpty<T>(t: { ok(v: unknown, m: string): void }, what: string, f: () => Promise<T>): Promise<T | undefined> {
  try {
    return await f();
  } catch (err) {
    t.ok((err as { code?: string }).code === 'ERR_EMPTY_RESIZE', `${what}: only ERR_EMPTY_RESIZE may be thrown (got ${(err as Error).message})`);
    return undefined;
  }
}

function inRange(a: ArrayLike<number>, lo: number, hi: number): boolean {
  for (let i = 0; i < a.length; i++) if (!(a[i] >= lo && a[i] <= hi)) return false;
  return true;
}

async function exercise(t: Test, name: string, raw: Int16Array, rows: number, cols: number, invert: boolean): Promise<void> {
  const f = await minMaxScale255(raw, rows, cols, invert);
  t.ok(inRange(f, 0, 255), `${name}: detector image in [0, 255]`);
  const d = await validOrEmpty(t, `${name} detectorInput`, () => detectorInput(f, rows, cols));
  const expectEmpty = Math.floor(rows * Math.min(416 / rows, 416 / cols)) === 0 || Math.floor(cols * Math.min(416 / rows, 416 / cols)) === 0;
  t.equal(d === undefined, expectEmpty, `${name}: detector input empty only when floor(size·r) = 0`);
  if (d) {
    t.equal(d.tensor.length, 3 * 416 * 416);
    t.ok(d.resizedHeight <= 416 && d.resizedWidth <= 416 && (d.resizedHeight >= 415 || d.resizedWidth >= 415), `${name}: resized ${d.resizedHeight}x${d.resizedWidth}`);
    // float32 bilinear weights need not sum to exactly 1 (torch's too): 255 may come out as 255.00002.
    t.ok(inRange(d.tensor, 0, 255 + 1e-3), `${name}: tensor in [0, 255]`);
  }
  const box: Box = [0, 0, cols, rows];
  for (const meta of [
    { windowCenter: [2048], windowWidth: [4096], voiLutFunction: 'LINEAR', invert },
    { windowCenter: [100], windowWidth: [50], voiLutFunction: 'SIGMOID', invert },
    { windowCenter: [3], windowWidth: [1e-30], voiLutFunction: 'SIGMOID', invert }, // ±inf/NaN inside exp
    { windowCenter: [], windowWidth: [], invert },
  ] as WindowMeta[]) {
    const c = await validOrEmpty(t, `${name} classifierInput`, () => classifierInput(raw, rows, cols, box, meta));
    if (c) t.equal(c.length, 2048 * 1024, `${name}: classifier input 2048x1024`);
    const crop = await windowedCropUint8(raw, rows, cols, box, meta);
    t.equal(crop.pixels.length, rows * cols);
    const tr = await validOrEmpty(t, `${name} resizeTrainingPath`, () => resizeTrainingPath(crop.pixels, rows, cols));
    if (tr) t.equal(tr.length, 2048 * 1024);
  }
  for (const mode of ['original', 'standard'] as const) {
    const u8 = await windowToUint8(raw, rows, cols, { mode, image: { windowCenter: [], windowWidth: [], photometricInterpretation: invert ? 'MONOCHROME1' : 'MONOCHROME2' } });
    t.equal(u8.length, rows * cols);
  }
}

t.test('degenerate images', async (t) => {
  await exercise(t, '1x1', Int16Array.from([5]), 1, 1, false);
  await exercise(t, 'constant 300x200', new Int16Array(300 * 200).fill(1234), 300, 200, true);
  const bright = new Int16Array(500 * 400);
  bright[123 * 400 + 77] = 4095;
  await exercise(t, 'single bright pixel 500x400', bright, 500, 400, false);
  await exercise(t, 'thin 1x5000', new Int16Array(5000).fill(3), 1, 5000, false);
  await exercise(t, 'thin 4000x1', Int16Array.from({ length: 4000 }, (_, i) => i), 4000, 1, true);
  await exercise(t, 'small 37x23 (upscaled)', Int16Array.from({ length: 37 * 23 }, (_, i) => i % 17), 37, 23, false);
});

t.test('random sizes up to 6000x5000', async (t) => {
  const sizes = synthU32(16, 4242);
  const dims: Array<[number, number]> = [[6000, 5000]];
  for (let i = 0; i < 8; i += 2) dims.push([1 + (sizes[i] % 3000), 1 + (sizes[i + 1] % 2500)]);
  for (const [rows, cols] of dims) {
    const u = synthU32(rows * cols, rows ^ cols);
    const raw = new Int16Array(rows * cols);
    for (let i = 0; i < raw.length; i++) raw[i] = (u[i] >>> 20) - 100;
    await exercise(t, `${rows}x${cols}`, raw, rows, cols, (rows & 1) === 1);
  }
});

t.test('bad arguments are typed errors, not crashes', async (t) => {
  await t.rejects(minMaxScale255(new Int16Array(5), 2, 2, false), { code: 'ERR_INVALID_ARGUMENT' });
  await t.rejects(minMaxScale255(new Uint16Array(4) as unknown as Int16Array, 2, 2, false), { code: 'ERR_INVALID_ARGUMENT' });
  await t.rejects(detectorInput(new Float32Array(4), 2, 2, 0), { code: 'ERR_INVALID_ARGUMENT' });
  const meta: WindowMeta = { windowCenter: [1], windowWidth: [10], invert: false };
  await t.rejects(classifierInput(new Int16Array(4), 2, 2, [0, 0, 3, 2], meta), { code: 'ERR_INVALID_ARGUMENT' });
  await t.rejects(classifierInput(new Int16Array(4), 2, 2, [1, 0, 1, 2], meta), { code: 'ERR_INVALID_ARGUMENT' });
  await t.rejects(windowToUint8(new Int16Array(4), 2, 2, { mode: 'x' as 'original', image: { windowCenter: [], windowWidth: [], photometricInterpretation: 'MONOCHROME2' } }),
    { code: 'ERR_INVALID_ARGUMENT' });
});
