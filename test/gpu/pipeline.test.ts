// The GPU-resident one-image pipeline (lib/gpu/pipeline.ts, native/cuda_addon/gpu_image.h) against
// the CPU kernels and the original's goldens (../shared/golden/preprocess/rsna: detector input §2.2,
// classifier input §3.1, normalization §3.4). Runs where a GPU is usable; skipped by name elsewhere.
import t from 'tap';
import fs from 'fs';
import path from 'path';
import { GpuImage } from '../../lib/gpu/pipeline';
import { cudaAddonStatus } from '../../lib/native';
import { readDicom } from '../../lib/dicom/parse';
import { decodeFrame, toOriginalInt16 } from '../../lib/dicom/decode';
import { minMaxScale255 } from '../../lib/preprocess/scale';
import { detectorInput } from '../../lib/preprocess/detector';
import { classifierInput } from '../../lib/preprocess/classifier';
import { needsGpu, needsShared, readF32, sharedPath } from '../helpers/shared';

const gpuUsable = cudaAddonStatus().usable;
const meta = { windowCenter: [2048], windowWidth: [4096], voiLutFunction: 'LINEAR', invert: false };

t.test('without a usable GPU, upload says why (the CPU functions are the fallback)', { skip: gpuUsable ? 'a GPU is usable here' : false }, async (t) => {
  await t.rejects(GpuImage.upload(new Int16Array(6), 2, 3, meta), { code: 'ERR_CUDA_UNAVAILABLE' });
  await t.rejects(GpuImage.upload(new Int16Array(5), 2, 3, meta), { code: 'ERR_INVALID_ARGUMENT' }, 'arguments are checked first');
});

const image = '10006@462822612';  // SIGMOID, MONOCHROME1, 5355x4915 (golden README table)
t.test('GPU pipeline == CPU kernels == goldens on a real RSNA image', {
  ...needsGpu(gpuUsable, 'pipeline vs CPU and goldens'),
  ...(gpuUsable ? needsShared(`golden/preprocess/rsna/${image}/summary.json`) : {}),
}, async (t) => {
  const dir = sharedPath(`golden/preprocess/rsna/${image}`)!;
  const summary = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8'));
  const dcm = sharedPath(`data/dicom/rsna-kaggle/train_images/${image.replace('@', '/')}.dcm`)!;
  const dicom = await readDicom(dcm);
  const raw = toOriginalInt16(await decodeFrame(dicom));
  const { rows, cols } = summary.decode;
  const m = { windowCenter: dicom.windowCenter, windowWidth: dicom.windowWidth, voiLutFunction: dicom.voiLutFunction,
    invert: dicom.photometricInterpretation === 'MONOCHROME1' };
  const gpu = await GpuImage.upload(raw, rows, cols, m);
  try {
    const det = await gpu.detectorInput();
    const cpuDet = await detectorInput(await minMaxScale255(raw, rows, cols, m.invert), rows, cols);
    t.same([det.ratio, det.resizedHeight, det.resizedWidth], [summary.detector_input.ratio, summary.detector_input.resized_h, summary.detector_input.resized_w]);
    t.ok(Buffer.from(det.tensor.buffer).equals(Buffer.from(cpuDet.tensor.buffer)), 'detector tensor bit-identical to the CPU');
    const golden = readF32(path.join(dir, 'detector_input_416.f32.bin'));
    t.ok(golden.every((v, i) => Math.abs(v - det.tensor[i]) <= 3.1e-5), 'detector channel 0 within the golden tolerance');
    const box = summary.variants.otsu.box_xyxy;
    const cls = await gpu.classifierInput(box, { tensor: 'normalized' });
    const cpuCls = await classifierInput(raw, rows, cols, box, m);
    t.ok(Buffer.from(cls.pixels).equals(Buffer.from(cpuCls)), 'classifier input bit-identical to the CPU');
    const final = fs.readFileSync(path.join(dir, 'otsu.final_2048x1024.u8.bin'));
    let differ = 0;
    for (let i = 0; i < final.length; i++) if (final[i] !== cls.pixels[i]) differ++;
    t.ok(differ <= 0.001 * final.length, `classifier input vs golden: ${differ} pixels differ (≤ 0.1%)`);
    // §3.4: x_c = (v − mean_c)/std_c, computed in float32.
    const plane = 2048 * 1024;
    for (const i of [0, 1000, 777777, plane - 1]) {
      for (const [c, mean, std] of [[0, 123.675, 58.395], [1, 116.28, 57.12], [2, 103.53, 57.375]]) {
        t.equal(cls.tensor![c * plane + i], Math.fround(Math.fround(cls.pixels[i] - Math.fround(mean)) / Math.fround(std)));
      }
    }
    const f255 = await gpu.classifierInput(box, { tensor: 'float255' });
    t.ok(Buffer.from(f255.pixels).equals(Buffer.from(cls.pixels)));
    t.ok([0, 1, 2].every((c) => f255.tensor!.subarray(c * plane, (c + 1) * plane).every((v, i) => v === cls.pixels[i])), '§3.1.5: 3 identical channels, 0..255');
  } finally {
    gpu.dispose();
  }
});
