#!/usr/bin/env node
'use strict';
// GPU parity and timing for the device check (run by tools/device-check/device-check.sh; plain Node, no
// node_modules needed). The one CUDA implementation of preprocessing (the fused GpuImage path that
// production runs: cudaImageUpload → detectorInput / classifierInput / classifierPlane → cudaBatchTensor)
// is compared with the CPU kernels on the same arguments (bit-exact for every output, §2.2, §3.1),
// for the image's own window and the other window functions; functions both addons still export
// under one name (YOLOX decode/filter) are compared the same way. Inputs: real RSNA images decoded by
// tools/device-check/device-check-prepare.js (.devcheck/images) and their preprocess goldens, else synthetic
// images. Kernels are timed with CUDA events (KernelTiming) against the measured device-to-device
// copy rate, and the upload (issue 14) is measured in GB/s against the pinned host-to-device rate.
// Usage: node tools/device-check/device-check.js [--out DIR] [--reps N] [--self-test]
// --self-test: no GPU needed; a second copy of the CPU addon poses as the CUDA addon, so the case
// building, comparison and table are exercised here (every row must then be OK with diff 0).
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const root = path.join(__dirname, '..', '..');
const args = process.argv.slice(2);
const outDir = args.includes('--out') ? args[args.indexOf('--out') + 1] : process.env.OUT;
const reps = args.includes('--reps') ? Number(args[args.indexOf('--reps') + 1]) : 5;
const selfTest = args.includes('--self-test');
const FLOAT_TOL = 1e-5;
const lines = [];
const report = { gpu: null, bandwidth: null, twins: [], kernels: [], goldens: [], pipeline: [], upload: [], skipped: [] };
const say = (s = '') => { lines.push(s); console.log(s); };

function loadAddon(candidates, what) {
  for (const p of candidates) {
    if (!p || !fs.existsSync(p)) continue;
    try {
      return { addon: require(p), path: p };
    } catch (err) {
      return { error: `${what} at ${p} does not load: ${String(err.message).split('\n')[0]}` };
    }
  }
  return { error: `${what} not found (looked in ${candidates.filter(Boolean).join(', ')})` };
}

// ---- inputs --------------------------------------------------------------------------------
function lowbias32(x) {
  x ^= x >>> 16; x = Math.imul(x, 0x7feb352d) >>> 0; x ^= x >>> 15; x = Math.imul(x, 0x846ca68b) >>> 0; x ^= x >>> 16;
  return x >>> 0;
}
// 12-bit synthetic "mammogram": smooth gradient plus noise (golden README's lowbias32 stream).
function syntheticImage(rows, cols, seed) {
  const raw = new Int16Array(rows * cols);
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      const i = y * cols + x;
      const noise = lowbias32((i + Math.imul(seed, 0x9e3779b9)) >>> 0) >>> 24;
      raw[i] = Math.min(4095, Math.floor((x / cols) * 3000 + (y / rows) * 600) + noise);
    }
  }
  return { name: `synthetic ${rows}x${cols}`, rows, cols, raw, invert: seed % 2 === 1,
    window: { func: 'LINEAR', center: 2048, width: 4096, fp16: false },
    box: [Math.floor(cols / 10), Math.floor(rows / 20), cols - Math.floor(cols / 7), rows - Math.floor(rows / 9)] };
}

function realImages() {
  const dir = path.join(root, '.devcheck', 'images');
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => {
    const meta = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
    const buf = zlib.gunzipSync(fs.readFileSync(path.join(dir, meta.pixels)));
    const raw = new Int16Array(buf.buffer, buf.byteOffset, buf.byteLength / 2).slice();
    return { ...meta, raw, goldenDir: meta.golden ? path.join(dir, meta.golden) : undefined };
  });
}

function readBin(file, Type) {
  const buf = fs.readFileSync(file);
  const out = new Type(buf.byteLength / Type.BYTES_PER_ELEMENT);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

// ---- comparison ----------------------------------------------------------------------------
const isTyped = (v) => ArrayBuffer.isView(v) && !(v instanceof DataView);
const isFloatArray = (v) => v instanceof Float32Array || v instanceof Float64Array;

function compare(a, b, acc = { maxAbs: 0, mismatches: 0, total: 0, float: false, shape: '' }) {
  if (isTyped(a) || isTyped(b)) {
    if (!isTyped(a) || !isTyped(b) || a.length !== b.length) {
      acc.mismatches += Math.max(a?.length ?? 1, b?.length ?? 1);
      acc.shape = `length ${a?.length} vs ${b?.length}`;
      return acc;
    }
    const float = isFloatArray(a) || isFloatArray(b);
    acc.float = acc.float || float;
    const ulps = a instanceof Float32Array && b instanceof Float32Array
      ? [new Int32Array(a.buffer, a.byteOffset, a.length), new Int32Array(b.buffer, b.byteOffset, b.length)] : undefined;
    for (let i = 0; i < a.length; i++) {
      if (ulps && a[i] !== b[i]) acc.maxUlp = Math.max(acc.maxUlp ?? 0, Math.abs(ulps[0][i] - ulps[1][i]));
      const d = Math.abs(Number(a[i]) - Number(b[i]));
      const bad = float ? !(d <= FLOAT_TOL) : a[i] !== b[i];
      if (bad) acc.mismatches++;
      if (d > acc.maxAbs || Number.isNaN(d)) acc.maxAbs = Number.isNaN(d) ? Infinity : d;
    }
    acc.total += a.length;
  } else if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) acc.mismatches++;
    for (let i = 0; i < Math.min(a.length, b.length); i++) compare(a[i], b[i], acc);
  } else if (a && b && typeof a === 'object' && typeof b === 'object') {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) compare(a[k], b[k], acc);
  } else if (typeof a === 'number' && typeof b === 'number') {
    const d = Math.abs(a - b);
    if (!(d <= (Number.isInteger(a) && Number.isInteger(b) ? 0 : FLOAT_TOL))) acc.mismatches++;
    acc.maxAbs = Math.max(acc.maxAbs, d);
    acc.total++;
  } else {
    if (a !== b) acc.mismatches++;
    acc.total++;
  }
  return acc;
}

function bytesOf(v) {
  if (isTyped(v)) return v.byteLength;
  if (Array.isArray(v)) return v.reduce((n, x) => n + bytesOf(x), 0);
  if (v && typeof v === 'object') return Object.values(v).reduce((n, x) => n + bytesOf(x), 0);
  return 0;
}

const median = (xs) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];
async function timed(fn) {
  const t0 = process.hrtime.bigint();
  const value = await fn();
  return { value, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
}

// ---- cases per twin (same arguments on both addons) -----------------------------------------
function fit(rows, cols, tr, tc) {
  const r = Math.min(tr / rows, tc / cols);
  return [Math.floor(rows * r), Math.floor(cols * r)];
}

// Real-image outputs of the fused GPU path against the original's goldens (preprocess README tolerances).
async function runGoldens(gpu, images) {
  if (typeof gpu.cudaImageUpload !== 'function') return;
  for (const im of images.filter((i) => i.goldenDir)) {
    const image = await gpu.cudaImageUpload(im.raw, im.rows, im.cols);
    try {
      const det = path.join(im.goldenDir, 'detector_input_416.f32.bin');
      if (fs.existsSync(det)) {
        try {
          const out = await image.detectorInput(im.invert, 416);
          const cmp = compare(out.tensor.subarray(0, 416 * 416), readBin(det, Float32Array));
          report.goldens.push({ what: 'detector input 416 (§2.2)', image: im.name, maxAbs: cmp.maxAbs, differing: cmp.mismatches, total: cmp.total, ok: cmp.maxAbs <= 3.1e-5 });
        } catch (err) { report.goldens.push({ what: 'detector input 416 (§2.2)', image: im.name, ok: false, error: err.message }); }
      }
      const fin = path.join(im.goldenDir, 'otsu.final_2048x1024.u8.bin');
      if (fs.existsSync(fin) && im.goldenBox) {
        try {
          const out = await image.classifierInput(im.goldenBox, im.window, im.invert, 2048, 1024, 'none');
          const cmp = compare(out.pixels.subarray(0, 2048 * 1024), readBin(fin, Uint8Array));
          report.goldens.push({ what: 'classifier input 2048x1024 u8 (§3.1)', image: im.name, maxAbs: cmp.maxAbs, differing: cmp.mismatches, total: cmp.total,
            ok: cmp.maxAbs <= 1 && cmp.mismatches <= 0.001 * cmp.total });
        } catch (err) { report.goldens.push({ what: 'classifier input 2048x1024 u8 (§3.1)', image: im.name, ok: false, error: err.message }); }
      }
    } finally {
      image.dispose();
    }
  }
}

// The fused path against the CPU kernels, case by case (the rows of the parity table): the detector
// input, the classifier input for the image's window and every other window function (host result
// and the device-resident plane), and the batch tensor assembled on the device from those planes.
const OTHER_WINDOWS = [
  { func: 'LINEAR', center: 2048, width: 4096, fp16: false },
  { func: 'LINEAR', center: 1755.5, width: 811.3, fp16: true },
  { func: 'LINEAR_EXACT', center: 900.25, width: 1234.5, fp16: false },
  { func: 'SIGMOID', center: 1802.31, width: 1091.97, fp16: false },
  { func: 'NONE', center: 0, width: 0, fp16: false },
];

async function runFused(cpu, gpu, images) {
  if (typeof gpu.cudaImageUpload !== 'function' || typeof cpu.imgprocClassifierInput !== 'function') {
    report.skipped.push('fused path parity: needs cudaImageUpload (CUDA addon) and the CPU imgproc kernels');
    return;
  }
  const row = async (name, label, cpuRun, gpuRun) => {
    const r = { name, label };
    process.stderr.write(`device-check: ${name} ${label}\n`);
    try {
      const c = await timed(cpuRun);
      const g = await timed(gpuRun);
      const cmp = compare(c.value, g.value);
      Object.assign(r, { ...cmp, ok: cmp.mismatches === 0 && cmp.maxAbs === 0, ms: g.ms, cpuMs: c.ms, bytes: bytesOf(g.value) });
    } catch (err) { Object.assign(r, { ok: false, error: `${err.code ? `[${err.code}] ` : ''}${String(err.message).split('\n')[0]}` }); }
    report.twins.push(r);
  };
  for (const im of images) {
    const image = await gpu.cudaImageUpload(im.raw, im.rows, im.cols);
    try {
      for (const invert of [im.invert, !im.invert]) {
        await row('fused detectorInput', `${im.name}${invert ? ' +invert' : ''}`,
          async () => { const d = await cpu.imgprocDetectorInput(await cpu.imgprocMinMaxScale255(im.raw, im.rows, im.cols, invert), im.rows, im.cols, 416); return [d.tensor, d.ratio, d.resizedHeight, d.resizedWidth]; },
          async () => { const d = await image.detectorInput(invert, 416); return [d.tensor, d.ratio, d.resizedHeight, d.resizedWidth]; });
      }
      const planes = [];
      const cpuInputs = [];
      for (const [k, window] of [im.window, ...OTHER_WINDOWS].entries()) {
        const invert = k % 2 === 0 ? im.invert : !im.invert;
        const label = `${im.name} ${window.func}${window.fp16 ? '+fp16' : ''}${invert ? '+inv' : ''}`;
        const cpuPixels = await cpu.imgprocClassifierInput(im.raw, im.rows, im.cols, im.box, window, invert, 2048, 1024);
        await row('fused classifierInput', label, async () => cpuPixels,
          async () => (await image.classifierInput(im.box, window, invert, 2048, 1024, 'none')).pixels);
        if (typeof image.classifierPlane === 'function') {
          const plane = await image.classifierPlane(im.box, window, invert, 2048, 1024);
          await row('fused classifierPlane', label, async () => cpuPixels, () => plane.download());
          planes.push(plane);
          cpuInputs.push(cpuPixels);
        }
      }
      if (planes.length && typeof gpu.cudaBatchTensor === 'function' && typeof cpu.imgprocBatchTensor === 'function') {
        const n = planes.length * 3 * 2048 * 1024;
        const batch = gpu.cudaBatchTensor();
        await row('fused batch tensor', `${im.name} ${planes.length}x3x2048x1024`,
          async () => { const out = new Float32Array(n); await cpu.imgprocBatchTensor(cpuInputs, 2048 * 1024, out); return out; },
          async () => { await batch.fill(planes, 2048, 1024); const out = new Float32Array(n); await batch.download(out); return out; });
        batch.dispose();
      }
      planes.forEach((p) => p.dispose());
    } finally {
      image.dispose();
    }
  }
}

// The upload of the GPU prepare stage (issue 14: it was 44 of 50 ms, ~1.2 GB/s, for a 5355×4915 image):
// end to end (JS call until the data is usable on the device, measured as upload + detector input minus
// the detector input alone), the copies' own device time (KernelTiming "pipeline.upload"), and two
// images uploaded at once (their streams overlap), each against the pinned host-to-device rate.
async function runUpload(gpu, images, pinnedRate) {
  if (typeof gpu.cudaImageUpload !== 'function') return;
  for (const im of images) {
    const bytes = im.raw.byteLength;
    const warm = await gpu.cudaImageUpload(im.raw, im.rows, im.cols);
    await warm.detectorInput(im.invert, 416);
    const detOnly = [];
    for (let i = 0; i < reps; i++) detOnly.push((await timed(() => warm.detectorInput(im.invert, 416))).ms);
    warm.dispose();
    const both = [];
    gpu.cudaSetKernelTiming?.(true);
    gpu.cudaKernelTimings?.(true);
    for (let i = 0; i < reps; i++) {
      both.push((await timed(async () => { const img = await gpu.cudaImageUpload(im.raw, im.rows, im.cols); await img.detectorInput(im.invert, 416); img.dispose(); })).ms);
    }
    const upload = (gpu.cudaKernelTimings?.(true) ?? []).find((k) => k.name === 'pipeline.upload');
    gpu.cudaSetKernelTiming?.(false);
    const uploadMs = Math.max(1e-3, median(both) - median(detOnly));
    const pair = [];
    for (let i = 0; i < reps; i++) {
      pair.push((await timed(() => Promise.all([0, 1].map(async () => { const img = await gpu.cudaImageUpload(im.raw, im.rows, im.cols); await img.detectorInput(im.invert, 416); img.dispose(); })))).ms);
    }
    const gbps = (ms, n = 1) => (n * bytes) / (ms / 1e3) / 1e9;
    const copyMs = upload ? upload.milliseconds / upload.calls : undefined;
    report.upload.push({ image: im.name, bytes, uploadMs, uploadGBps: gbps(uploadMs), copyMs, copyGBps: copyMs && gbps(copyMs),
      pairMs: median(pair), pairImagesPerS: 2 / (median(pair) / 1e3), pinnedGBps: pinnedRate,
      pctOfPinned: pinnedRate ? (100 * gbps(uploadMs)) / pinnedRate : null, staging: gpu.cudaStagingInfo?.() });
  }
}

// Whole preprocessing of one image on the GPU: the GPU-resident pipeline (cudaPreprocessImage: upload
// once, detector input, classifier input) checked bit for bit against the CPU kernels and timed;
// without it, the twins composed (host round trips between steps).
async function cpuPreprocess(cpu, im) {
  const scaled = await cpu.imgprocMinMaxScale255(im.raw, im.rows, im.cols, im.invert);
  const detector = await cpu.imgprocDetectorInput(scaled, im.rows, im.cols, 416);
  const pixels = await cpu.imgprocClassifierInput(im.raw, im.rows, im.cols, im.box, im.window, im.invert, 2048, 1024);
  return { detector, pixels };
}

async function runPipeline(cpu, gpu, images, d2dRate) {
  const names = ['imgprocMinMaxScale255', 'imgprocDetectorInput', 'imgprocClassifierInput'];
  const cpuOk = names.every((n) => typeof cpu[n] === 'function');
  const pipeline = typeof gpu.cudaPreprocessImage === 'function';
  if (!cpuOk || !pipeline) { report.skipped.push('whole-image GPU preprocessing: needs cudaPreprocessImage and the CPU imgproc kernels'); return; }
  for (const im of images) {
    const row = { image: im.name, how: 'GPU-resident cudaPreprocessImage' };
    try {
      const gpuRun = () => gpu.cudaPreprocessImage(im.raw, im.rows, im.cols, im.box, im.window, im.invert);
      const first = await gpuRun();
      const g = [];
      for (let i = 0; i < reps; i++) g.push((await timed(gpuRun)).ms);
      const c = await timed(() => cpuPreprocess(cpu, im));
      Object.assign(row, { gpuMs: median(g), cpuMs: c.ms, ok: true });
      if (pipeline && typeof gpu.cudaSetKernelTiming === 'function') {
        gpu.cudaSetKernelTiming(true);
        gpu.cudaKernelTimings(true);
        await gpuRun();
        for (const k of gpu.cudaKernelTimings(true)) {
          const gbps = k.bytes / (k.milliseconds / 1e3) / 1e9;
          report.kernels.push({ twin: 'pipeline', label: im.name, kernel: k.name, ms: k.milliseconds / k.calls, gbps, pctOfD2D: d2dRate ? (100 * gbps) / d2dRate : null });
        }
        gpu.cudaSetKernelTiming(false);
      }
      if (typeof gpu.cudaImageUpload === 'function') {  // upload once, then the two stages (the pipeline's real use)
        const up = await timed(() => gpu.cudaImageUpload(im.raw, im.rows, im.cols));
        const det = await timed(() => up.value.detectorInput(im.invert, 416));
        // The pipeline's GPU prepare stage (lib/pipeline/gpuStages.ts) runs the Otsu fallback on the CPU
        // over the tensor's top-left resized block (lib/roi resizedUint8); time it in the same sequence.
        let otsuMs;
        if (typeof cpu.otsuRoi === 'function') {
          const { tensor, resizedHeight: h, resizedWidth: w } = det.value;
          const resized = new Uint8Array(h * w);
          for (let y = 0; y < h; y++) resized.set(tensor.subarray(y * 416, y * 416 + w), y * w);
          otsuMs = (await timed(() => cpu.otsuRoi(resized, h, w, false))).ms;
        }
        const cls = await timed(() => up.value.classifierInput(im.box, im.window, im.invert, 2048, 1024, 'none'));
        up.value.dispose();
        Object.assign(row, { uploadMs: up.ms, detectorMs: det.ms, otsuMs, classifierMs: cls.ms,
          prepareStageMs: up.ms + det.ms + (otsuMs ?? 0) + cls.ms });
      }
      if (pipeline) {
        const det = compare(c.value.detector.tensor, first.detector.tensor);
        const cls = compare(c.value.pixels, first.classifier.pixels);
        const geometry = first.detector.ratio === c.value.detector.ratio && first.detector.resizedHeight === c.value.detector.resizedHeight &&
          first.detector.resizedWidth === c.value.detector.resizedWidth;
        Object.assign(row, { detectorMaxAbs: det.maxAbs, detectorMismatches: det.mismatches, classifierMismatches: cls.mismatches,
          classifierTotal: cls.total, ok: det.mismatches === 0 && cls.mismatches === 0 && geometry });
        if (!geometry) row.error = 'detector ratio/size differ from the CPU';
      }
    } catch (err) { Object.assign(row, { ok: false, error: `${err.code ? `[${err.code}] ` : ''}${err.message}` }); }
    report.pipeline.push(row);
  }
}

// ---- table ---------------------------------------------------------------------------------
const pad = (s, n) => String(s).padEnd(n);
const num = (v, d = 2) => (v === null || v === undefined || Number.isNaN(v) ? '-' : Number(v).toFixed(d));
const sci = (v) => (v === undefined ? '-' : v === 0 ? '0' : Number(v).toExponential(1));

function printReport() {
  const g = report.gpu;
  say(`device check: ${g ? `${g.name} (sm_${g.computeCapability.replace('.', '')}), CUDA runtime ${report.runtimeVersion}, driver ${report.driverVersion}` : 'no GPU'}`);
  if (report.bandwidth) {
    const b = report.bandwidth;
    say(`copy rate: device-to-device ${num(b.deviceToDeviceGBps, 0)} GB/s (read+write), host-to-device ${num(b.hostToDeviceGBps, 1)} GB/s, device-to-host ${num(b.deviceToHostGBps, 1)} GB/s (pinned)`);
  }
  say('');
  say(`${pad('CUDA vs CPU', 26)}${pad('input', 34)}${pad('max|diff|', 10)}${pad('mismatch', 18)}${pad('GPU ms', 9)}${pad('CPU ms', 9)}${pad('e2e GB/s', 9)}result`);
  for (const r of report.twins) {
    say(`${pad(r.name, 26)}${pad(r.label.slice(0, 33), 34)}${pad(r.error ? '-' : sci(r.maxAbs), 10)}${pad(r.error ? '-' : `${r.mismatches}/${r.total}`, 18)}` +
      `${pad(num(r.ms), 9)}${pad(num(r.cpuMs, 1), 9)}${pad(r.bytes && r.ms ? num(r.bytes / (r.ms / 1e3) / 1e9, 1) : '-', 9)}${r.ok ? 'OK' : `FAIL${r.error ? ` ${r.error}` : r.float ? ` (> 1e-5${r.maxUlp ? `; max ${r.maxUlp} ulp` : ''})` : ' (not bit-exact)'}`}`);
  }
  if (report.kernels.length) {
    say('');
    say(`${pad('kernel (device time)', 34)}${pad('input', 34)}${pad('ms', 9)}${pad('GB/s', 9)}% of D2D`);
    for (const k of report.kernels) say(`${pad(k.kernel, 34)}${pad(k.label.slice(0, 33), 34)}${pad(num(k.ms, 3), 9)}${pad(num(k.gbps, 0), 9)}${num(k.pctOfD2D, 0)}`);
  }
  if (report.goldens.length) {
    say('');
    for (const r of report.goldens) {
      say(`golden ${pad(r.what, 40)}${pad(r.image, 22)}${r.error ? `FAIL ${r.error}` : `max|diff| ${sci(r.maxAbs)}, ${r.differing}/${r.total} differ → ${r.ok ? 'OK' : 'FAIL'}`}`);
    }
  }
  if (report.pipeline.length) {
    say('');
    for (const r of report.pipeline) {
      const parity = r.detectorMismatches === undefined ? '' : `; vs CPU: detector ${r.detectorMismatches} differ (max ${sci(r.detectorMaxAbs)}), classifier ${r.classifierMismatches}/${r.classifierTotal} differ`;
      say(`preprocess one image, ${r.how}: ${pad(r.image, 20)}${r.gpuMs !== undefined ? `GPU ${num(r.gpuMs, 1)} ms, CPU ${num(r.cpuMs, 1)} ms${parity} → ` : ''}${r.ok ? 'OK' : `FAIL ${r.error ?? ''}`}`);
      if (r.uploadMs !== undefined) {
        say(`  GPU prepare stage (--device cuda, after decode): ${num(r.prepareStageMs, 1)} ms = upload ${num(r.uploadMs, 1)} + detector input ${num(r.detectorMs, 1)} + ` +
          `Otsu on CPU ${num(r.otsuMs, 1)} + classifier input ${num(r.classifierMs, 1)} ms (wall, incl. copies back)`);
      }
    }
  }
  if (report.upload.length) {
    say('');
    for (const u of report.upload) {
      say(`upload ${pad(u.image, 22)}${(u.bytes / 1e6).toFixed(1)} MB: ${num(u.uploadMs, 2)} ms end to end = ${num(u.uploadGBps, 1)} GB/s ` +
        `(${num(u.pctOfPinned, 0)}% of pinned ${num(u.pinnedGBps, 1)} GB/s; goal >= 50%)` +
        `${u.copyMs !== undefined ? `, copies ${num(u.copyMs, 2)} ms device time = ${num(u.copyGBps, 1)} GB/s` : ''}; ` +
        `2 images at once (upload + detector input): ${num(u.pairMs, 1)} ms = ${num(u.pairImagesPerS, 1)} img/s`);
    }
    const st = report.upload[0].staging;
    if (st) say(`pinned staging: ${st.chunks} of at most ${st.maxChunks} chunks of ${(st.chunkBytes / 2 ** 20).toFixed(0)} MiB`);
  }
  for (const s of report.skipped) say(`skipped: ${s}`);
  const failed = report.twins.filter((r) => !r.ok).length + report.goldens.filter((r) => !r.ok).length + report.pipeline.filter((r) => !r.ok).length;
  say('');
  say(`summary: ${report.twins.filter((r) => r.ok).length} CUDA-vs-CPU cases OK, ${failed} failed, ${report.skipped.length} skipped`);
  return failed;
}

// The CPU addon dressed as a CUDA addon (for --self-test only).
function fakeGpu(cpu) {
  return { deviceInfo: () => ({ runtimeVersion: 0, driverVersion: 0, deviceCount: 1,
    devices: [{ name: 'SELF-TEST (CPU addon posing as the GPU)', computeCapability: '0.0', totalMemory: 0 }] }),
    cudaMemoryBandwidth: async () => ({ deviceToDeviceGBps: 1, hostToDeviceGBps: 1, deviceToHostGBps: 1 }),
    cudaPreprocessImage: typeof cpu.imgprocClassifierInput === 'function' ? async (raw, rows, cols, box, window, invert) => {
      const r = await cpuPreprocess(cpu, { raw, rows, cols, box, window, invert });
      return { detector: r.detector, classifier: { pixels: r.pixels } };
    } : undefined,
    // The fused path's surface, computed by the CPU kernels.
    cudaImageUpload: async (raw, rows, cols) => {
      const pixels = (box, window, invert, h, w) => cpu.imgprocClassifierInput(raw, rows, cols, box, window, invert, h, w);
      return {
        detectorInput: async (invert, size) => ({ ...(await cpu.imgprocDetectorInput(await cpu.imgprocMinMaxScale255(raw, rows, cols, invert), rows, cols, size)), constant: false }),
        classifierInput: async (...a) => ({ pixels: await pixels(...a) }),
        classifierPlane: async (...a) => { const px = await pixels(...a); return { height: a[3], width: a[4], px, download: async () => px.slice(), dispose() {} }; },
        dispose() {},
      };
    },
    cudaBatchTensor: () => {
      let items = [];
      let plane = 0;
      return { fill: async (it, h, w) => { items = it; plane = h * w; }, download: (into) => cpu.imgprocBatchTensor(items.map((p) => p.px ?? p), plane, into), dispose() {} };
    },
    cudaStagingInfo: () => ({ chunkBytes: 8 * 2 ** 20, chunks: 0, maxChunks: 8 }) };
}

async function main() {
  const cpuL = loadAddon([process.env.RSNA_MAMMO_CPU_ADDON, path.join(root, 'build', 'Release', 'rsna_mammo.node'),
    path.join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'rsna-mammo.node')], 'CPU addon');
  const gpuL = loadAddon([process.env.RSNA_MAMMO_CUDA_ADDON, path.join(root, 'build-cuda', 'Release', 'rsna_mammo_cuda.node')], 'CUDA addon');
  if (selfTest && !cpuL.error) Object.assign(gpuL, { error: undefined, addon: fakeGpu(cpuL.addon) });
  if (gpuL.error) { say(`device check: ${gpuL.error}`); return 2; }
  const gpu = gpuL.addon;
  const info = gpu.deviceInfo();
  report.runtimeVersion = info.runtimeVersion;
  report.driverVersion = info.driverVersion;
  if (!info.deviceCount) { say(`device check: the CUDA addon loads but sees no GPU (${info.error ?? 'deviceCount 0'}): nothing to check`); return 3; }
  report.gpu = info.devices[0];
  report.bandwidth = await gpu.cudaMemoryBandwidth(256 * 2 ** 20, 20);
  if (cpuL.error) { report.skipped.push(`parity: ${cpuL.error}`); printReport(); return 4; }
  const cpu = cpuL.addon;
  const real = realImages();
  if (real.length === 0) report.skipped.push('real DICOMs: .devcheck/images absent (run tools/device-check/device-check-prepare.js where lib/dicom decodes): synthetic images used');
  const images = real.length ? real : [syntheticImage(2776, 2082, 1), syntheticImage(4096, 3328, 2)];
  await runFused(cpu, gpu, images);
  await runGoldens(gpu, real);
  await runPipeline(cpu, gpu, images, report.bandwidth.deviceToDeviceGBps);
  await runUpload(gpu, images, report.bandwidth.hostToDeviceGBps);
  const failed = printReport();
  return failed ? 1 : 0;
}

main().then((code) => {
  if (outDir) {
    fs.mkdirSync(outDir, { recursive: true });
    fs.writeFileSync(path.join(outDir, 'device-check.txt'), `${lines.join('\n')}\n`);
    fs.writeFileSync(path.join(outDir, 'device-check.json'), `${JSON.stringify(report, null, 2)}\n`);
  }
  process.exitCode = code;
}, (err) => { console.error(`device check crashed: ${err.stack || err}`); process.exitCode = 1; });
