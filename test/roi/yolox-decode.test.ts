// YOLOX decode / post_process / selection against the goldens made by the original RoiExtractor
// (../shared/golden/preprocess/yolox_decode, ALGORITHMS.md §2.4–§2.5, parity checkpoints P6–P7).
import t from 'tap';
import fs from 'fs';
import path from 'path';
import { decodeYolox, postprocessYolox, postprocessYoloxRows, selectYoloxBox } from '../../lib/roi';
import { roiAddon } from '../../lib/roi/addon';
import { needsShared, readF32, sharedPath } from '../helpers/shared';

const REL = 'golden/preprocess/yolox_decode';

interface DecodeCase {
  case: string;
  H: number;
  W: number;
  ratio: number;
  n_score_ge_0_5: number;
  n_after_nms: number;
  files: { raw: string; decoded: string; post: string };
  selection: { row_scaled_by_1_over_r: number[]; score: number; int_box_xyxy: number[]; area_pct: number; accepted: boolean };
  detect_single: { xyxy: number[]; area_pct: number; conf: number | null; path: string };
}

/** Number of positions where two float32 arrays differ (bit-exact comparison, NaN never occurs here). */
function mismatches(a: Float32Array, b: Float32Array): number {
  let n = Math.abs(a.length - b.length);
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) n++;
  return n;
}

t.test('yolox_decode goldens: decode, post_process rows, selection', needsShared(REL), async (t) => {
  const dir = sharedPath(REL)!;
  const cases: DecodeCase[] = JSON.parse(fs.readFileSync(path.join(dir, 'cases.json'), 'utf8')).cases;
  t.equal(cases.length, 3);
  for (const c of cases) {
    const raw = readF32(path.join(dir, c.files.raw));
    const goldDecoded = readF32(path.join(dir, c.files.decoded));
    const goldPost = readF32(path.join(dir, c.files.post));

    // Bit-exact: same float32 operation order and torch's CPU exp recipe (native/roi/torch_expf.h).
    const decoded = decodeYolox(raw);
    t.equal(decoded.length, 3549 * 6, `${c.case}: 3549 anchors`);
    t.equal(mismatches(decoded, goldDecoded), 0, `${c.case}: decoded bit-identical to decode_outputs`);

    const rows = postprocessYoloxRows(raw);
    t.equal(rows.length / 7, c.n_after_nms, `${c.case}: ${c.n_after_nms} rows after NMS (from ${c.n_score_ge_0_5} candidates)`);
    t.equal(mismatches(rows, goldPost), 0, `${c.case}: post_process rows bit-identical, in NMS keep order`);

    const scaled = roiAddon().yoloxSelect(rows, c.ratio, c.H, c.W, 0.04)!.scaled;
    t.same(scaled, c.selection.row_scaled_by_1_over_r.slice(0, 4), `${c.case}: corners / r in float32, bit-identical`);

    const cands = postprocessYolox(raw);
    t.same(cands[0].box, Array.from(rows.slice(0, 4)), `${c.case}: candidate objects mirror the rows`);
    t.equal(cands[0].clsId, 0);

    // Selection (§2.5.4–§2.5.6): the integer box, score and area_pct are exact.
    const sel = selectYoloxBox(raw, c.ratio, c.H, c.W);
    if (c.selection.accepted) {
      t.ok(sel, `${c.case}: accepted`);
      t.same(sel!.box, c.selection.int_box_xyxy, `${c.case}: box ${c.selection.int_box_xyxy}`);
      t.equal(sel!.score, c.selection.score);
      // (the scaled row itself, corners / r in float32, is checked in the native selection below)
      t.equal(sel!.areaPct, c.selection.area_pct);
      t.equal(sel!.method, 'yolox');
      t.same(sel!.box, c.detect_single.xyxy, `${c.case}: what detect_single returned`);
    } else {
      t.equal(sel, null, `${c.case}: rejected by the 4 % area rule (area_pct ${c.selection.area_pct}) → fallback`);
      t.equal(c.detect_single.path, 'otsu');
    }
  }
});

t.test('decode follows §2.4 on hand-made anchors', async (t) => {
  const raw = new Float32Array(3549 * 6);
  // anchor (gx=3, gy=5) of the stride-8 level; anchor (0, 0) of the stride-32 level (index 2704 + 676).
  const a = 5 * 52 + 3;
  raw.set([0.5, -0.25, Math.log(2), 0, 0.9, 0.8], a * 6);
  const b = 2704 + 676;
  raw.set([0, 0, 0, Math.log(0.5), 0.7, 0.7], b * 6);
  const d = decodeYolox(raw);
  t.same(Array.from(d.slice(a * 6, a * 6 + 6)), [(0.5 + 3) * 8, (-0.25 + 5) * 8, 16, 8, Math.fround(0.9), Math.fround(0.8)]);
  t.equal(d[b * 6 + 2], 32, 'exp(0)·32');
  t.equal(d[b * 6 + 3], 16, 'exp(ln 0.5)·32');
  // 0.9·0.8 ≥ 0.5 passes, 0.7·0.7 = 0.49 does not.
  const post = postprocessYolox(raw);
  t.equal(post.length, 1);
  t.same(post[0].box, [28 - 8, 38 - 4, 28 + 8, 38 + 4]);
  t.equal(postprocessYolox(raw, { confThres: 0.4 }).length, 2);
});

t.test('argument errors use the one message shape', async (t) => {
  t.throws(() => decodeYolox(new Float32Array(10)), { code: 'ERR_INVALID_ARGUMENT', message: /Expected a Float32Array of 3549×6/ });
  t.throws(() => decodeYolox(new Float32Array(3549 * 6), 100), { code: 'ERR_INVALID_ARGUMENT', message: /inputSize/ });
  t.throws(() => selectYoloxBox(new Float32Array(3549 * 6), 0, 10, 10), { message: /ratio/ });
  t.equal(decodeYolox(new Float32Array(((640 / 8) ** 2 + (640 / 16) ** 2 + (640 / 32) ** 2) * 6), 640).length, 8400 * 6, '640 input: 8400 anchors');
});
