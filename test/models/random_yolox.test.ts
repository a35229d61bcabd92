/**
 * Random YOLOX checkpoints (for the demo's UNTRAINED weights): the key set and shapes equal the
 * original RSNA nano checkpoint's (../shared/golden/yolox), they convert, and every anchor scores
 * sigmoid(−ln 99)² = 1e-4, far below the 0.5 threshold of ALGORITHMS.md §2.5.2.
 */
import t from 'tap';
import path from 'path';
import { convertYolox, makeRandomYoloxCheckpoint, readTorchCheckpoint, TorchTensor, YOLOX_NANO_RSNA, yoloxStateDictShapes } from '../../lib/models';
import { createSession } from '../../lib/runtime';
import { needsShared, sharedPath } from '../helpers/shared';
import { tmpDir } from '../helpers/models';

t.test('key set and shapes equal the original YOLOX-nano checkpoint', needsShared('golden/yolox'), async (t) => {
  const golden = ((await readTorchCheckpoint(path.join(sharedPath('golden/yolox')!, 'yolox_nano_416_roi_torch.pth'))) as Map<string, unknown>).get('model') as Map<string, TorchTensor>;
  const ours = new Map(yoloxStateDictShapes(YOLOX_NANO_RSNA));
  t.equal(ours.size, golden.size);
  t.same([...ours.keys()].sort(), [...golden.keys()].sort());
  t.same([...golden].filter(([k, v]) => JSON.stringify(ours.get(k)) !== JSON.stringify(v.shape)).map(([k]) => k), [], 'same shapes');
});

t.test('an untrained detector converts and finds nothing', async (t) => {
  const dir = tmpDir('randyolox');
  const ckpt = path.join(dir, 'yolox_untrained.pth');
  await makeRandomYoloxCheckpoint(ckpt, { seed: 3 });
  const res = await convertYolox(ckpt, path.join(dir, 'y.onnx'));
  t.same([res.config.width, res.config.depthwise, res.config.numClasses], [0.25, true, 1]);
  const s = await createSession(res.outFile);
  const out = (await s.run({ images: { data: new Float32Array(3 * 416 * 416).fill(114), dims: [1, 3, 416, 416] } })).output;
  await s.dispose();
  t.same(out.dims, [1, 3549, 6]);
  let maxScore = 0;
  for (let a = 0; a < 3549; a++) maxScore = Math.max(maxScore, out.data[a * 6 + 4] * out.data[a * 6 + 5]);
  t.ok(Math.abs(maxScore - 1e-4) < 1e-7, `max obj·cls = ${maxScore.toExponential(3)}`);
});
