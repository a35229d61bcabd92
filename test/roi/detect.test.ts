// End-to-end ROI choice (ALGORITHMS.md §2.2–§2.7) with stored raw YOLOX outputs standing in for the
// detector: ../shared/golden/preprocess/yolox_decode (accepted box, the box rejected by the 4 % rule →
// Otsu on the synthetic ellipse image, the clamped edge case), then the fallbacks and error paths.
import t from 'tap';
import fs from 'fs';
import path from 'path';
import { detectRoi, detectRoiFromScaled, fullFrameRoi, YoloxRunner } from '../../lib/roi';
import { needsShared, readF32, sharedPath } from '../helpers/shared';

const REL = 'golden/preprocess/yolox_decode';

/** make_yolox_decode.ellipse_image(H, W): 200 inside the ellipse, 10 outside (float64 test, float32 values). */
function ellipseImage(H: number, W: number): Float32Array {
  const out = new Float32Array(H * W);
  const cx = 0.3 * W, rx = 0.3 * W, cy = 0.5 * H, ry = 0.4 * H;
  for (let y = 0; y < H; y++) {
    const dy = (y - cy) / ry;
    for (let x = 0; x < W; x++) {
      const dx = (x - cx) / rx;
      out[y * W + x] = dx * dx + dy * dy <= 1.0 ? 200 : 10;
    }
  }
  return out;
}

t.test('yolox_decode cases end to end: YOLOX box, 4 % rule → Otsu, clamping', needsShared(REL), async (t) => {
  const dir = sharedPath(REL)!;
  const cases = JSON.parse(fs.readFileSync(path.join(dir, 'cases.json'), 'utf8')).cases;
  for (const c of cases) {
    const raw = readF32(path.join(dir, c.files.raw));
    let seen: Float32Array | undefined;
    const detector: YoloxRunner = async (tensor) => {
      seen = tensor;
      return raw;
    };
    const roi = await detectRoiFromScaled(ellipseImage(c.H, c.W), c.H, c.W, { detector });
    t.equal(seen?.length, 3 * 416 * 416, `${c.case}: the detector gets a 1×3×416×416 tensor`);
    t.same(roi.box, c.detect_single.xyxy, `${c.case}: ${c.detect_single.path} box ${c.detect_single.xyxy}`);
    t.equal(roi.method, c.detect_single.path);
    t.equal(roi.areaPct, c.detect_single.area_pct);
    t.equal(roi.score, c.detect_single.conf);
    t.equal(roi.ratio, c.ratio);
  }
});

t.test('fallbacks: no detector → Otsu, method otsu skips the detector, errors → full frame', async (t) => {
  const H = 600, W = 500;
  const img = ellipseImage(H, W);
  const otsu = await detectRoiFromScaled(img, H, W);
  t.equal(otsu.method, 'otsu', 'no detector: the original\'s "nothing detected" path');
  let called = false;
  const same = await detectRoiFromScaled(img, H, W, { method: 'otsu', detector: async () => { called = true; return new Float32Array(3549 * 6); } });
  t.notOk(called);
  t.same(same, otsu);
  const errors: Error[] = [];
  const failed = await detectRoiFromScaled(img, H, W, { detector: async () => { throw new Error('engine exploded'); }, onError: (e) => errors.push(e) });
  t.same(failed, fullFrameRoi(H, W), 'a failing detector → full frame (§2.7.1)');
  t.match(errors[0].message, /engine exploded/);
  const wrong = await detectRoiFromScaled(img, H, W, { detector: async () => new Float32Array(7) });
  t.equal(wrong.method, 'full', 'a malformed detector output → full frame');
  // All-zero detector output: nothing passes obj·cls ≥ 0.5 → Otsu, as for the RSNA goldens.
  const zeros = await detectRoiFromScaled(img, H, W, { detector: async () => new Float32Array(3549 * 6) });
  t.same(zeros, otsu);
  t.same(fullFrameRoi(H, W), { box: [0, 0, W, H], method: 'full', areaPct: 1, score: null, ratio: 416 / H });
});

t.test('detectRoi: min-max × 255 of int16, inversion, constant image', async (t) => {
  const H = 300, W = 200;
  const raw = new Int16Array(H * W).fill(-100);
  for (let y = 50; y < 250; y++) for (let x = 0; x < 120; x++) raw[y * W + x] = 3000;
  const roi = await detectRoi(raw, H, W, false);
  t.equal(roi.method, 'otsu');
  t.ok(roi.box[0] === 0 && roi.box[2] >= 120 && roi.box[2] < 140 && roi.box[1] <= 50 && roi.box[3] >= 250, `box ${roi.box}`);
  // MONOCHROME1: the bright block becomes dark and the background is the foreground.
  const inv = await detectRoi(raw, H, W, true);
  // The background now touches the right border: x1 = trunc(w'/r) with w' = floor(W·r), one short of W.
  const r = 416 / H;
  t.equal(inv.box[2], Math.trunc(Math.floor(W * r) / r), `inverted box ${inv.box}`);
  t.equal(inv.box[2], 199);
  t.same(await detectRoi(new Int16Array(H * W).fill(7), H, W, false), fullFrameRoi(H, W), 'constant → full frame (§1.5.3)');
  await t.rejects(detectRoi(new Int16Array(5), 2, 3, false), { code: 'ERR_INVALID_ARGUMENT' });
  await t.rejects(detectRoiFromScaled(new Float32Array(6), 2, 3, { method: 'nope' as 'otsu' }), { code: 'ERR_INVALID_ARGUMENT' });
});
