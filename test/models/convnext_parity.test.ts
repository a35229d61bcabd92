/**
 * ConvNeXt ONNX vs the original timm model (../shared/golden/convnext, README "convnext/"): logits and
 * every intermediate feature map within the README's tolerance |a−b| ≤ 1e-4 + 1e-4·|b|, probs ≤ 3e-5;
 * loading `state_dict` (no EMA) reproduces logits_noema.bin, proving the EMA default.
 */
import t from 'tap';
import fs from 'fs';
import path from 'path';
import { convertClassifier } from '../../lib/models';
import { createSession } from '../../lib/runtime';
import { needsShared, readF32, sharedPath } from '../helpers/shared';
import { compare, tmpDir } from '../helpers/models';

const DIR = 'golden/convnext';
const FEATURES = ['feat_stem', 'feat_stage0', 'feat_stage1', 'feat_stage2', 'feat_stage3', 'feat_head_pool', 'feat_head_prelogits'];

t.test('ConvNeXt (variant A) logits and intermediates match timm', needsShared(DIR), async (t) => {
  const dir = tmpDir('convnext');
  const ckpt = path.join(sharedPath(DIR)!, 'convnext_golden_a.pth.tar');
  const ema = await convertClassifier([ckpt], path.join(dir, 'ema.onnx'), { debugOutputs: true });
  t.same([ema.folds, ema.config.depths, ema.config.dims, ema.config.globalPool, ema.config.numClasses], [1, [2, 2, 3, 2], [16, 24, 40, 64], 'max', 1], 'architecture and pool read from the checkpoint');
  await convertClassifier([ckpt], path.join(dir, 'noema.onnx'), { ema: false });
  const s = await createSession(path.join(dir, 'ema.onnx'));
  const sNoEma = await createSession(path.join(dir, 'noema.onnx'));
  t.teardown(async () => { await s.dispose(); await sNoEma.dispose(); });
  t.same(s.outputNames, ['logits', ...FEATURES]);
  for (const c of ['case1', 'case2']) {
    const meta = JSON.parse(fs.readFileSync(path.join(sharedPath(DIR)!, `${c}.json`), 'utf8'));
    const input = { data: readF32(path.join(sharedPath(DIR)!, `${c}.input.bin`)), dims: meta.files.input.shape };
    const out = await s.run({ input });
    for (const name of ['logits', ...FEATURES]) {
      const golden = readF32(path.join(sharedPath(DIR)!, `${c}.${name}.bin`));
      t.same(out[name].dims, meta.files[name].shape, `${c} ${name} shape`);
      const r = compare(out[name].data, golden, 1e-4, 1e-4);
      t.ok(r.ok, `${c} ${name}: max |diff| ${r.maxAbs.toExponential(2)}`);
    }
    const probs = out.logits.data.map((v) => 1 / (1 + Math.exp(-v)));
    const rp = compare(probs, readF32(path.join(sharedPath(DIR)!, `${c}.probs.bin`)), 3e-5);
    t.ok(rp.ok, `${c} probs: max |diff| ${rp.maxAbs.toExponential(2)}`);
    const noEma = (await sNoEma.run({ input })).logits.data;
    const rn = compare(noEma, readF32(path.join(sharedPath(DIR)!, `${c}.logits_noema.bin`)), 1e-4, 1e-4);
    t.ok(rn.ok, `${c} --no-ema reproduces logits_noema: max |diff| ${rn.maxAbs.toExponential(2)}`);
    t.notOk(compare(noEma, readF32(path.join(sharedPath(DIR)!, `${c}.logits.bin`)), 1e-4, 1e-4).ok, `${c} non-EMA weights differ from the EMA logits`);
  }
});
