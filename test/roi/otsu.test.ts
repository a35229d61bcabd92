// The Otsu ROI fallback (ALGORITHMS.md §2.6, parity checkpoint P8) on the 9 RSNA developer images:
// every intermediate the golden records (../shared/golden/preprocess/rsna/*/summary.json) must match,
// computed from the stored uint8 input of extract_roi_otsu.
import t from 'tap';
import crypto from 'crypto';
import fs from 'fs';
import path from 'path';
import { otsuRoi, otsuSteps } from '../../lib/roi';
import { needsShared, sharedPath } from '../helpers/shared';

const REL = 'golden/preprocess/rsna';
const sha256 = (a: Uint8Array) => crypto.createHash('sha256').update(a).digest('hex');

t.test('Otsu intermediates and boxes of the 9 RSNA images', needsShared(REL), async (t) => {
  const dir = sharedPath(REL)!;
  const images = fs.readdirSync(dir).filter((d) => d.includes('@')).sort();
  t.equal(images.length, 9);
  for (const image of images) {
    const s = JSON.parse(fs.readFileSync(path.join(dir, image, 'summary.json'), 'utf8'));
    const { resized_h: h, resized_w: w, ratio } = s.detector_input;
    const { rows, cols } = s.decode;
    const input = new Uint8Array(fs.readFileSync(path.join(dir, image, 'otsu_input_resized.u8.bin')));
    t.equal(input.length, h * w);
    const i = s.otsu.intermediates;
    const st = await otsuSteps(input, h, w, true);
    t.equal(st.p95Upper, i.p95_upper, `${image}: P95 ${i.p95_upper}`);
    t.equal(st.imageMin, i.image_min, `${image}: minimum`);
    t.equal(st.nClipped, i.n_pixels_above_upper_set_to_min, `${image}: ${i.n_pixels_above_upper_set_to_min} pixels clipped`);
    t.equal(sha256(st.clipped!), i.after_clip_sha256, `${image}: clipped image`);
    t.equal(sha256(st.blurred!), i.blurred_sha256, `${image}: GaussianBlur 5×5 bit-exact`);
    t.equal(st.threshold, i.otsu_threshold, `${image}: Otsu threshold ${i.otsu_threshold}`);
    t.equal(sha256(st.binary!), i.binary_sha256, `${image}: binary image`);
    t.equal(st.binaryForeground, i.binary_foreground_pixels);
    t.equal(sha256(st.dilated!), i.dilated_sha256, `${image}: dilated image`);
    t.equal(st.dilatedForeground, i.dilated_foreground_pixels);
    t.equal(st.contourAreas.length, i.n_contours, `${image}: ${i.n_contours} external contours`);
    t.same(Array.from(st.contourAreas).sort((a, b) => b - a).slice(0, 5), i.contour_areas_desc_top5, `${image}: contour areas`);
    t.equal(st.largest, i.largest_contour_index, `${image}: largest contour index in OpenCV's order`);
    t.equal(st.contourPoints[st.largest], i.largest_contour_n_points, `${image}: CHAIN_APPROX_SIMPLE vertices`);
    t.same(st.rect, i.bounding_rect_x_y_w_h, `${image}: bounding rect`);
    t.same(st.box, s.otsu.box_resized_xyxy, `${image}: box in the resized image`);
    t.equal(st.areaPct, s.otsu.area_pct, `${image}: area_pct`);

    const roi = await otsuRoi(input, h, w, ratio, rows, cols);
    t.ok(roi, `${image}: accepted (area_pct ≥ 0.04)`);
    t.same(roi!.box, s.otsu.box_fullres_xyxy, `${image}: full-resolution box ${s.otsu.box_fullres_xyxy}`);
    t.same(roi!.box, s.otsu.detect_single_result.xyxy);
    t.equal(roi!.method, 'otsu');
    t.equal(roi!.score, null);
    t.equal(roi!.areaPct, s.otsu.detect_single_result.area_pct);
  }
});

t.test('Otsu on hand-made images', async (t) => {
  // A 20×30 image with a bright 10×12 rectangle: the contour is the rectangle's border.
  const h = 20, w = 30;
  const img = new Uint8Array(h * w).fill(10);
  for (let y = 4; y < 14; y++) for (let x = 6; x < 18; x++) img[y * w + x] = 200;
  const st = await otsuSteps(img, h, w, true);
  // P95 of 600 pixels with 120 bright ones is 200 → nothing above it is clipped.
  t.equal(st.p95Upper, 200);
  t.equal(st.nClipped, 0);
  t.equal(st.contourAreas.length, 1);
  // The blur spreads the edge by ≤ 2 px, the dilation by 1: check the rect contains the rectangle.
  const [x, y, rw, rh] = st.rect;
  t.ok(x <= 6 && y <= 4 && x + rw >= 18 && y + rh >= 14);

  // Two blobs of equal area: findContours lists the lower one first (reverse raster order) and
  // np.argmax keeps the first maximum, so the original picks the lower blob.
  const twin = new Uint8Array(40 * 20).fill(10);
  for (const y0 of [3, 25]) for (let y = y0; y < y0 + 8; y++) for (let x = 5; x < 15; x++) twin[y * 20 + x] = 200;
  const tw = await otsuSteps(twin, 40, 20);
  t.equal(tw.contourAreas.length, 2);
  t.equal(tw.contourAreas[0], tw.contourAreas[1], 'equal areas');
  t.equal(tw.largest, 0);
  t.ok(tw.box[1] > 20, 'the lower blob wins the tie');

  // All zeros: no contour → null (full frame in detectRoi).
  t.equal(await otsuRoi(new Uint8Array(h * w), h, w, 1, h, w), null);
  // Constant non-zero: Otsu threshold 0, everything foreground → one contour around the frame.
  const c = await otsuSteps(new Uint8Array(h * w).fill(77), h, w);
  t.equal(c.threshold, 0);
  t.same(c.box, [0, 0, w, h]);
  t.equal(c.contourAreas[0], (w - 1) * (h - 1));
  // 1×1 and 1×N images do not crash.
  t.ok(await otsuSteps(new Uint8Array([5]), 1, 1));
  t.ok(await otsuSteps(new Uint8Array(7).fill(9), 1, 7));
  t.ok(await otsuSteps(new Uint8Array(7).fill(9), 7, 1));
  await t.rejects(otsuSteps(new Uint8Array(5), 2, 3), { code: 'ERR_INVALID_ARGUMENT' });
});

t.test('P95 is numpy.percentile(linear) incl. its upper-value branch for gamma ≥ 0.5', async (t) => {
  // numpy 1.24 _lerp: a + (b−a)·g for g < 0.5, b − (b−a)·(1−g) otherwise, with g = (n−1)·0.95 − floor(…).
  const numpyP95 = (sorted: number[]) => {
    const n = sorted.length;
    const v = (n - 1) * (95 / 100);
    if (v >= n - 1) return sorted[n - 1];
    const lo = Math.floor(v), g = v - lo, a = sorted[lo], b = sorted[lo + 1];
    return g >= 0.5 ? b - (b - a) * (1 - g) : a + (b - a) * g;
  };
  for (const n of [1, 2, 11, 15, 20, 27, 31, 39, 416 * 312]) {
    const values = Array.from({ length: n }, (_, i) => (i * 97 + 13) % 251);
    const sorted = [...values].sort((x, y) => x - y);
    const [h, w] = n > 1000 ? [416, n / 416] : [1, n];
    const st = await otsuSteps(Uint8Array.from(values), h, w);
    t.equal(st.p95Upper, numpyP95(sorted), `n = ${n}: ${st.p95Upper}`);
    t.equal(st.nClipped, values.filter((v) => v > st.p95Upper).length);
  }
});
