/**
 * A `--models` folder holding only fold 0: the pipeline's converted model must still be the
 * KFoldEnsembleModel (0..255 input → probabilities, ALGORITHMS.md §4.4), not the bare classifier
 * (normalised input → logits). Checked against the original's fold-0 probabilities
 * (../shared/golden/convnext_ensemble probs.bin, column 0).
 */
import t from 'tap';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { createSession } from '../../lib/runtime';
import { convertClassifier } from '../../lib/models';
import { createPipeline } from '../../lib/pipeline/createPipeline';
import { modelDirFiles, resolveModels } from '../../lib/run/resolveModels';
import { needsShared, readF32, sharedPath } from '../helpers/shared';

const REL = 'golden/convnext_ensemble';

t.test('models folder with fold 0 only → probabilities equal the golden fold-0 column', needsShared(REL), async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-single-fold-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.symlinkSync(path.join(sharedPath(REL)!, 'best_convnext_fold_0.pth.tar'), path.join(dir, 'best_convnext_fold_0.pth.tar'));
  const files = modelDirFiles(dir);
  t.same(files.classifierCheckpoints.map((f) => path.basename(f)), ['best_convnext_fold_0.pth.tar']);
  const { classifier } = await resolveModels(files, 'otsu', () => {});
  const session = await createSession(classifier, { backend: 'onnxruntime', threads: 1 });
  t.teardown(() => session.dispose());
  t.same([session.inputNames, session.outputNames], [['input'], ['probs']], 'the ensemble graph: input 0..255 → probs');
  const input = { data: readF32(path.join(sharedPath(REL)!, 'input_0_255.bin')), dims: [2, 3, 256, 128] };
  const probs = (await session.run({ input })).probs;
  t.same(probs.dims, [2, 1]);
  const golden = readF32(path.join(sharedPath(REL)!, 'probs.bin'));  // [2, 4]
  for (let n = 0; n < 2; n++) {
    const diff = Math.abs(probs.data[n] - golden[n * 4]);
    t.ok(diff <= 1e-5, `image ${n}: ${probs.data[n]} vs golden fold 0 ${golden[n * 4]} (|diff| ${diff.toExponential(2)} ≤ 1e-5)`);
  }
});

t.test('a bare classifier ONNX (logits) given as the ensemble is refused, naming the file', needsShared(REL), async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-bare-classifier-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const onnx = path.join(dir, 'classifier.onnx');
  await convertClassifier([path.join(sharedPath(REL)!, 'best_convnext_fold_0.pth.tar')], onnx);
  await t.rejects(createPipeline({ classifier: onnx, roi: 'otsu', device: 'cpu', threads: 1, log: () => {} }),
    { code: 'ERR_MODEL_MISMATCH', file: onnx, message: /"logits", not the ensemble's "probs"/ });
});
