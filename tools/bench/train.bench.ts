/**
 * Training throughput, side by side and interleaved: the native trainer (`rsna-mammo-train
 * steps-classifier --dumps none --gates`) vs the original recipe in PyTorch (tools/peers/convnext_train_peer.py,
 * Debian python3-torch): same timm-layout ConvNeXt weights, uint8 batch, input size and recipe (BCE with
 * positive smoothing, SGD Nesterov with timm's no-decay groups, EMA; drop 0), same thread count.
 *
 * What is timed is one training step (forward, loss, zero_grad, backward, SGD step, EMA update,
 * loss.item()) on a fixed batch, by each side itself; the parity dumps of `steps-classifier` are off
 * (`--dumps none`). Not the epoch loop: the original's loader (PIL/cv2 decode + albumentations in
 * DataLoader workers) has no peer here, and on a small machine its workers compete with the compute
 * threads, so an epoch-loop ratio would measure the loaders and the scheduler, not the trainer.
 *
 * The two sides run in lockstep (tools/bench/harness/lockstep.ts: both processes pinned to the same
 * CPUs, each stops at a gate before every step, A B A B …): step k of ours runs right before step k of
 * PyTorch, and the ratio reported is the median over the steady-state steps (after `--warmup`) of
 * PyTorch's seconds ÷ ours (above 1: ours faster), with its range, spread and the load average around
 * the row. The losses of both sides are compared step by step as the same-work check.
 * Writes tools/bench/results/train-<time>.{json,md}.
 *
 *   node -r ./tools/ts-register.js tools/bench/train.bench.ts [--depths 2,2,6,2] [--dims 32,64,128,256]
 *       [--batch 8] [--size 512,256] [--steps 12] [--warmup 2] [--threads 1,2] [--timeout-s 1800]
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { spawnSync } from 'child_process';
import { parseArgs } from 'util';
import { makeRandomConvnextCheckpoint } from '../../lib/models';
import { convnextShapeOf, readClassifierStateDict, writeNamedFlat } from '../../lib/train/convnextWeights';
import { trainExecutableStatus } from '../../lib/train/executable';
import { pairStats, median, PairStats } from './harness/compare';
import { hasTaskset, pinned, pinnedCpus, runLockstep, SideCommand } from './harness/lockstep';

const list = (s: string): number[] => s.split(',').map(Number);
const load1 = (): number => Math.round(os.loadavg()[0] * 100) / 100;

interface StepLine {
  event: string;
  step?: number;
  loss?: number;
  seconds?: number;
  torch?: string;
}

interface Row {
  threads: number;
  cpus: string | null;
  load_average: [number, number];
  rsna_mammo: { median_s: number | null; img_per_s: number | null; steps: number };
  pytorch: { median_s: number | null; img_per_s: number | null; steps: number; version: string | null };
  /** PyTorch s ÷ ours s over the steady-state step pairs. */
  ratio: PairStats | null;
  losses_max_abs_diff: number | null;
  same_work: boolean;
  errors: string[];
}

function parseLines(lines: string[]): StepLine[] {
  const out: StepLine[] = [];
  for (const l of lines) {
    try {
      out.push(JSON.parse(l) as StepLine);
    } catch {
      /* not a result line */
    }
  }
  return out;
}

/** Same work: the losses agree to float32 training noise (different reduction orders over a few steps). */
const SAME_WORK_TOL = 1e-3;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    depths: { type: 'string', default: '2,2,6,2' }, dims: { type: 'string', default: '32,64,128,256' },
    batch: { type: 'string', default: '8' }, size: { type: 'string', default: '512,256' },
    steps: { type: 'string', default: '12' }, warmup: { type: 'string', default: '2' },
    threads: { type: 'string', default: '1,2' }, 'timeout-s': { type: 'string', default: '1800' },
  } });
  const [depths, dims, [h, w]] = [list(values.depths!), list(values.dims!), list(values.size!)];
  const batch = Number(values.batch);
  const steps = Number(values.steps);
  const warmup = Number(values.warmup);
  const threadList = list(values.threads!);
  if (!(steps > warmup && warmup >= 1)) throw new Error('--steps must exceed --warmup (>= 1)');
  const exe = trainExecutableStatus();
  if (!exe.built) throw new Error(exe.reason ?? 'the trainer is not built');

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-train-bench-'));
  const ckpt = path.join(dir, 'init.pth.tar');
  await makeRandomConvnextCheckpoint(ckpt, { depths, dims, seed: 11, globalPool: 'max' });
  const sd = await readClassifierStateDict(ckpt);
  const shape = convnextShapeOf(sd, ckpt);
  const flat = path.join(dir, 'init.bin');
  const layout = path.join(dir, 'init_layout.txt');
  writeNamedFlat(sd, flat, layout);
  const input = path.join(dir, 'x.bin');
  const x = Buffer.alloc(batch * 3 * h * w);
  for (let i = 0; i < x.length; i++) x[i] = (i * 2654435761) >>> 24;
  fs.writeFileSync(input, x);
  const targets = Array.from({ length: batch }, (_, i) => (i % 4 === 0 ? 1 : 0));
  const [smoothing, lr] = [0.1, 1e-3];
  const peer = path.join(__dirname, '..', 'peers', 'convnext_train_peer.py');

  const rows: Row[] = [];
  const started = new Date().toISOString();
  const loadAtStart = load1();
  for (const threads of threadList) {
    const env = { ...process.env, OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) };
    const ours: SideCommand = { cmd: exe.path!, env, args: [
      'steps-classifier', '--depths', shape.depths.join(','), '--dims', shape.dims.join(','),
      '--in-chans', String(shape.inChans), '--num-classes', String(shape.numClasses),
      '--init-params', flat, '--init-layout', layout, '--input', input, '--shape', [batch, 3, h, w].join(','),
      '--targets', targets.join(','), '--smoothing', String(smoothing), '--lr', String(lr), '--steps', String(steps),
      '--ema-decay', '0.9998', '--weight-decay', '2e-5', '--momentum', '0.9', '--drop', '0', '--drop-path', '0',
      '--threads', String(threads), '--dumps', 'none', '--gates', '--out', path.join(dir, `ours-${threads}`),
    ] };
    const torch: SideCommand = { cmd: '/usr/bin/python3', env, args: [
      peer, ckpt, input, [batch, 3, h, w].join(','), targets.join(','), String(smoothing), String(lr), String(steps), String(threads),
    ] };
    const cpus = pinnedCpus(threads);
    const loadBefore = load1();
    console.error(`threads ${threads}: ${steps} steps per side, interleaved${hasTaskset() ? `, pinned to CPUs ${cpus}` : ''} …`);
    const outcome = await runLockstep([pinned(ours, cpus), pinned(torch, cpus)], Number(values['timeout-s']) * 1000);
    const [o, p] = outcome.lines.map(parseLines);
    const oSteps = o.filter((e) => e.event === 'step');
    const pSteps = p.filter((e) => e.event === 'step');
    const steady = (s: StepLine[]): number[] => s.filter((e) => (e.step ?? 0) > warmup).map((e) => (e.seconds ?? 0) * 1000);
    const [oMs, pMs] = [steady(oSteps), steady(pSteps)];
    const n = Math.min(oSteps.length, pSteps.length);
    const diffs = Array.from({ length: n }, (_, i) => Math.abs((oSteps[i].loss ?? NaN) - (pSteps[i].loss ?? NaN)));
    const lossDiff = n ? Math.max(...diffs) : null;
    const sameWork = lossDiff !== null && lossDiff <= SAME_WORK_TOL;
    const med = (ms: number[]): number | null => (ms.length ? median(ms) / 1000 : null);
    const ips = (s: number | null): number | null => (s ? batch / s : null);
    const [oS, pS] = [med(oMs), med(pMs)];
    rows.push({
      threads,
      cpus: hasTaskset() ? cpus : null,
      load_average: [loadBefore, load1()],
      rsna_mammo: { median_s: oS, img_per_s: ips(oS), steps: oSteps.length },
      pytorch: { median_s: pS, img_per_s: ips(pS), steps: pSteps.length, version: p.find((e) => e.event === 'done')?.torch ?? null },
      ratio: sameWork ? pairStats([{ id: 'batch', ms: oMs, output: {} }], [{ id: 'batch', ms: pMs, output: {} }]) : null,
      losses_max_abs_diff: lossDiff,
      same_work: sameWork,
      errors: outcome.errors.filter((e): e is Error => !!e).map((e) => e.message),
    });
    console.error(JSON.stringify(rows[rows.length - 1]));
  }
  const commit = spawnSync('git', ['describe', '--always', '--dirty'], { cwd: __dirname, encoding: 'utf8' }).stdout?.trim() || null;
  const result = {
    date: started, trainer: { path: path.relative(path.join(__dirname, '..', '..'), exe.path!), commit }, cpus: os.cpus().length, cpu_model: os.cpus()[0]?.model ?? 'unknown', load_average: [loadAtStart, load1()],
    model: { depths, dims }, batch, size: [h, w], steps, warmup, same_work_tol: SAME_WORK_TOL, rows,
  };
  const base = path.join(__dirname, 'results', `train-${started.replace(/[:.]/g, '-')}`);
  fs.mkdirSync(path.dirname(base), { recursive: true });
  fs.writeFileSync(`${base}.json`, `${JSON.stringify(result, null, 2)}\n`);
  const f = (v: number | null | undefined, d = 2): string => (v === null || v === undefined ? '–' : v.toFixed(d));
  const md = [
    `# Training step, rsna-mammo trainer vs PyTorch (${started})`, '',
    `Trainer ${result.trainer.path} (checkout ${commit ?? '?'}). ConvNeXt depths ${depths.join(',')} dims ${dims.join(',')}, batch ${batch}, input ${h}×${w}, ${steps} steps per side (first ${warmup} warm-up), interleaved per step; ${result.cpus} CPUs (${result.cpu_model}), load average ${result.load_average.join(' → ')}.`, '',
    '| threads | ours img/s | PyTorch img/s | ratio (median of pairs) | range | spread | loss max abs diff | load avg |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.threads} | ${f(r.rsna_mammo.img_per_s)} | ${f(r.pytorch.img_per_s)} | ${r.ratio ? `${f(r.ratio.median, 3)}×${r.ratio.wide ? ' (wide)' : ''}` : 'n/a'} | ${r.ratio ? `${f(r.ratio.min, 3)}–${f(r.ratio.max, 3)}` : '–'} | ${r.ratio ? f(r.ratio.spread, 3) : '–'} | ${r.losses_max_abs_diff === null ? '–' : r.losses_max_abs_diff.toExponential(2)} | ${r.load_average.join(' → ')} |`),
    '', 'ratio = PyTorch seconds ÷ ours per interleaved step pair (above 1: rsna-mammo faster); given only when the losses agree (same work).',
    ...rows.flatMap((r) => r.errors.map((e) => `- threads ${r.threads}: ${e}`)), '',
  ].join('\n');
  fs.writeFileSync(`${base}.md`, md);
  console.log(md);
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
