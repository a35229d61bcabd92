/**
 * The native ConvNeXt trainer against the ORIGINAL's training-step goldens
 * (../shared/golden/train/convnext, made by timm/train_exp.py code on PyTorch 1.13 CPU float32):
 * losses and logits of 3 steps, gradients of step 1, parameters after steps 1–3, SGD momentum buffers,
 * EMAs with decays 0.9998 and 0.9, the drop case (recorded masks injected; loss 1.5066516399), the
 * CheckpointSaver checkpoint (tensors vs the golden's, torch.load where python3-torch exists) and
 * `convert classifier` of a trainer checkpoint (ONNX logits vs the trainer's forward).
 * Tolerances are the golden README's (~10x the float32-vs-float64 noise).
 */
import t from 'tap';
import fs from 'fs';
import path from 'path';
import { spawnSync } from 'child_process';
import { runClassifierSteps, ClassifierStepsResult } from '../../lib/train/classifierSteps';
import { convnextShapeOf, readClassifierStateDict, writeNamedFlat } from '../../lib/train/convnextWeights';
import { runTrainExecutable } from '../../lib/train/executable';
import { readTorchCheckpoint } from '../../lib/models/torch/checkpoint_reader';
import { TorchTensor } from '../../lib/models/torch/pickle_values';
import { convertClassifier } from '../../lib/models';
import { createSession } from '../../lib/runtime';
import { needsShared, readF32, sharedPath } from '../helpers/shared';
import { needsPythonTorch, pythonTorch, tmpDir } from '../helpers/models';
import { needsTrainer } from '../helpers/train';

const REL = 'golden/train/convnext';
const skip = needsShared(`${REL}/train_convnext.json`).skip || needsTrainer().skip;
const G = (f: string) => path.join(sharedPath(REL) ?? '', f);

interface Entry { key: string; offset: number; numel: number; shape: number[] }

function layout(): Entry[] {
  return JSON.parse(fs.readFileSync(G('param_layout.json'), 'utf8')).entries;
}

/** Per-tensor max |a-b| and max |golden|. */
function perTensor(a: Float32Array, b: Float32Array, entries: Entry[]): { key: string; diff: number; max: number }[] {
  return entries.map((e) => {
    let diff = 0;
    let max = 0;
    for (let i = e.offset; i < e.offset + e.numel; i++) {
      diff = Math.max(diff, Math.abs(a[i] - b[i]));
      max = Math.max(max, Math.abs(b[i]));
    }
    return { key: e.key, diff, max };
  });
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

t.test('ConvNeXt training steps vs the original', { skip }, async (t) => {
  const golden = JSON.parse(fs.readFileSync(G('train_convnext.json'), 'utf8'));
  const entries = layout();
  const dir = tmpDir('trainsteps');
  const main: ClassifierStepsResult = await runClassifierSteps({
    init: G('init.pth.tar'), input: G('input_u8.bin'), shape: golden.input.shape, targets: golden.input.targets,
    smoothing: golden.loss.smoothing, lr: golden.optimizer.param_groups[0].lr, steps: 3,
    emaDecays: golden.ema.decays, threads: 2, epoch: 4, initialLr: golden.optimizer.param_groups[0].initial_lr,
    out: path.join(dir, 'main'),
  });
  const out = (f: string) => readF32(path.join(main.outDir, f));

  t.test('loss and logits of each step', async (t) => {
    golden.steps.forEach((s: { loss: number; logits: number[] }, i: number) => {
      const d = Math.abs(main.losses[i] - s.loss);
      t.ok(d <= 1e-5, `step ${i + 1}: loss ${main.losses[i]} vs ${s.loss}, |diff| ${d.toExponential(2)} <= 1e-5`);
      const dl = maxAbsDiff(main.logits[i], s.logits);
      t.ok(dl <= 5e-5, `step ${i + 1}: logits max |diff| ${dl.toExponential(2)} <= 5e-5`);
    });
  });

  t.test('gradients of step 1 and momentum after step 3 (per tensor <= 1e-4·max|golden| + 1e-8)', async (t) => {
    for (const [ours, gold] of [['grads_step1.bin', 'grads_step1.bin'], ['momentum.bin', 'momentum_after_step3.bin']]) {
      const rows = perTensor(out(ours), readF32(G(gold)), entries);
      const bad = rows.filter((r) => r.diff > 1e-4 * r.max + 1e-8);
      const worst = Math.max(...rows.map((r) => r.diff / (r.max || 1)));
      t.same(bad.map((r) => r.key), [], `${ours}: all ${rows.length} tensors within tolerance; worst relative ${worst.toExponential(2)}, max |diff| ${Math.max(...rows.map((r) => r.diff)).toExponential(2)}`);
    }
  });

  t.test('parameters after steps 1-3 and EMAs (|diff| <= 2e-6), updates within 5e-3·max|update|', async (t) => {
    const p0 = readF32(G('init_params.bin'));
    for (const k of [1, 2, 3]) {
      const ours = out(`params_after_step${k}.bin`);
      const gold = readF32(G(`params_after_step${k}.bin`));
      const d = maxAbsDiff(ours, gold);
      t.ok(d <= 2e-6, `params after step ${k}: max |diff| ${d.toExponential(2)}`);
      const bad = entries.filter((e) => {
        let diff = 0;
        let max = 0;
        for (let i = e.offset; i < e.offset + e.numel; i++) {
          diff = Math.max(diff, Math.abs((ours[i] - p0[i]) - (gold[i] - p0[i])));
          max = Math.max(max, Math.abs(gold[i] - p0[i]));
        }
        return diff > 5e-3 * max + 1e-9;
      });
      t.same(bad.map((e) => e.key), [], `step ${k}: every tensor's update p_k - p_0 within 5e-3 of its largest`);
    }
    golden.ema.decays.forEach((decay: number, i: number) => {
      const d = maxAbsDiff(out(`ema_${i}.bin`), readF32(G(`ema${decay}_after_step3.bin`)));
      t.ok(d <= 2e-6, `EMA decay ${decay} after step 3: max |diff| ${d.toExponential(2)}`);
    });
  });

  t.test('checkpoint equals the golden CheckpointSaver checkpoint', async (t) => {
    const ours = (await readTorchCheckpoint(main.checkpoint)) as Map<string, unknown>;
    const gold = (await readTorchCheckpoint(G('checkpoint_after_step3.pth.tar'))) as Map<string, unknown>;
    t.same([...ours.keys()], [...gold.keys()], 'same top-level keys in the same order');
    t.equal(ours.get('epoch'), gold.get('epoch'));
    let worst = 0;
    for (const key of ['state_dict', 'state_dict_ema']) {
      const a = ours.get(key) as Map<string, TorchTensor>;
      const b = gold.get(key) as Map<string, TorchTensor>;
      t.same([...a.keys()], [...b.keys()], `${key}: same names, same order`);
      for (const [k, v] of b) {
        t.same(a.get(k)!.shape, v.shape);
        worst = Math.max(worst, maxAbsDiff(a.get(k)!.data as Float32Array, v.data as Float32Array));
      }
    }
    t.ok(worst <= 2e-6, `state_dict / state_dict_ema max |diff| ${worst.toExponential(2)}`);
    const oo = ours.get('optimizer') as Map<string, any>;
    const go = gold.get('optimizer') as Map<string, any>;
    const strip = (g: Map<string, unknown>) => Object.fromEntries([...g.entries()].filter(([k]) => k !== 'lr' && k !== 'initial_lr'));
    t.same(oo.get('param_groups').map(strip), go.get('param_groups').map(strip), 'param_groups: weight decay split, indices and flags as the original');
    t.same([...oo.get('state').keys()], [...go.get('state').keys()], 'momentum state for every parameter index');
    let mom = 0;
    let rel = 0;
    for (const [i, s] of go.get('state')) {
      const g = s.get('momentum_buffer').data as Float32Array;
      const d = maxAbsDiff(oo.get('state').get(i).get('momentum_buffer').data, g);
      mom = Math.max(mom, d);
      rel = Math.max(rel, d / Math.max(...Array.from(g, Math.abs)));
    }
    t.ok(rel <= 1e-4, `momentum buffers by state index: max |diff| ${mom.toExponential(2)}, relative ${rel.toExponential(2)}`);
  });

  t.test('torch.load reads the checkpoint', needsPythonTorch(), async (t) => {
    const script = [
      'import sys, torch',
      'c = torch.load(sys.argv[1], map_location="cpu"); g = torch.load(sys.argv[2], map_location="cpu")',
      'd = max((c[k][n] - g[k][n]).abs().max().item() for k in ("state_dict", "state_dict_ema") for n in g[k])',
      'm = max((c["optimizer"]["state"][i]["momentum_buffer"] - g["optimizer"]["state"][i]["momentum_buffer"]).abs().max().item() for i in g["optimizer"]["state"])',
      'print(sorted(c.keys()) == sorted(g.keys()), c["epoch"], c["args"].gp, d, m)',
    ].join('\n');
    const r = spawnSync(pythonTorch()!, ['-c', script, main.checkpoint, G('checkpoint_after_step3.pth.tar')], { encoding: 'utf8' });
    t.equal(r.status, 0, r.stderr);
    const [same, epoch, gp, d, m] = r.stdout.trim().split(' ');
    t.same([same, epoch, gp], ['True', '4', 'max'], 'keys, epoch and args.gp as torch sees them');
    t.ok(Number(d) <= 2e-6 && Number(m) <= 1e-4, `torch: weights max |diff| ${d}, momentum ${m}`);
  });

  t.test('drop case: recorded masks injected (loss 1.5066516399, drop_grads.bin)', async (t) => {
    const masks = path.join(dir, 'masks.json');
    fs.writeFileSync(masks, JSON.stringify(golden.drop_case.rng_events_in_call_order));
    const r = await runClassifierSteps({
      init: G('init.pth.tar'), input: G('input_u8.bin'), shape: golden.input.shape, targets: golden.input.targets,
      smoothing: golden.loss.smoothing, lr: golden.optimizer.param_groups[0].lr, steps: 1, drop: 0.5, dropPath: 0.2,
      masks, threads: 2, out: path.join(dir, 'drop'),
    });
    const d = Math.abs(r.losses[0] - golden.drop_case.loss);
    t.ok(d <= 1e-5, `loss ${r.losses[0]} vs ${golden.drop_case.loss}: |diff| ${d.toExponential(2)}`);
    const total = golden.drop_case.rng_events_in_call_order.reduce((a: number, e: { rng_shape: number[] }) => a + e.rng_shape.reduce((x, y) => x * y, 1), 0);
    const used = JSON.parse(fs.readFileSync(path.join(r.outDir, 'losses.json'), 'utf8')).masks_consumed;
    t.equal(used, total, `all ${total} recorded mask values consumed in call order`);
    const rows = perTensor(readF32(path.join(r.outDir, 'grads_step1.bin')), readF32(G('drop_grads.bin')), entries);
    const bad = rows.filter((x) => x.diff > 1e-4 * x.max + 1e-8);
    t.same(bad.map((x) => x.key), [], `drop grads: all tensors within 1e-4·max; max |diff| ${Math.max(...rows.map((x) => x.diff)).toExponential(2)}`);
  });

  t.test('bench mode (--dumps none, tools/bench/train.bench.ts): the same losses, no parity dumps', async (t) => {
    const sd = await readClassifierStateDict(G('init.pth.tar'));
    const shape = convnextShapeOf(sd, G('init.pth.tar'));
    const [flat, lay, out] = ['init.bin', 'init_layout.txt', 'nodumps'].map((f) => path.join(dir, f));
    writeNamedFlat(sd, flat, lay);
    const events = await runTrainExecutable('steps-classifier', [
      '--depths', shape.depths.join(','), '--dims', shape.dims.join(','), '--init-params', flat, '--init-layout', lay,
      '--input', G('input_u8.bin'), '--shape', golden.input.shape.join(','), '--targets', golden.input.targets.join(','),
      '--smoothing', String(golden.loss.smoothing), '--lr', String(golden.optimizer.param_groups[0].lr), '--steps', '3',
      '--threads', '2', '--dumps', 'none', '--out', out,
    ]);
    const steps = events.filter((e) => e.event === 'step');
    t.same(steps.map((e) => e.loss), main.losses, 'losses equal those of the dumping run (same binary, same threads)');
    t.ok(steps.every((e) => typeof e.seconds === 'number' && e.seconds > 0), 'every step event carries its seconds');
    t.same(fs.readdirSync(out), ['losses.json'], 'only losses.json written');
  });

  t.test('convert classifier of a trainer checkpoint: ONNX logits = trainer forward (1e-4)', async (t) => {
    // lr 0 keeps the weights exactly, so the checkpoint's state_dict is the network whose forward gave logits[0].
    const r = await runClassifierSteps({
      init: main.checkpoint, input: G('input_u8.bin'), shape: golden.input.shape, targets: golden.input.targets,
      smoothing: 0.1, lr: 0, steps: 1, threads: 2, out: path.join(dir, 'fwd'),
    });
    const res = await convertClassifier([r.checkpoint], path.join(dir, 'trainer.onnx'), { ema: false });
    t.equal(res.config.globalPool, 'max', 'args.gp read back from the trainer checkpoint');
    const u8 = fs.readFileSync(G('input_u8.bin'));
    const [n, c, h, w] = golden.input.shape;
    const mean = [0.485 * 255, 0.456 * 255, 0.406 * 255].map(Math.fround);
    const std = [0.229 * 255, 0.224 * 255, 0.225 * 255].map(Math.fround);
    const x = new Float32Array(u8.length);
    for (let i = 0; i < u8.length; i++) {
      const ch = Math.floor(i / (h * w)) % c;
      x[i] = Math.fround(Math.fround(u8[i] - mean[ch]) / std[ch]);
    }
    const s = await createSession(res.outFile);
    const logits = (await s.run({ input: { data: x, dims: [n, c, h, w] } })).logits;
    await s.dispose();
    const d = maxAbsDiff(logits.data, r.logits[0]);
    t.ok(d <= 1e-4, `ONNX vs trainer logits max |diff| ${d.toExponential(2)}`);
  });
});
