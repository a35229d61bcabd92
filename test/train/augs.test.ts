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
  const events = runJobs(tmp, jobs);
  t.equal(events.length, jobs.length, 'one event per job');

  ops.forEach((op, i) => {
    t.same([events[i].rows, events[i].cols], op.output.shape_hwc.slice(0, 2), `${op.name}: output size`);
    const c = compare(path.join(tmp, `${op.name}.png`), path.join(dir, op.output.file));
    t.ok(c.sameSize && c.maxAbs === 0, `${op.name}: max |Δ| ${c.maxAbs} at ${c.nDiff}/${c.n} pixels`);
  });
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
