/**
 * The ROI detector registry (lib/roi/detectors): a new detector is one object plus its registration,
 * and every place that takes a method name (detectRoi, the run options, the pipeline) accepts it.
 * The test detector's expected box follows from the synthetic image's geometry, worked out by hand.
 */
import t from 'tap';
import { detectRoi, isRoiDetectorName, registerRoiDetector, roiDetectorChain, roiDetectorNames } from '../../lib/roi';
import type { RoiDetector } from '../../lib/roi';
import { parseRunOptions } from '../../lib/run/runOptions';

// The one declaration a new detector adds so that its name joins the RoiDetectorName union.
declare module '../../lib/roi/detectors/types' {
  interface RoiDetectorNames {
    brightBox: true;
    nothing: true;
  }
}

/** Test detector: bounding box of the resized pixels ≥ 128, mapped back with trunc(v / r). */
const brightBox: RoiDetector = {
  name: 'brightBox',
  needsModel: false,
  async detect(input, { rows, cols }) {
    const { resizedHeight: h, resizedWidth: w, tensor } = input;
    const size = Math.round(Math.sqrt(tensor.length / 3));
    let x0 = w, y0 = h, x1 = -1, y1 = -1;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        if (tensor[y * size + x] >= 128) { x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y); }
      }
    }
    if (x1 < 0) return null;
    const back = (v: number, limit: number): number => Math.min(limit, Math.trunc(v / input.ratio));
    return { box: [back(x0, cols), back(y0, rows), back(x1 + 1, cols), back(y1 + 1, rows)], method: 'brightBox', areaPct: 0, score: null, ratio: input.ratio };
  },
};

/** Test detector that never finds anything and hands over to Otsu. */
const nothing: RoiDetector = { name: 'nothing', needsModel: false, fallback: 'otsu', detect: async () => null };

registerRoiDetector(brightBox);
registerRoiDetector(nothing);

// 832 × 624 image, value 1000 on rows 200..599 × cols 100..399, 0 elsewhere. r = min(416/832, 416/624) = 0.5,
// so the torch bilinear resize samples source rows 2y and 2y+1 (align_corners=False): resized rows
// 100..299 and cols 50..199 are exactly 255, everything else exactly 0. Box back: / 0.5.
const rows = 832;
const cols = 624;
const raw = new Int16Array(rows * cols);
for (let y = 200; y < 600; y++) raw.fill(1000, y * cols + 100, y * cols + 400);

t.test('a registered detector is a method everywhere', async (t) => {
  t.ok(isRoiDetectorName('brightBox'));
  t.same(roiDetectorNames().slice(0, 2), ['yolox', 'otsu'], 'built-ins first');
  t.same(roiDetectorChain('yolox').map((d) => d.name), ['yolox', 'otsu'], 'YOLOX falls back to Otsu (§2.6)');
  t.same(roiDetectorChain('nothing').map((d) => d.name), ['nothing', 'otsu']);
  t.equal(parseRunOptions({ roi: 'brightBox' }).roi, 'brightBox', '--roi accepts it');
  t.throws(() => parseRunOptions({ roi: 'nope' }), { code: 'ERR_INVALID_ARGUMENT', message: /yolox, otsu, brightBox, nothing/ });
  t.throws(() => registerRoiDetector({ ...brightBox, name: 'full' as 'brightBox' }), { code: 'ERR_INVALID_ARGUMENT' });
});

t.test('detectRoi with the test detector gives the box the geometry says', async (t) => {
  const roi = await detectRoi(raw, rows, cols, false, { method: 'brightBox' });
  t.same(roi, { box: [100, 200, 400, 600], method: 'brightBox', areaPct: 0, score: null, ratio: 0.5 });
});

t.test('a detector that finds nothing hands over to its fallback (Otsu), like YOLOX', async (t) => {
  const viaFallback = await detectRoi(raw, rows, cols, false, { method: 'nothing' });
  const otsu = await detectRoi(raw, rows, cols, false, { method: 'otsu' });
  t.equal(viaFallback.method, 'otsu');
  t.same(viaFallback, otsu);
  // Otsu on a clean two-level image finds the bright block (dilated by one resized pixel, §2.6.3).
  t.ok(otsu.box[0] <= 100 && otsu.box[1] <= 200 && otsu.box[2] >= 400 && otsu.box[3] >= 600, `otsu box ${otsu.box}`);
});
