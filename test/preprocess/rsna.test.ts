// RSNA goldens (../shared/golden/preprocess/rsna, made by the original functions on CPU): min-max
// detector image (§2.2.1, P3), detector input 416 (§2.2, P4), the Otsu input (resized → uint8, §2.6),
// the windowed crop band (§3.1.1, P9) and the 2048x1024 classifier inputs with the Otsu and manual
// boxes (§3.1, P10). Pixels come from our decoder, checked against MANIFEST frame0_sha256.
import t from 'tap';
import { needsShared, readF32, sharedPath } from '../helpers/shared';
import { classifierInput, detectorInput, minMaxScale255, windowedCropUint8 } from '../../lib/preprocess';
import type { Box, WindowMeta } from '../../lib/preprocess';
import { imgprocAddon } from '../../lib/preprocess/addon';
import { windowFromMeta } from '../../lib/preprocess/validate';
import { decodeRsna, goldenDir, readJson, readU8, sha256 } from './helpers';
import { closeWasmPool } from '../../lib/dicom';

const indexRel = `${goldenDir}/rsna/index.json`;
const skip = needsShared(indexRel).skip;

/** Pixels differing between two uint8 images, and the largest difference. */
function compareU8(a: Uint8Array, b: Uint8Array): { count: number; max: number } {
  let count = 0;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (d) { count++; max = Math.max(max, d); }
  }
  return { count, max };
}

t.test('RSNA preprocessing goldens', { skip }, async (t) => {
  // All nine images (~20 s): LINEAR/MONOCHROME2 test and train images, SIGMOID/MONOCHROME1 with the P9 band.
  const index = (readJson(indexRel).images as Array<{ folder?: string; dicom: string }>).filter((img) => img.folder);
  for (const img of index) {
    await t.test(img.folder as string, async (t) => {
      const dir = `${goldenDir}/rsna/${img.folder}`;
      const s = readJson(`${dir}/summary.json`);
      const { raw, rows, cols } = await decodeRsna(img.dicom);
      t.same([rows, cols], [s.decode.rows, s.decode.cols], 'decoded size');
      const meta: WindowMeta = {
        windowCenter: s.metadata.window_centers, windowWidth: s.metadata.window_widths,
        voiLutFunction: s.metadata.voilut_func, invert: s.metadata.invert,
      };

      // §2.2.1 / P3: exact (same int16/float32 ops).
      const f = await minMaxScale255(raw, rows, cols, meta.invert);
      t.equal(sha256(f), s.detector_fullres_minmax255.sha256, 'min-max ×255 full resolution bit-exact');

      // §2.2.2–2.2.5 / P4.
      const d = await detectorInput(f, rows, cols);
      const g = s.detector_input;
      t.equal(d.ratio, g.ratio, 'ratio');
      t.same([d.resizedHeight, d.resizedWidth], [g.resized_h, g.resized_w], 'resized size');
      t.equal(sha256(d.resized), g.resized.sha256, 'resized float32 bit-exact');
      const golden416 = readF32(sharedPath(`${dir}/detector_input_416.f32.bin`) as string);
      let maxDiff = 0;
      const ch0 = d.tensor.subarray(0, 416 * 416);
      for (let i = 0; i < ch0.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ch0[i] - golden416[i]));
      t.equal(maxDiff, 0, 'detector_input_416 channel 0 bit-exact (README tolerance 3.1e-5)');
      t.equal(sha256(ch0), g.sha256_416x416_channel0, 'channel 0 sha256');

      // §2.6 input: resized_img.to(uint8) (truncation).
      const otsuIn = Uint8Array.from(d.resized, (v) => Math.trunc(v));
      t.equal(compareU8(otsuIn, readU8(`${dir}/otsu_input_resized.u8.bin`)).count, 0, 'otsu_input_resized.u8 bit-exact');

      for (const variant of ['otsu', 'manual'] as const) {
        const v = s.variants[variant];
        if (!v) continue;
        const box = v.box_xyxy as Box;
        const windowed = await imgprocAddon().imgprocWindowedCrop(raw, rows, cols, box, windowFromMeta(meta), false);
        t.equal(sha256(windowed), v.windowed_crop.sha256, `${variant}: windowed crop (before inversion) bit-exact (P9)`);
        const inverted = await imgprocAddon().imgprocWindowedCrop(raw, rows, cols, box, windowFromMeta(meta), meta.invert);
        if (meta.invert) t.equal(sha256(inverted), v.windowed_inverted_crop.sha256, `${variant}: windowed + inverted crop bit-exact`);

        const out = await classifierInput(raw, rows, cols, box, meta);
        const golden = readU8(`${dir}/${v.final_file}`);
        const cmp = compareU8(out, golden);
        t.ok(cmp.max <= 1 && cmp.count <= golden.length * 0.001, `${variant}: final 2048x1024 within P10 (${cmp.count} px differ, max ${cmp.max})`);
        t.equal(sha256(out), v.final_sha256, `${variant}: final 2048x1024 bit-exact`);
        t.comment(`${img.folder} ${variant}: final differs from the golden in ${cmp.count} pixels (max ${cmp.max})`);

        const dali = await classifierInput(raw, rows, cols, box, meta, { fp16Windows: true });
        const daliGolden = v.dali_branch_fp16_windows;
        t.equal(sha256(dali), daliGolden.final_sha256, `${variant}: fp16-window (DALI branch) final sha256`);
        const daliDiff = compareU8(dali, out).count;
        t.ok(daliDiff === daliGolden.pixels_differing_from_dicomsdl_branch,
          `${variant}: fp16 windows change ${daliDiff} pixels (golden ${daliGolden.pixels_differing_from_dicomsdl_branch})`);

        // §7.7.1 stage-2 PNG: truncation of the windowed, inverted crop at native size.
        const crop = await windowedCropUint8(raw, rows, cols, box, meta);
        t.same([crop.rows, crop.cols], [v.crop_h, v.crop_w], `${variant}: stage-2 crop size`);
        let mismatches = 0;
        for (let i = 0; i < inverted.length; i++) if (crop.pixels[i] !== Math.trunc(inverted[i])) mismatches++;
        t.equal(mismatches, 0, `${variant}: stage-2 crop = trunc(windowed inverted crop)`);
      }

      const bandRel = `${dir}/otsu.windowed_crop_rows1500-2012.f32.bin`;
      if (sharedPath(bandRel)) {
        // P9: windowed crop before inversion, rows 1500..2011 of the Otsu crop, ≤ 1e-3.
        const band = readF32(sharedPath(bandRel) as string);
        const box = s.variants.otsu.box_xyxy as Box;
        const w = box[2] - box[0];
        const windowed = await imgprocAddon().imgprocWindowedCrop(raw, rows, cols, box, windowFromMeta(meta), false);
        let max = 0;
        for (let i = 0; i < band.length; i++) max = Math.max(max, Math.abs(windowed[1500 * w + i] - band[i]));
        t.ok(max <= 1e-3, `windowed crop band max abs diff ${max} ≤ 1e-3 (P9)`);
      }
    });
  }
});

t.teardown(() => closeWasmPool());
