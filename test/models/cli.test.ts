/**
 * The exact CLI forms others rely on: `convert classifier`, `convert yolox`, `infer` (float32 LE in
 * and out), checked against the goldens.
 */
import t from 'tap';
import fs from 'fs';
import path from 'path';
import { main } from '../../lib/cli/main';
import { needsShared, readF32, sharedPath } from '../helpers/shared';
import { capture, compare, tmpDir } from '../helpers/models';

const dir = tmpDir('cli');

t.test('convert yolox + infer reproduce the raw golden output', needsShared('golden/yolox'), async (t) => {
  const onnx = path.join(dir, 'yolox.onnx');
  const c = capture();
  const code = await main(['convert', 'yolox', path.join(sharedPath('golden/yolox')!, 'yolox_nano_416_roi_torch.pth'), '--out', onnx, '--depth', '0.33', '--width', '0.25', '--depthwise'], c.io);
  t.equal(code, 0, c.err());
  t.match(c.out(), /yolox\.onnx: YOLOX \(depth 0\.33, width 0\.25, depthwise true, 1 classes\)/);
  const out = path.join(dir, 'raw.bin');
  const c2 = capture();
  const code2 = await main(['infer', onnx, '--input', path.join(sharedPath('golden/yolox')!, 'input.bin'), '--shape', '1,3,416,416', '--out', out], c2.io);
  t.equal(code2, 0, c2.err());
  t.match(c2.out(), /output \[1,3549,6\] float32/);
  const r = compare(readF32(out), readF32(path.join(sharedPath('golden/yolox')!, 'plain.raw_nodecode.bin')), 5e-3);
  t.ok(r.ok, `infer output vs plain.raw_nodecode.bin: max |diff| ${r.maxAbs.toExponential(2)}`);
});

t.test('convert classifier: four checkpoints → ensemble; infer writes probabilities', needsShared('golden/convnext_ensemble'), async (t) => {
  const g = sharedPath('golden/convnext_ensemble')!;
  const onnx = path.join(dir, 'ensemble.onnx');
  const c = capture();
  const code = await main(['convert', 'classifier', ...[0, 1, 2, 3].map((i) => path.join(g, `best_convnext_fold_${i}.pth.tar`)), '--out', onnx], c.io);
  t.equal(code, 0, c.err());
  t.match(c.out(), /4-fold ensemble \(depths 2,2,3,2, dims 16,24,40,64, max pool, 1 classes\)/);
  const out = path.join(dir, 'probs.bin');
  t.equal(await main(['infer', onnx, '--input', path.join(g, 'input_0_255.bin'), '--shape', '2,3,256,128', '--out', out], capture().io), 0);
  t.ok(compare(readF32(out), readF32(path.join(g, 'probs.bin')), 1e-5).ok, 'probs.bin within 1e-5');
});

t.test('one-line errors naming the problem', needsShared('golden/yolox'), async (t) => {
  const c = capture();
  t.equal(await main(['convert', 'classifier', 'a.pth.tar'], c.io), 2, 'a missing option is a usage error (exit 2)');
  t.match(c.err(), /^rsna-mammo convert classifier: Expected an output \.onnx path for --out/);
  const c2 = capture();
  t.equal(await main(['infer', path.join(dir, 'nope.onnx'), '--input', path.join(sharedPath('golden/yolox')!, 'input.bin'), '--shape', '1,3,416,415', '--out', path.join(dir, 'o.bin')], c2.io), 1);
  t.match(c2.err(), /input\.bin: has 2076672 bytes but --shape needs 517920 float32 values/);
  t.equal(c2.err().trim().split('\n').length, 1);
  t.notOk(fs.existsSync(path.join(dir, 'o.bin')));
});
