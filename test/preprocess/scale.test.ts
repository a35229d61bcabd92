// Hand-computed checks of the intensity formulas: min_max_scale ×255 with int16 semantics (§1.5,
// §2.2.1), numpy percentile_min_max_scale (§1.6; references printed by numpy's own percentile),
// windowing LINEAR / LINEAR_EXACT / SIGMOID at float64 (§1.4), fp16 window quantization (§1.3.5),
// truncation (§1.7.1) and the display modes of windowToUint8.
import t from 'tap';
import { minMaxScale255, percentileMinMaxScale, windowToUint8, classifierInput, detectorInput } from '../../lib/preprocess';
import { imgprocAddon, type NativeWindow } from '../../lib/preprocess/addon';

const f32 = Math.fround;
/** int16 wrap of an integer (torch int16 subtraction). */
const wrap16 = (v: number): number => ((v + 32768) & 0xffff) - 32768;

t.test('minMaxScale255: (x − min)/(max − min)·255 in float32, int16 subtraction, inversion', async (t) => {
  const raw = Int16Array.from([100, 300, 200, 100, 177, 299]);
  const got = await minMaxScale255(raw, 2, 3, false);
  t.same([...got], [...raw].map((x) => f32(f32((x - 100) / 200) * 255)));
  t.same([...got].slice(0, 3), [0, 255, 127.5]);
  const inv = await minMaxScale255(raw, 2, 3, true);
  t.same([...inv], [...got].map((y) => f32(255 - y)));
  // Range > 32767: both differences wrap in int16 exactly as the original torch tensor does (§1.5.2).
  const wide = Int16Array.from([-20000, 0, 20000]);
  const w = await minMaxScale255(wide, 1, 3, false);
  const range = wrap16(40000);
  t.same([...w], [...wide].map((x) => f32(f32(wrap16(x + 20000) / range) * 255)));
  t.ok(w[1] < 0, 'the wrapped range gives the original\'s negative values');
  // Constant image: zeros (255 inverted); the original falls back to the full frame (§1.5.3).
  t.same([...(await minMaxScale255(new Int16Array(4).fill(7), 2, 2, false))], [0, 0, 0, 0]);
  t.same([...(await minMaxScale255(new Int16Array(4).fill(7), 2, 2, true))], [255, 255, 255, 255]);
});

t.test('percentileMinMaxScale: numpy linear P99 − 1, true min, clip (float64)', async (t) => {
  // References: the original function run with numpy (np.percentile(b, 99) = 59726.850000000006).
  const b = Uint16Array.from([3, 7, 7, 9, 200, 1000, 1000, 65535, 12, 5]);
  const r = await percentileMinMaxScale(b, 2, 5);
  t.ok(r instanceof Float64Array);
  t.same([...r], [0.0, 6.697604015883367e-05, 6.697604015883367e-05, 0.00010046406023825051, 0.0032985699778225585,
    0.016693778009589294, 0.016693778009589294, 1.0, 0.00015069609035737577, 3.348802007941684e-05]);
  const u = Uint8Array.from([0, 17, 255, 254, 3, 3, 100, 250]); // np.percentile = 254.93
  t.same([...(await percentileMinMaxScale(u, 2, 4))], [0.0, 0.06694758397983697, 1.0, 1.0, 0.011814279525853582,
    0.011814279525853582, 0.3938093175284527, 0.9845232938211318]);
  // P99 − 1 = 9.97 < min 10: the original's assertion (§1.6.1).
  await t.rejects(percentileMinMaxScale(Uint8Array.from([10, 10, 10, 11]), 1, 4), { code: 'ERR_PERCENTILE_RANGE' });
});

/** §1.4 at float64. */
function window64(x: number, func: string, wc: number, ww: number): number {
  if (func === 'SIGMOID') return 255 / (1 + Math.exp((x - wc) * (-4 / ww)));
  if (func === 'LINEAR') { wc -= 0.5; ww -= 1; }
  return Math.min(255, Math.max(0, x * (255 / ww) + (-wc / ww + 0.5) * 255));
}

t.test('windowing LINEAR / LINEAR_EXACT / SIGMOID vs float64 formulas (P9 ≤ 1e-3) and truncation', async (t) => {
  const xs = [-5, 0, 1, 1000, 1500, 1755, 1756, 2047, 2048, 2600, 4095, 5000];
  const raw = Int16Array.from(xs);
  const cases: Array<[NativeWindow['func'], number, number]> = [
    ['LINEAR', 2048, 4096], ['LINEAR', 1755.5, 811.3], ['LINEAR_EXACT', 2048, 4096], ['SIGMOID', 1802.31, 1091.97],
  ];
  for (const [func, wc, ww] of cases) {
    const w: NativeWindow = { func, center: wc, width: ww, fp16: false };
    const got = await imgprocAddon().imgprocWindowedCrop(raw, 1, xs.length, [0, 0, xs.length, 1], w, false);
    const want = xs.map((x) => window64(x, func, wc, ww));
    const max = Math.max(...want.map((v, i) => Math.abs(v - got[i])));
    t.ok(max <= 1e-3, `${func} ${wc}/${ww}: max abs diff vs float64 ${max}`);
    const u8 = await windowToUint8(raw, 1, xs.length, { mode: 'original', image: {
      windowCenter: [wc], windowWidth: [ww], voiLutFunction: func, photometricInterpretation: 'MONOCHROME1' } });
    want.forEach((v, i) => {
      if (Math.abs(v - Math.round(v)) > 1e-3) t.equal(u8[i], Math.trunc(255 - v), `${func} x=${xs[i]} inverted, truncated`);
    });
  }
  const bad = async (w: Partial<NativeWindow>) => imgprocAddon().imgprocWindowedCrop(raw, 1, xs.length, [0, 0, 1, 1],
    { func: 'LINEAR', center: 0, width: 1, fp16: false, ...w }, false);
  await t.rejects(bad({ width: 0.5 }), { code: 'ERR_WINDOW' }, 'LINEAR needs ww ≥ 1');
  await t.rejects(bad({ func: 'SIGMOID', width: 0 }), { code: 'ERR_WINDOW' }, 'ww > 0 asserted');
  await t.rejects(classifierInput(raw, 1, xs.length, [0, 0, 2, 1], { windowCenter: [1], windowWidth: [2], voiLutFunction: 'GAMMA', invert: false }),
    { code: 'ERR_INVALID_ARGUMENT' }, 'unsupported VOI function raises (§1.3.3)');
});

t.test('fp16 window quantization (§1.3.5) equals the windows numpy.float16 gives', async (t) => {
  const raw = Int16Array.from({ length: 64 }, (_, i) => i * 97 - 300);
  // numpy: float16(1755.5)=1756, float16(811.3)=811.5, float16(1802.31)=1802, float16(1091.97)=1092,
  // float16(4102)=4104, float16(2049)=2048.
  const pairs: Array<[NativeWindow['func'], number, number, number, number]> = [
    ['LINEAR', 1755.5, 811.3, 1756, 811.5], ['SIGMOID', 1802.31, 1091.97, 1802, 1092], ['LINEAR_EXACT', 4102, 2049, 4104, 2048],
  ];
  for (const [func, wc, ww, qc, qw] of pairs) {
    const box = [0, 0, 64, 1];
    const a = await imgprocAddon().imgprocWindowedCrop(raw, 1, 64, box, { func, center: wc, width: ww, fp16: true }, false);
    const b = await imgprocAddon().imgprocWindowedCrop(raw, 1, 64, box, { func, center: qc, width: qw, fp16: false }, false);
    t.same([...a], [...b], `${func} ${wc}/${ww} → ${qc}/${qw}`);
  }
});

t.test('windowToUint8 standard mode: PS3.3 window after rescale, MONOCHROME1, floor(y·255)', async (t) => {
  const px = Uint16Array.from([0, 10, 49, 50, 51, 90, 99, 100, 150, 300]);
  const slope = 2, intercept = -10, c = 90, w = 101;
  const out = await windowToUint8(px, 1, px.length, { mode: 'standard', image: {
    windowCenter: [c], windowWidth: [w], photometricInterpretation: 'MONOCHROME2', rescaleSlope: slope, rescaleIntercept: intercept } });
  const want = [...px].map((x) => {
    const v = x * slope + intercept;
    const y = v <= c - 0.5 - (w - 1) / 2 ? 0 : v > c - 0.5 + (w - 1) / 2 ? 1 : (v - (c - 0.5)) / (w - 1) + 0.5;
    return Math.floor(y * 255);
  });
  t.same([...out], want);
  const inv = await windowToUint8(px, 1, px.length, { mode: 'standard', image: {
    windowCenter: [c], windowWidth: [w], photometricInterpretation: 'MONOCHROME1', rescaleSlope: slope, rescaleIntercept: intercept } });
  t.same([...inv], [...px].map((x) => {
    const v = x * slope + intercept;
    const y = v <= c - 0.5 - (w - 1) / 2 ? 0 : v > c - 0.5 + (w - 1) / 2 ? 1 : (v - (c - 0.5)) / (w - 1) + 0.5;
    return Math.floor((1 - y) * 255);
  }));
  // No window: full-range min-max of the rescaled values; original mode: min-max×255 truncated.
  const mm = await windowToUint8(px, 1, px.length, { mode: 'standard', image: { windowCenter: [], windowWidth: [], photometricInterpretation: 'MONOCHROME2' } });
  t.same([...mm], [...px].map((x) => Math.floor((x / 300) * 255)));
  const orig = await windowToUint8(px, 1, px.length, { mode: 'original', image: { windowCenter: [], windowWidth: [], photometricInterpretation: 'MONOCHROME2' } });
  t.same([...orig], [...px].map((x) => Math.trunc(f32(f32(x / 300) * 255))));
  // Second window by index.
  const second = await windowToUint8(px, 1, px.length, { mode: 'original', windowIndex: 1, image: {
    windowCenter: [5000, 50], windowWidth: [10, 100], photometricInterpretation: 'MONOCHROME2' } });
  t.equal(second[3], Math.trunc(window64(50, 'LINEAR', 50, 100)));
});

/** torch's float64 bilinear at one axis (scale, index and lambdas in double), §2.2.3. */
function taps64(n: number, out: number): Array<[number, number, number, number]> {
  const scale = n / out;
  return Array.from({ length: out }, (_, d) => {
    if (n === out) return [d, d, 1, 0];
    const src = Math.max(scale * (d + 0.5) - 0.5, 0);
    const i0 = Math.min(Math.trunc(src), n - 1);
    const l1 = Math.min(src - i0, 1);
    return [i0, i0 + (i0 < n - 1 ? 1 : 0), 1 - l1, l1];
  });
}

t.test('detectorInput on a float64 image (MiniDDSM) follows torch\'s float64 formula', async (t) => {
  for (const [rows, cols] of [[1000, 700], [37, 23]]) {
    const img = Float64Array.from({ length: rows * cols }, (_, i) => ((i * 2654435761) % 1000003) / 3921.5);
    const d = await detectorInput(img, rows, cols);
    t.ok(d.resized instanceof Float64Array, 'resized stays float64');
    const r = Math.min(416 / rows, 416 / cols);
    const [h, w] = [Math.floor(rows * r), Math.floor(cols * r)];
    t.same([d.resizedHeight, d.resizedWidth], [h, w]);
    const ty = taps64(rows, h), tx = taps64(cols, w);
    let bad = 0;
    for (let y = 0; y < h; y++) {
      const [y0, y1, h0, h1] = ty[y];
      for (let x = 0; x < w; x++) {
        const [x0, x1, w0, w1] = tx[x];
        const v = img[y0 * cols + x0] * (h0 * w0) + img[y0 * cols + x1] * (h0 * w1) + img[y1 * cols + x0] * (h1 * w0) + img[y1 * cols + x1] * (h1 * w1);
        if (d.resized[y * w + x] !== v || d.tensor[y * 416 + x] !== Math.fround(v)) bad++;
      }
    }
    t.equal(bad, 0, `${rows}x${cols}: resized float64 and float32 tensor equal the formula`);
    t.equal(d.tensor[415 * 416 + 415], h < 416 || w < 416 ? 114 : d.tensor[415 * 416 + 415], 'letterbox 114');
  }
});
