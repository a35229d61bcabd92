// postprocess of the YOLOX-nano goldens (../shared/golden/yolox): raw head outputs of the original
// model through our decode + filter + batched NMS at the submit, exp and 0.45 thresholds (§2.5, P5–P6),
// bit-identical to the original's decode (raw_decoded) and postprocess rows.
import t from 'tap';
import fs from 'fs';
import path from 'path';
import { decodeYolox, postprocessYoloxRows } from '../../lib/roi';
import { needsShared, readF32, sharedPath } from '../helpers/shared';

const REL = 'golden/yolox';
function mismatches(a: Float32Array, b: Float32Array): number {
  let n = Math.abs(a.length - b.length);
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) n++;
  return n;
}

t.test('post_submit / post_exp / post_nms045 from the stored raw outputs', needsShared(REL), async (t) => {
  const dir = sharedPath(REL)!;
  for (const model of ['plain', 'shifted']) {
    const meta = JSON.parse(fs.readFileSync(path.join(dir, `${model}.json`), 'utf8'));
    const raw = readF32(path.join(dir, meta.files.raw_nodecode.file));
    const decoded = readF32(path.join(dir, meta.files.raw_decoded.file));
    t.equal(mismatches(decodeYolox(raw), decoded), 0, `${model}: decode of raw_nodecode == raw_decoded (head's own decode)`);
    for (const key of ['post_submit', 'post_exp', 'post_nms045']) {
      const f = meta.files[key];
      const gold = readF32(path.join(dir, f.file));
      const rows = postprocessYoloxRows(raw, { confThres: f.conf_thre, nmsThres: f.nms_thre });
      t.equal(rows.length / 7, f.shape[0], `${model}.${key}: ${f.shape[0]} rows (conf ${f.conf_thre}, nms ${f.nms_thre})`);
      t.equal(mismatches(rows, gold), 0, `${model}.${key}: rows bit-identical in NMS keep order`);
    }
  }
});
