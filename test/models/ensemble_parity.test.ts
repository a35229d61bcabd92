/**
 * The 4-fold KFoldEnsembleModel as one ONNX model vs src/submit/model.py
 * (../shared/golden/convnext_ensemble): 0..255 input, ImageNet mean/std inside, per-fold
 * probabilities [N, 4] within 1e-5 of probs.bin (ALGORITHMS.md §4.4).
 */
import t from 'tap';
import path from 'path';
import { convertClassifier, MEAN_255, STD_255 } from '../../lib/models';
import { createSession } from '../../lib/runtime';
import { needsShared, readF32, sharedPath } from '../helpers/shared';
import { compare, tmpDir, turnsDuring } from '../helpers/models';

const DIR = 'golden/convnext_ensemble';

t.test('normalisation constants equal the wrapper buffers (ALGORITHMS.md §3.4)', needsShared(DIR), async (t) => {
  t.same(MEAN_255, [...readF32(path.join(sharedPath(DIR)!, 'mean_255.bin'))]);
  t.same(STD_255, [...readF32(path.join(sharedPath(DIR)!, 'std_255.bin'))]);
});

t.test('4-fold ensemble probabilities match KFoldEnsembleModel', needsShared(DIR), async (t) => {
  const dir = tmpDir('ensemble');
  const folds = [0, 1, 2, 3].map((i) => path.join(sharedPath(DIR)!, `best_convnext_fold_${i}.pth.tar`));
  const conversion = convertClassifier(folds, path.join(dir, 'ensemble.onnx'), { debugOutputs: true });
  const turns = await turnsDuring(conversion);
  t.ok(turns > 5, `conversion runs in a worker: ${turns} event-loop turns meanwhile`);
  const res = await conversion;
  t.equal(res.folds, 4);
  const s = await createSession(res.outFile);
  t.teardown(() => s.dispose());
  t.same([s.inputShapes, s.outputShapes[0]], [[['batch', 3, 'height', 'width']], ['batch', 4]]);
  const out = await s.run({ input: { data: readF32(path.join(sharedPath(DIR)!, 'input_0_255.bin')), dims: [2, 3, 256, 128] } });
  t.same(out.probs.dims, [2, 4]);
  const rp = compare(out.probs.data, readF32(path.join(sharedPath(DIR)!, 'probs.bin')), 1e-5);
  t.ok(rp.ok, `per-fold probabilities: max |diff| ${rp.maxAbs.toExponential(2)} (≤ 1e-5)`);
  const rl = compare(out.fold_logits.data, readF32(path.join(sharedPath(DIR)!, 'fold_logits.bin')), 1e-4, 1e-4);
  t.ok(rl.ok, `per-fold logits: max |diff| ${rl.maxAbs.toExponential(2)}`);
  const mean = [0, 1].map((n) => [0, 1, 2, 3].reduce((a, k) => a + out.probs.data[n * 4 + k], 0) / 4);
  t.ok(compare(mean, readF32(path.join(sharedPath(DIR)!, 'mean_prob.bin')), 1e-5).ok, 'mean over folds = mean_prob.bin');
});
