// The YOLOX path end to end (ALGORITHMS.md §2.3–§2.5, P5–P6): the golden checkpoints converted with
// convertYolox, run through yoloxRunnerFromModel (ONNX Runtime) on the golden 416 input, then our
// native postprocess at the submit, exp and 0.45 thresholds against ../shared/golden/yolox.
import t from 'tap';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { convertYolox } from '../../lib/models/convert_yolox';
import { postprocessYoloxRows, yoloxRunnerFromModel } from '../../lib/roi';
import { needsShared, readF32, sharedPath } from '../helpers/shared';

const REL = 'golden/yolox';
const boxClose = (a: number, b: number) => Math.abs(a - b) <= 0.05 + 1e-3 * Math.abs(b);

t.test('converted YOLOX model → raw head → postprocess equals the golden rows', needsShared(REL), async (t) => {
  const dir = sharedPath(REL)!;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-roi-yolox-'));
  t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const input = readF32(path.join(dir, 'input.bin'));
  for (const [model, ckpt] of [['plain', 'yolox_nano_416_roi_torch.pth'], ['shifted', 'yolox_nano_416_roi_torch_shifted.pth']]) {
    const meta = JSON.parse(fs.readFileSync(path.join(dir, `${model}.json`), 'utf8'));
    const onnx = path.join(tmp, `${model}.onnx`);
    await convertYolox(path.join(dir, ckpt), onnx);
    const runner = await yoloxRunnerFromModel(onnx, { backend: 'onnxruntime', threads: 1 });
    t.teardown(() => runner.dispose());
    const raw = await runner(input);
    const gold = readF32(path.join(dir, meta.files.raw_nodecode.file));
    let worst = 0;
    for (let i = 0; i < raw.length; i++) worst = Math.max(worst, Math.abs(raw[i] - gold[i]));
    t.ok(worst <= 5e-3, `${model}: raw head within 5e-3 of the golden (max ${worst})`);
    for (const key of ['post_submit', 'post_exp', 'post_nms045']) {
      const f = meta.files[key];
      const want = readF32(path.join(dir, f.file));
      const rows = postprocessYoloxRows(raw, { confThres: f.conf_thre, nmsThres: f.nms_thre });
      t.equal(rows.length / 7, f.shape[0], `${model}.${key}: ${f.shape[0]} rows`);
      let bad = 0;
      for (let i = 0; i < Math.min(rows.length, want.length); i++) {
        const ch = i % 7;
        if (ch >= 4 ? Math.abs(rows[i] - want[i]) > 3e-3 : !boxClose(rows[i], want[i])) bad++;
      }
      t.equal(bad, 0, `${model}.${key}: rows within the golden tolerance`);
    }
  }
});
