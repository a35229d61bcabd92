/**
 * YOLOX-nano ONNX vs the original YOLOX (../shared/golden/yolox): raw head output
 * (decode_in_inference False, ALGORITHMS.md §2.3) within 5e-3 for both checkpoints, FPN outputs within
 * 2e-2, CSPDarknet stage summaries (channel means, top-left 8×8 crops) within 2e-2.
 */
import t from 'tap';
import path from 'path';
import { convertYolox } from '../../lib/models';
import { createSession } from '../../lib/runtime';
import { needsShared, readF32, sharedPath } from '../helpers/shared';
import { compare, tmpDir } from '../helpers/models';

const DIR = 'golden/yolox';

t.test('YOLOX plain and shifted checkpoints match the original raw outputs', needsShared(DIR), async (t) => {
  const dir = tmpDir('yolox');
  const input = { data: readF32(path.join(sharedPath(DIR)!, 'input.bin')), dims: [1, 3, 416, 416] };
  for (const [model, file] of [['plain', 'yolox_nano_416_roi_torch.pth'], ['shifted', 'yolox_nano_416_roi_torch_shifted.pth']]) {
    const res = await convertYolox(path.join(sharedPath(DIR)!, file), path.join(dir, `${model}.onnx`), { depth: 0.33, width: 0.25, depthwise: true, numClasses: 1, debugOutputs: true });
    const s = await createSession(res.outFile);
    const out = await s.run({ images: input });
    await s.dispose();
    t.same(out.output.dims, [1, 3549, 6], `${model}: [1, 3549, 6]`);
    const r = compare(out.output.data, readF32(path.join(sharedPath(DIR)!, `${model}.raw_nodecode.bin`)), 5e-3);
    t.ok(r.ok, `${model} raw_nodecode: max |diff| ${r.maxAbs.toExponential(2)} (≤ 5e-3)`);
    if (model !== 'plain') continue;
    for (let i = 0; i < 3; i++) {
      const rf = compare(out[`fpn_out${i}`].data, readF32(path.join(sharedPath(DIR)!, `fpn_out${i}.bin`)), 2e-2);
      t.ok(rf.ok, `fpn_out${i}: max |diff| ${rf.maxAbs.toExponential(2)} (≤ 2e-2)`);
    }
    for (const stage of ['stem', 'dark2', 'dark3', 'dark4', 'dark5']) {
      const fm = out[`backbone.backbone.${stage}`];
      const [, C, H, W] = fm.dims;
      const chanmean = Array.from({ length: C }, (_, c) => fm.data.subarray(c * H * W, (c + 1) * H * W).reduce((a, b) => a + b, 0) / (H * W));
      const crop: number[] = [];
      for (let c = 0; c < C; c++) for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) crop.push(fm.data[c * H * W + y * W + x]);
      const rm = compare(chanmean, readF32(path.join(sharedPath(DIR)!, `backbone.${stage}.chanmean.bin`)), 2e-2);
      const rc = compare(crop, readF32(path.join(sharedPath(DIR)!, `backbone.${stage}.crop8.bin`)), 2e-2);
      t.ok(rm.ok && rc.ok, `backbone.${stage} [${fm.dims}]: chanmean ${rm.maxAbs.toExponential(2)}, crop8 ${rc.maxAbs.toExponential(2)}`);
    }
  }
});
