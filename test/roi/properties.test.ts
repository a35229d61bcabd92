// Property tests of ROI detection (ALGORITHMS.md §2.5–§2.7): any image size from 1×1 to 6000×5000,
// constant images, a single bright pixel, images smaller than 416, random or hostile detector outputs
// → a valid box, or the documented fallback, never a crash.
import t, { Test } from 'tap';
import { detectRoi, detectRoiFromScaled, fullFrameRoi, RoiResult, YoloxRunner } from '../../lib/roi';

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

function checkValid(t: Test, roi: RoiResult, rows: number, cols: number, what: string): void {
  const [x0, y0, x1, y1] = roi.box;
  const ints = roi.box.every((v) => Number.isInteger(v));
  const inside = 0 <= x0 && x0 <= x1 && x1 <= cols && 0 <= y0 && y0 <= y1 && y1 <= rows;
  let ok = ints && inside && ['yolox', 'otsu', 'full'].includes(roi.method) && roi.ratio === Math.min(416 / rows, 416 / cols);
  if (roi.method === 'full') ok = ok && x0 === 0 && y0 === 0 && x1 === cols && y1 === rows && roi.score === null;
  if (roi.method === 'otsu') ok = ok && roi.score === null && roi.areaPct >= 0.04;
  if (roi.method === 'yolox') ok = ok && roi.score! >= 0.5 && roi.areaPct >= 0.04;
  t.ok(ok, `${what} ${rows}×${cols}: ${roi.method} [${roi.box}]`);
}

function randomDetector(next: () => number, hostile: boolean): YoloxRunner {
  return async (tensor) => {
    if (tensor.length !== 3 * 416 * 416) throw new Error('bad tensor');
    const raw = new Float32Array(3549 * 6);
    for (let a = 0; a < 3549; a++) {
      raw[a * 6] = next() * 4 - 2;
      raw[a * 6 + 1] = next() * 4 - 2;
      raw[a * 6 + 2] = hostile && next() < 0.01 ? 200 : next() * 9 - 3; // exp(200) = inf
      raw[a * 6 + 3] = next() * 9 - 3;
      raw[a * 6 + 4] = next();
      raw[a * 6 + 5] = hostile && next() < 0.01 ? NaN : next();
    }
    return raw;
  };
}

t.test('detectRoi on many sizes and contents', async (t) => {
  const next = rng(20260127);
  const sizes: [number, number][] = [
    [1, 1], [1, 2], [2, 1], [3, 3], [1, 416], [416, 1], [1, 6000], [6000, 1], [100, 6000], [17, 23], [415, 416],
    [416, 416], [417, 300], [1101, 873], [2776, 2082],
  ];
  for (let i = 0; i < 6; i++) sizes.push([1 + Math.floor(next() * 1500), 1 + Math.floor(next() * 1500)]);
  for (const [rows, cols] of sizes) {
    const n = rows * cols;
    const noise = new Int16Array(n);
    for (let i = 0; i < n; i++) noise[i] = Math.floor(next() * 4096) - 1024;
    const bright = new Int16Array(n);
    bright[Math.floor(next() * n)] = 4095;
    checkValid(t, await detectRoi(noise, rows, cols, false), rows, cols, 'noise');
    checkValid(t, await detectRoi(noise, rows, cols, true), rows, cols, 'noise inverted');
    const c = await detectRoi(new Int16Array(n).fill(321), rows, cols, false);
    t.same(c, fullFrameRoi(rows, cols), `constant ${rows}×${cols}: full frame`);
    checkValid(t, await detectRoi(bright, rows, cols, false), rows, cols, 'single bright pixel');
    checkValid(t, await detectRoi(noise, rows, cols, false, { detector: randomDetector(next, false) }), rows, cols, 'random detector');
    checkValid(t, await detectRoi(noise, rows, cols, false, { detector: randomDetector(next, true) }), rows, cols, 'hostile detector');
  }
});

t.test('large images: 6000×5000 and 5000×6000', async (t) => {
  for (const [rows, cols] of [[6000, 5000], [5000, 6000]] as [number, number][]) {
    const scaled = new Float32Array(rows * cols);
    // A bright half-disc on the left plus a label in the corner.
    for (let y = 0; y < rows; y++) {
      for (let x = 0; x < cols; x++) {
        const dy = (y - rows / 2) / (rows * 0.45), dx = x / (cols * 0.6);
        scaled[y * cols + x] = dx * dx + dy * dy <= 1 ? 180 : y < 100 && x > cols - 300 ? 255 : 5;
      }
    }
    const roi = await detectRoiFromScaled(scaled, rows, cols);
    checkValid(t, roi, rows, cols, 'half disc');
    t.equal(roi.method, 'otsu');
    t.ok(roi.box[0] === 0 && roi.box[2] > cols * 0.55 && roi.box[2] < cols * 0.7, `box ${roi.box}`);
  }
});

t.test('scaled images smaller than the detector input, constant and single pixel', async (t) => {
  for (const [rows, cols] of [[1, 1], [5, 7], [300, 20], [20, 300]] as [number, number][]) {
    checkValid(t, await detectRoiFromScaled(new Float32Array(rows * cols), rows, cols), rows, cols, 'zeros');
    checkValid(t, await detectRoiFromScaled(new Float32Array(rows * cols).fill(255), rows, cols), rows, cols, 'all 255');
    const one = new Float32Array(rows * cols);
    one[Math.floor((rows * cols) / 2)] = 255;
    checkValid(t, await detectRoiFromScaled(one, rows, cols), rows, cols, 'single pixel');
  }
});
