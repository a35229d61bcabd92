/**
 * Any timm ConvNeXt depths/dims and either pool convert without flags: a random checkpoint made by
 * our writer (3 stages, avg pool) runs in ONNX Runtime and agrees with PyTorch running the same file
 * (tools/peers/convnext_torch_peer.py, itself checked first against the timm golden).
 */
import t from 'tap';
import fs from 'fs';
import path from 'path';
import { spawnSync } from 'child_process';
import { convertClassifier, makeRandomConvnextCheckpoint } from '../../lib/models';
import { createSession } from '../../lib/runtime';
import { repoRoot, readF32, sharedPath } from '../helpers/shared';
import { compare, needsPythonTorch, pythonTorch, tmpDir } from '../helpers/models';

const dir = tmpDir('anycfg');
const peer = path.join(repoRoot, 'tools', 'peers', 'convnext_torch_peer.py');

function torchLogits(ckpt: string, input: string, dims: number[], pool: string): Float32Array {
  const out = path.join(dir, `torch_${path.basename(ckpt)}.bin`);
  const r = spawnSync(pythonTorch()!, [peer, ckpt, input, dims.join(','), '0', '1', pool, out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return readF32(out);
}

t.test('3-stage avg-pool ConvNeXt from a random checkpoint', async (t) => {
  const ckpt = path.join(dir, 'tiny.pth.tar');
  await makeRandomConvnextCheckpoint(ckpt, { depths: [1, 2, 1], dims: [8, 16, 24], seed: 7, globalPool: 'avg' });
  const res = await convertClassifier([ckpt], path.join(dir, 'tiny.onnx'));
  t.same([res.config.depths, res.config.dims, res.config.globalPool], [[1, 2, 1], [8, 16, 24], 'avg'], 'depths, dims and args.gp read from the checkpoint');
  const dims = [2, 3, 64, 96];
  const x = Float32Array.from({ length: 2 * 3 * 64 * 96 }, (_, i) => Math.sin(i * 0.37) * 1.5);
  const input = path.join(dir, 'x.bin');
  fs.writeFileSync(input, Buffer.from(x.buffer));
  const s = await createSession(res.outFile);
  const ours = (await s.run({ input: { data: x, dims } })).logits;
  await s.dispose();
  t.same(ours.dims, [2, 1]);
  t.ok(ours.data.every(Number.isFinite), 'finite logits');
  t.test('agrees with PyTorch on the same file', needsPythonTorch(), async (t) => {
    const golden = sharedPath('golden/convnext');
    if (golden) {
      const peerOnGolden = torchLogits(path.join(golden, 'convnext_golden_a.pth.tar'), path.join(golden, 'case1.input.bin'), [1, 3, 256, 128], 'max');
      t.ok(compare(peerOnGolden, readF32(path.join(golden, 'case1.logits.bin')), 1e-4, 1e-4).ok, 'the PyTorch peer reproduces the timm golden (case 1)');
    }
    const r = compare(ours.data, torchLogits(ckpt, input, dims, 'avg'), 1e-4, 1e-4);
    t.ok(r.ok, `ORT vs PyTorch: max |diff| ${r.maxAbs.toExponential(2)}`);
  });
});
