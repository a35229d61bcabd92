/**
 * The libtorch backend (native/infer_torch) on the CPU against the goldens and ONNX Runtime: the
 * 4-fold ensemble's probabilities within 1e-5 of ONNX Runtime's and of KFoldEnsembleModel's
 * (../shared/golden/convnext_ensemble), YOLOX's raw output within the YOLOX golden's 5e-3
 * (test/models/yolox_parity.test.ts), and its typed errors. Skips by name when the addon is not built.
 */
import t from 'tap';
import fs from 'fs';
import path from 'path';
import { convertClassifier } from '../../lib/models';
import { createSession } from '../../lib/runtime';
import { libtorchAddonStatus } from '../../lib/runtime/libtorch_addon';
import { createLibtorchSession } from '../../lib/runtime/libtorch';
import { ENSEMBLE_ONNX, FOLD_CHECKPOINTS } from '../../lib/run/modelFiles';
import type { DeviceTensor } from '../../lib/runtime/types';
import { needsShared, readF32, sharedPath } from '../helpers/shared';
import { compare, tmpDir, turnsDuring } from '../helpers/models';

const ENSEMBLE = 'golden/convnext_ensemble';
const YOLOX = 'golden/yolox';
const addon = libtorchAddonStatus();
const needsAddon = (what: string): { skip: string | false } =>
  ({ skip: addon.loaded ? false : `libtorch addon not usable (${addon.reason}): libtorch test "${what}" skipped` });
const both = (rel: string, what: string): { skip: string | false } => {
  const a = needsAddon(what);
  return a.skip ? a : needsShared(rel);
};

t.test('ensemble: libtorch fold probabilities = ONNX Runtime within 1e-5 (and the golden)', both(ENSEMBLE, 'ensemble parity'), async (t) => {
  // The layout a user has: fold checkpoints with their converted ensemble ONNX beside them.
  const dir = tmpDir('libtorch-ensemble');
  for (const f of FOLD_CHECKPOINTS) fs.symlinkSync(path.join(sharedPath(ENSEMBLE)!, f), path.join(dir, f));
  const onnx = path.join(dir, ENSEMBLE_ONNX);
  await convertClassifier(FOLD_CHECKPOINTS.map((f) => path.join(dir, f)), onnx);
  const input = { data: readF32(path.join(sharedPath(ENSEMBLE)!, 'input_0_255.bin')), dims: [2, 3, 256, 128] };
  const ort = await createSession(onnx, { backend: 'onnxruntime', threads: 1 });
  const expected = (await ort.run({ input })).probs;
  await ort.dispose();
  const opening = createSession(onnx, { backend: 'libtorch', threads: 1 });
  const turns = await turnsDuring(opening);
  const lt = await opening;
  t.teardown(() => lt.dispose());
  t.ok(turns > 2, `weights are read and loaded off the event loop: ${turns} turns meanwhile`);
  t.equal(lt.backend, 'libtorch');
  t.equal(lt.acceptsDeviceInput, false, 'a CPU session takes host feeds only');
  t.same([lt.inputNames, lt.outputNames, lt.outputShapes], [['input'], ['probs'], [['batch', 4]]], 'names and shapes of the ensemble ONNX');
  const got = (await lt.run({ input })).probs;
  t.same(got.dims, [2, 4]);
  const r = compare(got.data, expected.data, 1e-5);
  t.ok(r.ok, `libtorch vs ONNX Runtime: max |diff| ${r.maxAbs.toExponential(2)} (≤ 1e-5)`);
  const g = compare(got.data, readF32(path.join(sharedPath(ENSEMBLE)!, 'probs.bin')), 1e-5);
  t.ok(g.ok, `libtorch vs KFoldEnsembleModel golden: max |diff| ${g.maxAbs.toExponential(2)} (≤ 1e-5)`);
  // One image of the batch alone gives its row of the batch.
  const one = await lt.run({ input: { data: input.data.subarray(0, 3 * 256 * 128), dims: [1, 3, 256, 128] } });
  t.ok(compare(one.probs.data, got.data.subarray(0, 4), 1e-6).ok, 'batch of 1 = row 0 of the batch of 2');
});

t.test('YOLOX: libtorch raw output within the golden tolerance (5e-3), both checkpoints', both(YOLOX, 'YOLOX parity'), async (t) => {
  const input = { data: readF32(path.join(sharedPath(YOLOX)!, 'input.bin')), dims: [1, 3, 416, 416] };
  for (const [model, file] of [['plain', 'yolox_nano_416_roi_torch.pth'], ['shifted', 'yolox_nano_416_roi_torch_shifted.pth']]) {
    const s = await createSession(path.join(sharedPath(YOLOX)!, file), { backend: 'libtorch', threads: 1 });
    const out = await s.run({ images: input });
    await s.dispose();
    t.same(out.output.dims, [1, 3549, 6], `${model}: [1, 3549, 6]`);
    const r = compare(out.output.data, readF32(path.join(sharedPath(YOLOX)!, `${model}.raw_nodecode.bin`)), 5e-3);
    t.ok(r.ok, `${model} raw_nodecode: max |diff| ${r.maxAbs.toExponential(2)} (≤ 5e-3)`);
  }
});

t.test('libtorch errors are typed and name the problem', both(ENSEMBLE, 'libtorch errors'), async (t) => {
  const dir = tmpDir('libtorch-errors');
  const folds = FOLD_CHECKPOINTS.map((f) => path.join(sharedPath(ENSEMBLE)!, f));
  await t.rejects(createLibtorchSession(path.join(dir, ENSEMBLE_ONNX)), { code: 'ERR_MODEL_MISSING', message: /none are beside/ });
  await t.rejects(createLibtorchSession('x.onnx', { checkpoints: folds, precision: 'fp16', device: 'cpu' }), { code: 'ERR_INVALID_ARGUMENT', message: /fp32' or 'bf16' on the CPU/ });
  await t.rejects(createLibtorchSession('x.onnx', { checkpoints: folds, device: 'gpu7' }), { code: 'ERR_INVALID_ARGUMENT', message: /cpu, cuda or cuda:N/ });
  if (!addon.info?.cudaAvailable) {
    await t.rejects(createLibtorchSession('x.onnx', { checkpoints: folds, device: 'cuda:0' }), { code: 'ERR_CUDA_UNAVAILABLE' });
  }
  const junk = path.join(dir, 'junk.pth');
  fs.writeFileSync(junk, 'not a checkpoint');
  await t.rejects(createLibtorchSession(junk), { code: /^ERR_CHECKPOINT/, message: /junk\.pth/ });
  const s = await createLibtorchSession('x.onnx', { checkpoints: folds.slice(0, 2), device: 'cpu', threads: 1 });
  t.same(s.outputShapes, [['batch', 2]], 'two folds → [N, 2]');
  await t.rejects(s.run({ input: { data: new Float32Array(12), dims: [1, 4, 3, 1] } }), { code: 'ERR_INFER_SHAPE' });
  await t.rejects(s.run({ input: { data: new Float32Array(10), dims: [1, 3, 64, 64] } }), { code: 'ERR_INFER_SHAPE', message: /10 values/ });
  const device: DeviceTensor = { location: 'cuda', deviceId: 0, address: 1n << 20n, dims: [1, 3, 64, 64], dtype: 'float32', owner: null };
  await t.rejects(s.run({ input: device }), { code: 'ERR_INVALID_ARGUMENT', message: /needs a CUDA session/ });
  await s.dispose();
  await t.rejects(s.run({ input: { data: new Float32Array(3 * 64 * 64), dims: [1, 3, 64, 64] } }), { code: 'ERR_SESSION_DISPOSED' });
});

t.test('bf16 on the CPU runs and stays near fp32', both(ENSEMBLE, 'bf16 on CPU'), async (t) => {
  const folds = FOLD_CHECKPOINTS.map((f) => path.join(sharedPath(ENSEMBLE)!, f));
  const s = await createLibtorchSession('x.onnx', { checkpoints: folds, device: 'cpu', precision: 'bf16', threads: 1 });
  t.teardown(() => s.dispose());
  const out = await s.run({ input: { data: readF32(path.join(sharedPath(ENSEMBLE)!, 'input_0_255.bin')), dims: [2, 3, 256, 128] } });
  const r = compare(out.probs.data, readF32(path.join(sharedPath(ENSEMBLE)!, 'probs.bin')), 5e-2);
  t.ok(r.ok, `bf16 vs fp32 golden: max |diff| ${r.maxAbs.toExponential(2)} (≤ 5e-2, bf16 keeps 8 mantissa bits)`);
});
