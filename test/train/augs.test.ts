/**
 * The trainer's augmentations (native/train/data, ALGORITHMS.md §9.6) and training transform
 * (§3.2.3) against ../shared/golden/train/augs: the ORIGINAL albumentations 1.3.0 transforms applied
 * with fixed parameters (augs.json), run here through `rsna-mammo-train augs --op ...`.
 * Every op must be bit-exact (max |Δ| 0), elastic included: its displacement fields come from our
 * port of numpy's legacy MT19937 draws and scipy's gaussian_filter in the same float64 order.
 */
import t from 'tap';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { spawnSync } from 'child_process';
import { encode as encodePng } from 'fast-png';
import { readGrayPng } from '../../lib/data/imageFiles';
import { trainExecutableStatus } from '../../lib/train/executable';
import { needsShared, sharedPath } from '../helpers/shared';

const exe = trainExecutableStatus();
const skip = exe.built ? needsShared('golden/train/augs/augs.json') : { skip: `${exe.reason}: skipped` };

interface Op {
  name: string;
  params: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  output: { file: string; shape_hwc: number[] };
}

/** Runs `augs --batch` over job lines (one libtorch start-up for all); returns the events. */
function runJobs(tmp: string, jobs: string[][]): Record<string, unknown>[] {
  const file = path.join(tmp, 'jobs.txt');
  fs.writeFileSync(file, jobs.map((j) => j.join(' ')).join('\n') + '\n');
  const r = spawnSync(exe.path as string, ['augs', '--batch', file], { encoding: 'utf8', timeout: 120000 });
  if (r.status !== 0) throw new Error(`augs --batch failed (${r.status}): ${r.stdout}${r.stderr}`);
  return (r.stdout ?? '').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
}

/** Command-line parameters of one golden op (albumentations' names → the subcommand's flags). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function opArgs(name: string, p: Record<string, any>): string[] {
  const base = name.replace(/_\d+$/, '');
  switch (base) {
    case 'crop':
      return ['--op', 'crop', '--crop-height', `${p.crop_height}`, '--crop-width', `${p.crop_width}`, '--h-start', `${p.h_start}`, '--w-start', `${p.w_start}`];
    case 'hflip':
    case 'vflip':
      return ['--op', base];
    case 'downscale':
      return ['--op', 'downscale', '--scale', `${p.scale}`, '--down', `${p.interpolation.downscale}`, '--up', `${p.interpolation.upscale}`];
    case 'tone_curve':
      return ['--op', 'tone_curve', '--low-y', `${p.low_y}`, '--high-y', `${p.high_y}`];
    case 'brightness_contrast':
      return ['--op', 'brightness_contrast', '--alpha', `${p.alpha}`, '--beta', `${p.beta}`];
    case 'ssr':
      return ['--op', 'ssr', '--angle', `${p.angle}`, '--scale', `${p.scale}`, '--dx', `${p.dx}`, '--dy', `${p.dy}`];
    case 'elastic':
      return ['--op', 'elastic', '--random-state', `${p.random_state}`];
    case 'grid_distortion':
      return ['--op', 'grid_distortion', '--stepsx', p.stepsx.join(','), '--stepsy', p.stepsy.join(',')];
    case 'coarse_dropout':
      return ['--op', 'coarse_dropout', '--holes', p.holes.flat().join(',')];
    default:
      throw new Error(`no mapping for golden op ${name}`);
  }
}

/** Max |a − b| and the count of differing pixels (same size required). */
function compare(ours: string, golden: string): { maxAbs: number; nDiff: number; n: number; sameSize: boolean } {
  const a = readGrayPng(ours);
  const b = readGrayPng(golden);
  if (a.width !== b.width || a.height !== b.height) return { maxAbs: Infinity, nDiff: -1, n: 0, sameSize: false };
  let maxAbs = 0;
  let nDiff = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = Math.abs(a.data[i] - b.data[i]);
    if (d > 0) nDiff++;
    if (d > maxAbs) maxAbs = d;
  }
  return { maxAbs, nDiff, n: a.data.length, sameSize: true };
}

t.test('fixed-parameter augmentations equal the original albumentations 1.3.0 outputs', skip, async (t) => {
  const dir = path.dirname(sharedPath('golden/train/augs/augs.json') as string);
  const spec = JSON.parse(fs.readFileSync(path.join(dir, 'augs.json'), 'utf8'));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-augs-'));
  t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const input = path.join(dir, spec.input.file);
  const ops = spec.ops as Op[];
  const jobs: string[][] = ops.map((op) => [...opArgs(op.name, op.params), '--in', input, '--out', path.join(tmp, `${op.name}.png`)]);
  // chain = crop → hflip → brightness_contrast_0 → ssr → coarse_dropout, each on the previous output
  // (ssr/coarse_dropout parameters are fractions/coordinates of the image they receive: the crop).
  const byName = new Map(ops.map((o) => [o.name, o]));
  let cur = input;
  for (const name of spec.chain.ops_in_order as string[]) {
    const next = path.join(tmp, `chain-${name}.png`);
    jobs.push([...opArgs(name, (byName.get(name) as Op).params), '--in', cur, '--out', next]);
    cur = next;
  }
  // TrainTransform (= ValTransform): fit-resize INTER_LINEAR + centred PadIfNeeded to 2048×1024.
  const fits = [['of_input', input], ['of_chain', path.join(dir, spec.chain.output.file)]] as const;
  for (const [key, src] of fits) {
    const [h, w] = spec.train_transform[key].output.shape_hwc;
    jobs.push(['--op', 'fit_pad', '--out-h', `${h}`, '--out-w', `${w}`, '--in', src, '--out', path.join(tmp, `train_transform_${key}.png`)]);
  }
  // The same ops on a 3-channel PNG whose channels differ (R = input, G = vflip, B = hflip goldens):
  // every op is per channel, so the R channel of each output must still equal the golden.
  const gray = (f: string) => readGrayPng(path.join(dir, f));
  const [r, g, b] = [gray(spec.input.file), gray('vflip.png'), gray('hflip.png')];
  const rgb = new Uint8Array(r.data.length * 3);
  for (let i = 0; i < r.data.length; i++) rgb.set([r.data[i], g.data[i], b.data[i]], 3 * i);
  const input3 = path.join(tmp, 'input_rgb.png');
  fs.writeFileSync(input3, encodePng({ width: r.width, height: r.height, data: rgb, channels: 3, depth: 8 }));
  for (const op of ops) jobs.push([...opArgs(op.name, op.params), '--in', input3, '--out', path.join(tmp, `rgb-${op.name}.png`)]);

  const events = runJobs(tmp, jobs);
  t.equal(events.length, jobs.length, 'one event per job');

  ops.forEach((op, i) => {
    t.same([events[i].rows, events[i].cols], op.output.shape_hwc.slice(0, 2), `${op.name}: output size`);
    const c = compare(path.join(tmp, `${op.name}.png`), path.join(dir, op.output.file));
    t.ok(c.sameSize && c.maxAbs === 0, `${op.name}: max |Δ| ${c.maxAbs} at ${c.nDiff}/${c.n} pixels`);
  });
  for (const op of ops) {
    const c = compare(path.join(tmp, `rgb-${op.name}.png`), path.join(dir, op.output.file));
    t.ok(c.sameSize && c.maxAbs === 0, `${op.name} on a 3-channel image, R channel: max |Δ| ${c.maxAbs} at ${c.nDiff}/${c.n} pixels`);
  }
  const chain = compare(cur, path.join(dir, spec.chain.output.file));
  t.ok(chain.sameSize && chain.maxAbs === 0, `chain: max |Δ| ${chain.maxAbs} at ${chain.nDiff}/${chain.n} pixels`);
  for (const [key] of fits) {
    const c = compare(path.join(tmp, `train_transform_${key}.png`), path.join(dir, spec.train_transform[key].output.file));
    t.ok(c.sameSize && c.maxAbs === 0, `train_transform_${key}: max |Δ| ${c.maxAbs} at ${c.nDiff}/${c.n} pixels`);
  }
});

t.test('augs reports bad input with typed errors', skip, async (t) => {
  const dir = path.dirname(sharedPath('golden/train/augs/augs.json') as string);
  const bad = (args: string[]) => spawnSync(exe.path as string, ['augs', ...args], { encoding: 'utf8' });
  const missing = bad(['--op', 'hflip', '--in', '/nonexistent/x.png', '--out', '/tmp/never.png']);
  t.equal(missing.status, 1);
  t.match(missing.stdout, /"code":"ERR_IMAGE_UNREADABLE".*nonexistent\/x\.png: file not found/);
  const tooBig = bad(['--op', 'crop', '--crop-height', '601', '--crop-width', '10', '--h-start', '0', '--w-start', '0',
    '--in', path.join(dir, 'input.png'), '--out', '/tmp/never.png']);
  t.match(tooBig.stdout, /"code":"ERR_INVALID_ARGUMENT".*does not fit/);
  const unknown = bad(['--op', 'sharpen', '--in', path.join(dir, 'input.png'), '--out', '/tmp/never.png']);
  t.match(unknown.stdout, /unknown --op \\"sharpen\\"/);
});

t.test('sampled parameters follow TrainAugment\'s distributions (§9.6)', skip, async (t) => {
  // Our stream is not python's (see native/train/data/aug_random.h), so this checks the laws instead:
  // firing rates of each op/OneOf child and the inclusive ranges of every parameter.
  const N = 20000;
  const H = 600;
  const W = 300;
  const r = spawnSync(exe.path as string, ['augs', '--sample', `${N}`, '--rows', `${H}`, '--cols', `${W}`, '--seed', '7'],
    { encoding: 'utf8', timeout: 60000, maxBuffer: 64 << 20 });
  t.equal(r.status, 0);
  const plans = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l).ops as Record<string, any>[]); // eslint-disable-line @typescript-eslint/no-explicit-any
  t.equal(plans.length, N);
  const count = (pred: (o: Record<string, any>) => boolean) => plans.filter((p) => p.some(pred)).length / N; // eslint-disable-line @typescript-eslint/no-explicit-any
  // Expected rates: outer Compose 0.9 × op p (× OneOf child weight).
  const expected: [string, (o: Record<string, any>) => boolean, number][] = [ // eslint-disable-line @typescript-eslint/no-explicit-any
    ['crop', (o) => o.op === 'crop', 0.9 * 0.4],
    ['hflip', (o) => o.op === 'hflip', 0.9 * 0.5],
    ['vflip', (o) => o.op === 'vflip', 0.9 * 0.5],
    ['downscale area/linear', (o) => o.op === 'downscale' && o.down === 3 && o.up === 1, 0.9 * 0.125 * 0.1],
    ['downscale area/lanczos4', (o) => o.op === 'downscale' && o.down === 3 && o.up === 4, 0.9 * 0.125 * 0.1],
    ['downscale linear/linear', (o) => o.op === 'downscale' && o.down === 1 && o.up === 1, 0.9 * 0.125 * 0.8],
    ['tone_curve', (o) => o.op === 'tone_curve', 0.9 * 0.5 * 0.5],
    ['brightness_contrast', (o) => o.op === 'brightness_contrast', 0.9 * 0.5 * 0.5],
    ['ssr', (o) => o.op === 'ssr', 0.9 * 0.5 * 0.6],
    ['elastic', (o) => o.op === 'elastic', 0.9 * 0.5 * 0.2],
    ['grid_distortion', (o) => o.op === 'grid_distortion', 0.9 * 0.5 * 0.2],
    ['coarse_dropout', (o) => o.op === 'coarse_dropout', 0.9 * 0.25],
  ];
  for (const [name, pred, p] of expected) {
    const got = count(pred);
    const sd = Math.sqrt((p * (1 - p)) / N);
    t.ok(Math.abs(got - p) < 5 * sd, `${name}: rate ${got.toFixed(4)} vs ${p.toFixed(4)} (±5σ = ${(5 * sd).toFixed(4)})`);
  }
  // Empty plan: the outer Compose skipped (0.1) or fired with no op firing (0.6·0.5·0.5·0.875·0.5·0.5·0.75).
  const pEmpty = 0.1 + 0.9 * (0.6 * 0.5 * 0.5 * 0.875 * 0.5 * 0.5 * 0.75);
  const empty = plans.filter((p) => p.length === 0).length / N;
  const sdEmpty = Math.sqrt((pEmpty * (1 - pEmpty)) / N);
  t.ok(Math.abs(empty - pEmpty) < 5 * sdEmpty, `empty plans: ${empty.toFixed(4)} vs ${pEmpty.toFixed(4)} (±5σ = ${(5 * sdEmpty).toFixed(4)})`);

  const ops = plans.flat();
  const range = (op: string, key: string) => {
    const v = ops.filter((o) => o.op === op).map((o) => o[key] as number);
    return [Math.min(...v), Math.max(...v)];
  };
  const within = (op: string, key: string, lo: number, hi: number, slack: number) => {
    const [a, b] = range(op, key);
    t.ok(a >= lo && b <= hi && a < lo + slack && b > hi - slack, `${op}.${key} in [${a.toFixed(4)}, ${b.toFixed(4)}] ⊂ [${lo}, ${hi}], reaching both ends`);
  };
  within('downscale', 'scale', 0.75, 0.95, 0.01);
  within('brightness_contrast', 'alpha', 0.6, 1.5, 0.02);
  within('brightness_contrast', 'beta', -0.1, 0.2, 0.01);
  within('ssr', 'angle', -30, 30, 0.5);
  within('ssr', 'scale', 0.85, 1.15, 0.01);
  within('ssr', 'dx', -0.1, 0.1, 0.005);
  within('ssr', 'dy', -0.2, 0.2, 0.01);
  within('elastic', 'random_state', 0, 10000, 10);
  t.ok(ops.filter((o) => o.op === 'elastic').every((o) => Number.isInteger(o.random_state)), 'elastic random_state is an integer (random.randint(0, 10000))');
  // Tone curve: clip(N(0.25, 0.3), 0, 1) is 0 with probability Φ(−0.25/0.3) ≈ 0.2023; high_y = 1 with Φ(−0.25/0.3) too.
  const tone = ops.filter((o) => o.op === 'tone_curve');
  const atZero = tone.filter((o) => o.low_y === 0).length / tone.length;
  const atOne = tone.filter((o) => o.high_y === 1).length / tone.length;
  const pClip = 0.20233;
  const sdClip = Math.sqrt((pClip * (1 - pClip)) / tone.length);
  t.ok(Math.abs(atZero - pClip) < 5 * sdClip && Math.abs(atOne - pClip) < 5 * sdClip,
    `tone curve clipping: P(low_y = 0) ${atZero.toFixed(3)}, P(high_y = 1) ${atOne.toFixed(3)} vs ${pClip}`);
  t.ok(tone.every((o) => o.low_y >= 0 && o.low_y <= 1 && o.high_y >= 0 && o.high_y <= 1), 'tone curve control points in [0, 1]');

  // Crops (image 600×300, scale (0.5, 1), ratio (0.5, 0.8)): inside the image, area ≥ ~half, ratio band.
  const crops = ops.filter((o) => o.op === 'crop');
  t.ok(crops.every((c) => c.crop_height <= H && c.crop_width <= W && c.crop_height * c.crop_width >= 0.5 * H * W - H - W),
    'crop sizes fit the image and keep at least half of its area');
  t.ok(crops.every((c) => c.crop_width / c.crop_height > 0.49 && c.crop_width / c.crop_height < 0.81), 'crop aspect w/h within [0.5, 0.8] (up to rounding)');
  // Holes on uncropped plans: count 1..6 (both reached), h = int(600·U(0.05, 0.15)), w = int(300·U(0.1, 0.25)).
  const holes = plans.filter((p) => !p.some((o) => o.op === 'crop')).flat().filter((o) => o.op === 'coarse_dropout');
  const counts = holes.map((o) => o.holes.length);
  t.same([Math.min(...counts), Math.max(...counts)], [1, 6], 'hole count randint(1, 6) reaches both ends');
  const hh = holes.flatMap((o) => o.holes.map((b: number[]) => b[3] - b[1]));
  const hw = holes.flatMap((o) => o.holes.map((b: number[]) => b[2] - b[0]));
  t.same([Math.min(...hh), Math.max(...hh)], [30, 89], 'hole heights int(600·U(0.05, 0.15)) span [30, 89]');
  t.same([Math.min(...hw), Math.max(...hw)], [30, 74], 'hole widths int(300·U(0.1, 0.25)) span [30, 74]');
  t.ok(holes.every((o) => o.holes.every((b: number[]) => b[0] >= 0 && b[1] >= 0 && b[2] <= W && b[3] <= H)), 'holes inside the image');
  // Grid distortion steps are normalised so that each axis sums to size / (size // 5) · ... = 5 here.
  const grids = plans.filter((p) => !p.some((o) => o.op === 'crop')).flat().filter((o) => o.op === 'grid_distortion');
  t.ok(grids.every((g) => g.stepsx[5] === 0 && g.stepsy[5] === 0 && Math.abs(g.stepsx.reduce((a: number, b: number) => a + b) - 5) < 1e-9),
    'grid steps: last step 0 for 600×300 (multiples of 5) and x steps sum to 5 (w / (w // 5) = 5)');
});
