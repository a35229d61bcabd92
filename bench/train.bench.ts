/**
 * Training throughput, side by side: the native trainer (`train steps classifier`) vs PyTorch
 * (scripts/bench/convnext_train_peer.py, Debian python3-torch) on the same ConvNeXt weights, batch
 * and recipe (drop 0), same thread count. img/s from the steady-state steps (step 1 = warm-up, left
 * out); the losses of both sides are compared as a same-work check. Writes bench/results/train-convnext-<time>.json.
 *
 *   npx ts-node --transpile-only bench/train.bench.ts [--depths 2,2,6,2] [--dims 32,64,128,256] [--batch 8]
 *       [--size 512,256] [--steps 6] [--threads N]
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { spawnSync } from 'child_process';
import { parseArgs } from 'util';
import { makeRandomConvnextCheckpoint } from '../lib/models';
import { runClassifierSteps } from '../lib/train/classifierSteps';

const list = (s: string) => s.split(',').map(Number);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    depths: { type: 'string', default: '2,2,6,2' }, dims: { type: 'string', default: '32,64,128,256' },
    batch: { type: 'string', default: '8' }, size: { type: 'string', default: '512,256' },
    steps: { type: 'string', default: '6' }, threads: { type: 'string', default: String(os.cpus().length) },
  } });
  const [depths, dims, [h, w]] = [list(values.depths!), list(values.dims!), list(values.size!)];
  const batch = Number(values.batch);
  const steps = Number(values.steps);
  const threads = Number(values.threads);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-train-bench-'));
  const ckpt = path.join(dir, 'init.pth.tar');
  await makeRandomConvnextCheckpoint(ckpt, { depths, dims, seed: 11, globalPool: 'max' });
  const input = path.join(dir, 'x.bin');
  const x = Buffer.alloc(batch * 3 * h * w);
  for (let i = 0; i < x.length; i++) x[i] = (i * 2654435761) >>> 24;
  fs.writeFileSync(input, x);
  const targets = Array.from({ length: batch }, (_, i) => (i % 4 === 0 ? 1 : 0));
  const lr = 1e-3;

  const stamps: number[] = [];
  const ours = await runClassifierSteps({
    init: ckpt, input, shape: [batch, 3, h, w], targets, smoothing: 0.1, lr, steps, threads, out: path.join(dir, 'ours'),
    onEvent: (e) => { if (e.event === 'step') stamps.push(performance.now()); },
  });
  const oursS = (stamps[stamps.length - 1] - stamps[0]) / 1000 / (steps - 1);

  const peer = path.join(__dirname, '..', 'scripts', 'bench', 'convnext_train_peer.py');
  const r = spawnSync('/usr/bin/python3', [peer, ckpt, input, [batch, 3, h, w].join(','), targets.join(','), '0.1', String(lr), String(steps), String(threads)], { encoding: 'utf8' });
  let torchS: number | null = null;
  let lossDiff: number | null = null;
  let torchVersion: string | null = null;
  if (r.status === 0) {
    const p = JSON.parse(r.stdout.trim().split('\n').pop()!) as { step_seconds: number[]; losses: number[]; torch: string };
    torchS = p.step_seconds.slice(1).reduce((a, b) => a + b, 0) / (steps - 1);
    lossDiff = Math.max(...p.losses.map((l, i) => Math.abs(l - ours.losses[i])));
    torchVersion = p.torch;
  } else {
    console.error(`PyTorch peer unavailable: ${r.stderr.trim().split('\n').pop()}`);
  }
  const result = {
    date: new Date().toISOString(), cpus: os.cpus().length, threads, model: { depths, dims }, batch, size: [h, w], steps,
    rsna_mammo: { seconds_per_step: oursS, img_per_s: batch / oursS },
    pytorch: torchS === null ? null : { version: torchVersion, seconds_per_step: torchS, img_per_s: batch / torchS },
    ratio_pytorch_over_ours: torchS === null ? null : torchS / oursS,
    losses_max_abs_diff: lossDiff,
  };
  const out = path.join(__dirname, 'results', `train-convnext-${result.date.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result));
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
