/**
 * The native YOLOX trainer against the original's goldens (../shared/golden/train/yolox, made by
 * YOLOX 0.3.0 on PyTorch 1.13.1 CPU float32): loss terms, num_fg, SimOTA (candidates, dynamic k,
 * foreground anchors, matched GTs, IoUs, costs), gradients, the state after one SGD step, the
 * optimizer groups, the state_dict layout and the yoloxwarmcos table. Tolerances are the golden
 * README's (about 10x the float32-vs-float64 noise of the original itself).
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import t from 'tap';
import { readF32, sharedPath } from '../helpers/shared';
import { runTrainExecutable, trainExecutableStatus } from '../../lib/train/executable';
import { runYoloxSteps } from '../../lib/train/yoloxSteps';
import { readLayout } from '../../lib/train/convnextWeights';

const G = sharedPath('golden/train/yolox');
const exe = trainExecutableStatus();
const skip = !G ? '../shared/golden/train/yolox is absent (user clone): skipped' : !exe.built ? `${exe.reason}: skipped` : false;

interface Entry { key: string; offset: number; numel: number; shape: number[] }
const golden = G ? JSON.parse(fs.readFileSync(path.join(G, 'train_yolox.json'), 'utf8')) : null;

function perTensor(a: Float32Array, b: Float32Array, entries: Entry[]): { key: string; maxAbs: number; gMax: number; fro: number; gFro: number; zeroBroken: boolean }[] {
  return entries.map((e) => {
    let maxAbs = 0, gMax = 0, fro = 0, gFro = 0, zeroBroken = false;
    for (let i = e.offset; i < e.offset + e.numel; i++) {
      const d = Math.abs(a[i] - b[i]);
      maxAbs = Math.max(maxAbs, d);
      gMax = Math.max(gMax, Math.abs(b[i]));
      fro += d * d;
      gFro += b[i] * b[i];
      if (b[i] === 0 && a[i] !== 0 && gMax === 0) zeroBroken = true;
    }
    return { key: e.key, maxAbs, gMax, fro: Math.sqrt(fro), gFro: Math.sqrt(gFro), zeroBroken };
  });
}

async function steps(useL1: boolean): Promise<string> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), `yolox-steps-${useL1 ? 'l1' : 'plain'}-`));
  await runYoloxSteps({
    init: path.join(G!, 'init_ckpt.pth'), images: path.join(G!, 'images_u8.bin'), shape: [2, 3, 416, 416],
    targets: path.join(G!, 'targets.bin'), lr: golden.optimizer.lr_used_for_step1, steps: 1, useL1, out,
  });
  return out;
}

t.test('steps-yolox, use_l1 False: losses, SimOTA, gradients, state after the step', { skip }, async (t) => {
  const out = await steps(false);
  t.teardown(() => fs.rmSync(out, { recursive: true, force: true }));
  const losses = JSON.parse(fs.readFileSync(path.join(out, 'losses.json'), 'utf8'));
  const gl = golden.loss.use_l1_false;
  for (const k of ['total_loss', 'iou_loss', 'conf_loss', 'cls_loss']) {
    const tol = 2e-4 * Math.abs(gl[k]) + 1e-5;
    t.ok(Math.abs(losses[k] - gl[k]) <= tol, `${k} ${losses[k]} vs ${gl[k]} (|diff| ${Math.abs(losses[k] - gl[k]).toExponential(2)} <= ${tol.toExponential(2)})`);
  }
  t.equal(losses.l1_loss, 0, 'l1_loss is 0 when disabled');
  t.ok(Math.abs(losses.num_fg - gl.num_fg) < 1e-12, `num_fg ${losses.num_fg} = ${gl.num_fg}`);

  // decoded head outputs (what get_losses receives); noise of the original itself: README "Numerical noise"
  {
    const a = readF32(path.join(out, 'train_outputs_step1.bin'));
    const b = readF32(path.join(G!, 'train_outputs.bin'));
    t.equal(a.length, b.length, 'train outputs [2, 3549, 6]');
    let xy = 0, wh = 0, logit = 0;
    for (let i = 0; i < b.length; i++) {
      const c = i % 6, d = Math.abs(a[i] - b[i]);
      if (c < 2) xy = Math.max(xy, d);
      else if (c < 4) wh = Math.max(wh, d / Math.abs(b[i]));
      else logit = Math.max(logit, d);
    }
    t.ok(xy <= 0.25, `decoded cx, cy max |diff| ${xy.toExponential(2)} px <= 0.25`);
    t.ok(wh <= 7e-3, `decoded w, h max relative diff ${wh.toExponential(2)} <= 7e-3`);
    t.ok(logit <= 6e-3, `obj/cls logits max |diff| ${logit.toExponential(2)} <= 6e-3`);
  }

  // SimOTA per image
  const sim = JSON.parse(fs.readFileSync(path.join(out, 'simota.json'), 'utf8'));
  for (const g of golden.simota.per_image) {
    const s = sim.per_image[g.image];
    t.same(s.candidate_anchor_indices, g.candidate_anchor_indices, `image ${g.image}: ${g.n_candidates} candidate anchors equal`);
    t.same(s.dynamic_k_per_gt, g.dynamic_k_per_gt, `image ${g.image}: dynamic k ${g.dynamic_k_per_gt}`);
    t.same(s.fg_anchor_indices, g.fg_anchor_indices, `image ${g.image}: foreground anchors ${g.fg_anchor_indices}`);
    t.same(s.matched_gt_inds, g.matched_gt_inds, `image ${g.image}: matched GTs (conflicts resolved by min cost)`);
    const dIou = Math.max(...s.pred_ious_this_matching.map((v: number, i: number) => Math.abs(v - g.pred_ious_this_matching[i])));
    t.ok(dIou <= 1e-3, `image ${g.image}: pred_ious max |diff| ${dIou.toExponential(2)} <= 1e-3`);
    for (const kind of ['cost', 'ious']) {
      const a = readF32(path.join(out, `simota_img${g.image}_${kind}.bin`));
      const b = readF32(path.join(G!, `simota_img${g.image}_${kind}.bin`));
      t.equal(a.length, b.length, `image ${g.image}: ${kind} matrix size`);
      let worst = 0;
      for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (Math.abs(b[i]) + 1e-3));
      t.ok(worst <= 1e-3, `image ${g.image}: ${kind} max relative diff ${worst.toExponential(2)} <= 1e-3`);
    }
  }

  // gradients
  const pl: Entry[] = JSON.parse(fs.readFileSync(path.join(G!, 'param_layout.json'), 'utf8')).entries;
  const gr = perTensor(readF32(path.join(out, 'grads_step1.bin')), readF32(path.join(G!, 'grads.bin')), pl);
  const worstFro = gr.reduce((w, r) => (r.gFro > 0 && r.fro / r.gFro > w.v ? { v: r.fro / r.gFro, k: r.key } : w), { v: 0, k: '' });
  const worstMax = gr.reduce((w, r) => (r.gMax > 0 && r.maxAbs / r.gMax > w.v ? { v: r.maxAbs / r.gMax, k: r.key } : w), { v: 0, k: '' });
  t.ok(worstFro.v <= 1e-2, `gradients: worst ||a-b||/||golden|| ${worstFro.v.toExponential(2)} (${worstFro.k}) <= 1e-2`);
  t.ok(worstMax.v <= 1.5e-2, `gradients: worst max|a-b|/max|golden| ${worstMax.v.toExponential(2)} (${worstMax.k}) <= 1.5e-2`);
  const zeroTensors = gr.filter((r) => r.gMax === 0);
  t.ok(zeroTensors.length > 0 && zeroTensors.every((r) => r.maxAbs === 0), `${zeroTensors.length} exactly-zero gradient tensors stay exactly zero`);

  // state after the step (layout = golden state_layout.json, order and shapes)
  const sl: Entry[] = JSON.parse(fs.readFileSync(path.join(G!, 'state_layout.json'), 'utf8')).entries;
  const ours = readLayout(path.join(out, 'state_layout.txt'));
  t.same(ours.map((e) => [e.key, e.shape]), sl.map((e) => [e.key, e.shape]), `state_dict floating entries: ${sl.length} keys, same order and shapes`);
  const st = perTensor(readF32(path.join(out, 'state_after_step1.bin')), readF32(path.join(G!, 'state_after_step1.bin')), sl);
  const running = st.filter((r) => /running_(mean|var)$/.test(r.key));
  const params = st.filter((r) => !/running_(mean|var)$/.test(r.key));
  const pMax = Math.max(...params.map((r) => r.maxAbs));
  const rWorst = Math.max(...running.map((r) => r.maxAbs / r.gMax));
  t.ok(pMax <= 5e-5, `parameters after the step: max |diff| ${pMax.toExponential(2)} <= 5e-5`);
  t.ok(rWorst <= 3e-4, `BN running stats: worst max|diff|/max|golden| ${rWorst.toExponential(2)} <= 3e-4`);

  // optimizer groups
  const groups = JSON.parse(fs.readFileSync(path.join(out, 'param_groups.json'), 'utf8'));
  t.same(groups, golden.optimizer.param_groups.map((g: { params: string[] }) => g.params), 'param groups (BN weights / decayed weights / biases) equal, in order');
});

t.test('steps-yolox, use_l1 True: L1 term and gradient statistics', { skip }, async (t) => {
  const out = await steps(true);
  t.teardown(() => fs.rmSync(out, { recursive: true, force: true }));
  const losses = JSON.parse(fs.readFileSync(path.join(out, 'losses.json'), 'utf8'));
  const gl = golden.loss.use_l1_true;
  for (const k of ['total_loss', 'iou_loss', 'conf_loss', 'cls_loss', 'l1_loss']) {
    const tol = 2e-4 * Math.abs(gl[k]) + 1e-5;
    t.ok(Math.abs(losses[k] - gl[k]) <= tol, `${k} ${losses[k]} vs ${gl[k]} (|diff| ${Math.abs(losses[k] - gl[k]).toExponential(2)})`);
  }
  const sim = JSON.parse(fs.readFileSync(path.join(out, 'simota.json'), 'utf8'));
  t.same(sim.per_image.map((s: { fg_anchor_indices: number[] }) => s.fg_anchor_indices),
    golden.simota.per_image.map((g: { fg_anchor_indices: number[] }) => g.fg_anchor_indices), 'same assignment with use_l1');
  const pl: Entry[] = JSON.parse(fs.readFileSync(path.join(G!, 'param_layout.json'), 'utf8')).entries;
  const g = readF32(path.join(out, 'grads_step1.bin'));
  let worst = 0, worstKey = '';
  for (const e of pl) {
    const ref = golden.grads_use_l1_true.stats[e.key];
    let l2 = 0, maxabs = 0;
    for (let i = e.offset; i < e.offset + e.numel; i++) { l2 += g[i] * g[i]; maxabs = Math.max(maxabs, Math.abs(g[i])); }
    l2 = Math.sqrt(l2);
    if (ref.l2 === 0) { t.equal(l2, 0, `${e.key}: zero gradient`); continue; }
    const r = Math.max(Math.abs(l2 - ref.l2) / ref.l2, Math.abs(maxabs - ref.maxabs) / ref.maxabs);
    if (r > worst) { worst = r; worstKey = e.key; }
  }
  t.ok(worst <= 1.5e-2, `per-tensor gradient L2 and max|g| within ${worst.toExponential(2)} (${worstKey}) <= 1.5e-2 of the golden`);
});

t.test('lr-yolox: the yoloxwarmcos tables equal the original LRScheduler', { skip }, async (t) => {
  for (const name of ['toy', 'real']) {
    const ref = golden.lr_schedule[name];
    const c = ref.config;
    const base = c.base_lr;
    const ev = await runTrainExecutable('lr-yolox', [
      '--lr', String(base), '--warmup-lr', String(c.warmup_lr), '--min-lr-ratio', String(c.min_lr_ratio),
      '--iters-per-epoch', String(c.iters_per_epoch), '--max-epoch', String(c.max_epoch),
      '--warmup-epochs', String(c.warmup_epochs), '--no-aug-epochs', String(c.no_aug_epochs),
    ]);
    const lr = ev.find((e) => e.event === 'lr') as unknown as { update_lr: number[]; lr_used_during_iteration: number[] };
    if (ref.update_lr) {
      const want = ref.update_lr.map((u: { lr: number }) => u.lr);
      t.same(lr.update_lr.slice(0, want.length), want, `${name}: update_lr(i) for i = 0..${want.length - 1} exact`);
    }
    t.same(lr.lr_used_during_iteration, ref.lr_used_during_iteration, `${name}: lr used during each of ${ref.lr_used_during_iteration.length} iterations exact`);
  }
});
