// postprocess of the YOLOX-nano goldens (../shared/golden/yolox): raw head outputs of the original
// model through our decode + filter + batched NMS at the submit, exp and 0.45 thresholds (§2.5, P5–P6).
import t from 'tap';
import fs from 'fs';
import path from 'path';
import { postprocessYoloxRows } from '../../lib/roi';
import { needsShared, readF32, sharedPath } from '../helpers/shared';

const REL = 'golden/yolox';
const boxClose = (a: number, b: number) => Math.abs(a - b) <= 0.05 + 1e-3 * Math.abs(b);

t.test('post_submit / post_exp / post_nms045 from the stored raw outputs', needsShared(REL), async (t) => {
  const dir = sharedPath(REL)!;
  for (const model of ['plain', 'shifted']) {
    const meta = JSON.parse(fs.readFileSync(path.join(dir, `${model}.json`), 'utf8'));
    const raw = readF32(path.join(dir, meta.files.raw_nodecode.file));
    for (const key of ['post_submit', 'post_exp', 'post_nms045']) {
      const f = meta.files[key];
      const gold = readF32(path.join(dir, f.file));
      const rows = postprocessYoloxRows(raw, { confThres: f.conf_thre, nmsThres: f.nms_thre });
      t.equal(rows.length / 7, f.shape[0], `${model}.${key}: ${f.shape[0]} rows (conf ${f.conf_thre}, nms ${f.nms_thre})`);
      let bad = 0;
      for (let i = 0; i < Math.min(rows.length, gold.length); i++) {
        const ch = i % 7;
        // obj/cls pass through unchanged; README tolerance 3e-3 is met exactly.
        if (ch >= 4 ? Math.abs(rows[i] - gold[i]) > 3e-3 : !boxClose(rows[i], gold[i])) bad++;
      }
      t.equal(bad, 0, `${model}.${key}: rows match in NMS keep order`);
    }
  }
});
