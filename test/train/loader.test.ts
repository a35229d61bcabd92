/**
 * The trainer's BatchLoader (native/train/data/loader.h) through `rsna-mammo-train loader`:
 * - validation path (no augmentation) = golden TrainTransform PNGs (../shared/golden/train/augs,
 *   made by the original fit-resize + PadIfNeeded) normalised here with §3.4's float32 recipe;
 * - train path: identical batches for 1, 2 and 4 worker threads and equal to the serial path (the
 *   same per-sample function in a plain loop); corrupt, truncated and missing PNGs are skipped,
 *   named with their reason, and the epoch goes on.
 */
import t from 'tap';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { spawnSync } from 'child_process';
import { encode as encodePng } from 'fast-png';
import { readGrayPng } from '../../lib/data/imageFiles';
import { trainExecutableStatus } from '../../lib/train/executable';
import { needsShared, sharedPath, readF32 } from '../helpers/shared';

const exe = trainExecutableStatus();
const skip = exe.built ? needsShared('golden/train/augs/augs.json') : { skip: `${exe.reason}: skipped` };

interface Event {
  event: string;
  [k: string]: unknown;
}

function loader(args: string[]): Event[] {
  const r = spawnSync(exe.path as string, ['loader', ...args], { encoding: 'utf8', timeout: 120000 });
  if (r.status !== 0) throw new Error(`loader ${args.join(' ')} failed (${r.status}): ${r.stdout}${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Event);
}

/** timm PrefetchLoader: float32((float32(v) − float32(mean·255)) / float32(std·255)) per channel. */
function normalise(v: number, c: number): number {
  const mean = [0.485, 0.456, 0.406][c] * 255;
  const std = [0.229, 0.224, 0.225][c] * 255;
  return Math.fround(Math.fround(v - Math.fround(mean)) / Math.fround(std));
}

t.test('validation batches = golden TrainTransform output, normalised (§3.2.3, §3.4)', skip, async (t) => {
  const dir = path.dirname(sharedPath('golden/train/augs/augs.json') as string);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-loader-'));
  t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));
  // The chain golden as a 3-channel PNG: cv2.imread's BGR of identical channels must give the same.
  const chain = readGrayPng(path.join(dir, 'chain.png'));
  const rgb = new Uint8Array(chain.data.length * 3);
  chain.data.forEach((v, i) => rgb.fill(v, 3 * i, 3 * i + 3));
  const chain3 = path.join(tmp, 'chain_rgb.png');
  fs.writeFileSync(chain3, encodePng({ width: chain.width, height: chain.height, data: rgb, channels: 3, depth: 8 }));
  // A colour PNG R = input, G = 255, B = 0: cv2.imread gives BGR, so tensor channel 0 (normalised
  // with the "R" statistics) holds B = 0, channel 1 G = 255 and channel 2 R = the input.
  const input = readGrayPng(path.join(dir, 'input.png'));
  const colour = new Uint8Array(input.data.length * 3);
  input.data.forEach((v, i) => colour.set([v, 255, 0], 3 * i));
  const input3 = path.join(tmp, 'input_colour.png');
  fs.writeFileSync(input3, encodePng({ width: input.width, height: input.height, data: colour, channels: 3, depth: 8 }));
  const list = path.join(tmp, 'val.tsv');
  fs.writeFileSync(list, `${path.join(dir, 'input.png')}\t1\n${chain3}\t0\n${input3}\t0\n`);
  const events = loader(['--list', list, '--batch-size', '3', '--val', '--threads', '2', '--dump', path.join(tmp, 'dump')]);
  t.same(events[0].rows, [0, 1, 2]);
  t.same(events[0].skipped, []);
  const batch = readF32(path.join(tmp, 'dump', 'batch_0.f32'));
  const goldens = ['train_transform_of_input.png', 'train_transform_of_chain.png'].map((f) => readGrayPng(path.join(dir, f)));
  const plane = goldens[0].width * goldens[0].height;
  t.equal(batch.length, 3 * 3 * plane, 'batch [3,3,2048,1024]');
  goldens.forEach((g, b) => {
    let maxAbs = 0;
    for (let c = 0; c < 3; c++) {
      const base = (b * 3 + c) * plane;
      for (let i = 0; i < plane; i++) maxAbs = Math.max(maxAbs, Math.abs(batch[base + i] - normalise(g.data[i], c)));
    }
    t.equal(maxAbs, 0, `sample ${b}: max |Δ| vs normalised golden = ${maxAbs}`);
  });
  // Colour sample: the fit-resize of the 600×300 input fills 2048×1024 exactly (no padding).
  let maxAbs = 0;
  const base = 2 * 3 * plane;
  for (let i = 0; i < plane; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(batch[base + i] - normalise(0, 0)), Math.abs(batch[base + plane + i] - normalise(255, 1)),
      Math.abs(batch[base + 2 * plane + i] - normalise(goldens[0].data[i], 2)));
  }
  t.equal(maxAbs, 0, `colour sample: BGR channels → tensor channels 0,1,2, max |Δ| ${maxAbs}`);
});

t.test('train batches: same for any thread count, equal to the serial path; bad PNGs skipped', skip, async (t) => {
  const dir = path.dirname(sharedPath('golden/train/augs/augs.json') as string);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-loader-'));
  t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const truncated = path.join(tmp, 'truncated.png');
  fs.writeFileSync(truncated, fs.readFileSync(path.join(dir, 'input.png')).subarray(0, 3000));
  const garbage = path.join(tmp, 'garbage.png');
  fs.writeFileSync(garbage, 'this is not a PNG');
  const missing = path.join(tmp, 'missing.png');
  const good = ['input', 'crop', 'hflip', 'vflip', 'chain', 'elastic', 'ssr', 'tone_curve', 'grid_distortion'].map((n) => path.join(dir, `${n}.png`));
  // 13 samples, batch 4: bad files at rows 2 (truncated), 5 (missing), 9 (garbage).
  const files = [...good.slice(0, 2), truncated, ...good.slice(2, 4), missing, ...good.slice(4, 7), garbage, ...good.slice(7, 9)];
  files.push(good[0]); // the same image twice in an epoch gets two different augmentations
  const list = path.join(tmp, 'train.tsv');
  fs.writeFileSync(list, files.map((f, i) => `${f}\t${i % 2}`).join('\n') + '\n');
  const common = ['--list', list, '--batch-size', '4', '--out-h', '128', '--out-w', '64', '--seed', '42', '--checksum'];
  // One process: the serial reference, then BatchLoaders with 1, 2 and 4 threads, each over
  // epochs 3 and 4 (start_epoch reused on the same loader).
  const events = loader([...common, '--runs', 'serial,1,2,4', '--epochs', '3,4', '--prefetch', '1', '--dump', path.join(tmp, 'dump')]);
  const batches = (ev: Event[], run: string, epoch: number) => ev
    .filter((e) => e.event === 'batch' && e.run === run && e.epoch === epoch)
    .map((e) => ({ rows: e.rows, skipped: e.skipped, checksum: e.checksum }));
  const ref = batches(events, 'serial', 3);
  t.equal(ref.length, 4, '4 batches: bad samples never end the epoch');
  t.same(ref.map((b) => b.rows), [[0, 1, 3], [4, 6, 7], [8, 10, 11], [12]], 'rows of the readable samples, in order');
  t.match(ref[0].skipped, [new RegExp(`^${truncated}: not a decodable image`)], 'truncated PNG named with its reason');
  t.match(ref[1].skipped, [new RegExp(`^${missing}: file not found`)], 'missing PNG named with its reason');
  t.match(ref[2].skipped, [new RegExp(`^${garbage}: not a decodable image`)], 'garbage file named with its reason');
  for (const run of ['1', '2', '4']) {
    for (const epoch of [3, 4]) {
      t.same(batches(events, run, epoch), batches(events, 'serial', epoch), `${run} thread(s), epoch ${epoch}: identical rows, skipped lists and checksums to the serial path`);
    }
  }
  t.same(events.filter((e) => e.event === 'done').map((e) => [e.run, e.images, e.skipped]),
    [['serial', 20, 6], ['1', 20, 6], ['2', 20, 6], ['4', 20, 6]], 'each run: 2 epochs × 10 images, 2 × 3 skipped');
  // Row 12 repeats row 0's file at another position in the epoch: another augmentation.
  const first = (f: string) => readF32(path.join(tmp, 'dump', f)).subarray(0, 3 * 128 * 64);
  t.not(Buffer.from(first('batch_0.f32').buffer).compare(Buffer.from(first('batch_3.f32').buffer)), 0,
    'a sample drawn twice in an epoch is augmented differently each time');
  // Augmentation is on (train ≠ val) and depends on the epoch (seed, epoch, position).
  const val = batches(loader([...common, '--val', '--epoch', '3']), '4', 3);
  t.equal(val.length, 4);
  t.not(val.map((b) => b.checksum).join(), ref.map((b) => b.checksum).join(), 'train batches differ from validation batches');
  t.not(batches(events, 'serial', 4).map((b) => b.checksum).join(), ref.map((b) => b.checksum).join(), 'another epoch draws other augmentations');
});
