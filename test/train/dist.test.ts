/**
 * Data parallelism over c10d (native/train/common/distributed.h, lib/train/distLaunch.ts) on CPU/Gloo:
 * 3 ConvNeXt steps on the golden batch (../shared/golden/train/convnext: 4 images, tiny ConvNeXt) split
 * across 2 local ranks, and across 2 "machines" (two launches on 127.0.0.1 with --nnodes 2 and node ranks
 * 0/1), against the single-process run with the same global batch AND against the original's parameters.
 * The only expected difference is float32 summation order (per-rank partial sums of the batch gradient).
 */
import t from 'tap';
import fs from 'fs';
import path from 'path';
import { runClassifierSteps, ClassifierStepsOptions } from '../../lib/train/classifierSteps';
import { distFromCli, freePort, rankEnv } from '../../lib/train/distLaunch';
import { needsShared, readF32, sharedPath } from '../helpers/shared';
import { tmpDir } from '../helpers/models';
import { needsTrainer } from '../helpers/train';

const REL = 'golden/train/convnext';
const skip = needsShared(`${REL}/train_convnext.json`).skip || needsTrainer().skip;
const G = (f: string) => path.join(sharedPath(REL) ?? '', f);

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

t.test('launcher options and torchrun environment', async (t) => {
  t.equal(distFromCli({}), null, 'no launcher flag: one plain process');
  t.same(distFromCli({ nproc: '2' }), { nproc: 2, nnodes: 1, nodeRank: 0, masterAddr: '127.0.0.1', masterPort: undefined });
  t.throws(() => distFromCli({ nnodes: '2', 'node-rank': '1' }), { code: 'ERR_INVALID_ARGUMENT' }, 'several machines need an explicit master');
  t.throws(() => distFromCli({ nproc: '0' }), { code: 'ERR_INVALID_ARGUMENT' });
  t.throws(() => distFromCli({ nnodes: '2', 'node-rank': '2', 'master-addr': 'h', 'master-port': '1234' }), { code: 'ERR_INVALID_ARGUMENT' });
  const env = rankEnv({ nproc: 4, nnodes: 3, nodeRank: 2, masterAddr: 'h0', masterPort: 29555 }, 29555, 1, {});
  t.same(env, { RANK: '9', WORLD_SIZE: '12', LOCAL_RANK: '1', LOCAL_WORLD_SIZE: '4', GROUP_RANK: '2', MASTER_ADDR: 'h0', MASTER_PORT: '29555' },
    'global rank = node_rank * nproc + local_rank (torchrun)');
});

t.test('2 ranks (Gloo) and 2 machines train the same parameters as 1 process', { skip }, async (t) => {
  const golden = JSON.parse(fs.readFileSync(G('train_convnext.json'), 'utf8'));
  const dir = tmpDir('dist');
  const base = (out: string): ClassifierStepsOptions => ({
    init: G('init.pth.tar'), input: G('input_u8.bin'), shape: golden.input.shape, targets: golden.input.targets,
    smoothing: golden.loss.smoothing, lr: golden.optimizer.param_groups[0].lr, steps: 3, emaDecays: golden.ema.decays,
    threads: 1, out: path.join(dir, out),
  });
  const single = await runClassifierSteps(base('single'));
  const ranks = await runClassifierSteps({ ...base('ranks'), dist: { nproc: 2, nnodes: 1, nodeRank: 0, masterAddr: '127.0.0.1' } });
  const port = await freePort();
  const [node0, node1] = await Promise.all([0, 1].map((nodeRank) =>
    runClassifierSteps({ ...base(`node${nodeRank}`), dist: { nproc: 1, nnodes: 2, nodeRank, masterAddr: '127.0.0.1', masterPort: port } })));
  t.equal(node1.checkpoint, '', 'node 1 writes no checkpoint');
  t.notOk(fs.existsSync(path.join(dir, 'node1', 'params_after_step3.bin')), 'node 1 writes no outputs');
  t.ok(fs.existsSync(node0.checkpoint) && fs.existsSync(ranks.checkpoint), 'node 0 / rank 0 wrote the checkpoints');

  for (const [name, run] of [['2 local ranks', ranks], ['2 machines', node0]] as const) {
    const read = (r: typeof single, f: string) => readF32(path.join(r.outDir, f));
    run.losses.forEach((l, i) => {
      const d = Math.abs(l - single.losses[i]);
      t.ok(d <= 1e-6, `${name}: loss of step ${i + 1} ${l} vs one process ${single.losses[i]}: |diff| ${d.toExponential(2)}`);
      t.ok(Math.abs(l - golden.steps[i].loss) <= 1e-5, `${name}: loss of step ${i + 1} vs the original ${golden.steps[i].loss}`);
    });
    const dl = maxAbsDiff(run.logits.flat(), single.logits.flat());
    t.ok(run.logits.flat().length === single.logits.flat().length && dl <= 1e-5, `${name}: logits of all ${single.logits.flat().length} rows gathered in order, max |diff| ${dl.toExponential(2)}`);
    const g = read(run, 'grads_step1.bin');
    const gs = read(single, 'grads_step1.bin');
    const gmax = maxAbsDiff(gs, new Float32Array(gs.length));
    const dg = maxAbsDiff(g, gs);
    t.ok(dg <= 1e-5 * gmax, `${name}: global-batch gradient of step 1 max |diff| ${dg.toExponential(2)} (max |grad| ${gmax.toFixed(3)})`);
    for (const k of [1, 2, 3]) {
      const p = read(run, `params_after_step${k}.bin`);
      const d = maxAbsDiff(p, read(single, `params_after_step${k}.bin`));
      const dgold = maxAbsDiff(p, readF32(G(`params_after_step${k}.bin`)));
      t.ok(d <= 1e-6, `${name}: params after step ${k} vs one process max |diff| ${d.toExponential(2)} (float32 noise)`);
      t.ok(dgold <= 2e-6, `${name}: params after step ${k} vs the original max |diff| ${dgold.toExponential(2)}`);
    }
    const de = maxAbsDiff(read(run, 'ema_1.bin'), read(single, 'ema_1.bin'));
    t.ok(de <= 1e-6, `${name}: EMA (decay ${golden.ema.decays[1]}) max |diff| ${de.toExponential(2)}`);
  }
});

t.test('a failing rank fails the launch with its code, siblings stopped', { skip }, async (t) => {
  const golden = JSON.parse(fs.readFileSync(G('train_convnext.json'), 'utf8'));
  const dir = tmpDir('distfail');
  const missing = path.join(dir, 'missing.bin');
  const err = await runClassifierSteps({
    init: G('init.pth.tar'), input: missing, shape: golden.input.shape, targets: golden.input.targets,
    smoothing: 0, lr: 0.001, steps: 1, threads: 1, out: path.join(dir, 'o'),
    dist: { nproc: 2, nnodes: 1, nodeRank: 0, masterAddr: '127.0.0.1' },
  }).then(() => null, (e: any) => e);
  t.ok(err, 'the launch rejects');
  t.match(String(err?.code), /^ERR_/, `typed error ${err?.code}`);
  t.match(String(err?.message), /missing\.bin/, `names the file: ${err?.message}`);
});
