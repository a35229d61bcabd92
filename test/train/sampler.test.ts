/**
 * BalanceSamplerV2 and numpy's legacy RandomState against ../shared/golden/train/sampler/sampler.json
 * (the original projects/rsna/utils/samplers.py with numpy 1.24.2; ALGORITHMS.md §9.5).
 */
import t from 'tap';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { LegacyRandomState } from '../../lib/data/mt19937';
import { balanceSamplerEpochs, samplerRatios } from '../../lib/train/balanceSampler';
import { main } from '../../lib/cli/main';
import { needsShared, sharedPath } from '../helpers/shared';
import { capture } from '../helpers/models';

const GOLDEN = 'golden/train/sampler/sampler.json';

interface Case {
  name: string;
  labels: number[];
  seed: number;
  batch_size: number;
  meta: { num_sched_epochs: number; num_epochs: number; start_ratio: number; end_ratio: number; one_pos_mode: boolean };
  ratios: number[];
  epochs: Array<{ indices: number[]; positives_per_batch: number[] }>;
}

function golden(): { cases: Case[]; numpy_legacy_reference: Record<string, unknown> } {
  return JSON.parse(fs.readFileSync(sharedPath(GOLDEN)!, 'utf8'));
}


t.test('numpy legacy RandomState(42) reference draws', needsShared(GOLDEN), async (t) => {
  const ref = golden().numpy_legacy_reference as Record<string, number[]>;
  const a = new LegacyRandomState(42);
  t.same(Array.from({ length: 8 }, () => a.mt.nextUint32()), ref.first8_uint32_via_randint_dtype_uint32);
  t.same(Array.from(new LegacyRandomState(42).permutation(10)), ref.permutation_10);
  const x = [0, 1, 2, 3, 4, 5, 6];
  new LegacyRandomState(42).shuffle(x);
  t.same(x, ref.shuffle_arange7);
  t.same(Array.from(new LegacyRandomState(42).choiceNoReplace(13, 5)), ref.choice_arange13_5_noreplace);
  const c = new LegacyRandomState(42);
  t.same(Array.from(c.choiceNoReplace(13, 0)), []);
  t.same([c.mt.nextUint32(), c.mt.nextUint32()], ref.next2_uint32_after_choice_size0, 'choice(13, 0) consumes a full permutation(13)');
});

t.test('sampler epochs equal the original for every golden case', needsShared(GOLDEN), async (t) => {
  for (const c of golden().cases) {
    const opts = {
      batchSize: c.batch_size,
      seed: c.seed,
      numSchedEpochs: c.meta.num_sched_epochs,
      numEpochs: c.meta.num_epochs,
      startRatio: c.meta.start_ratio,
      endRatio: c.meta.end_ratio,
      onePosMode: c.meta.one_pos_mode,
    };
    t.same(samplerRatios(opts), c.ratios, `${c.name}: ratios (numpy linspace) bit-equal`);
    const epochs = balanceSamplerEpochs(c.labels, opts);
    t.equal(epochs.length, c.epochs.length, `${c.name}: epoch count`);
    let equal = 0;
    c.epochs.forEach((g, e) => {
      if (JSON.stringify(epochs[e]) === JSON.stringify(g.indices)) equal++;
      else t.same(epochs[e], g.indices, `${c.name} epoch ${e}`);
    });
    t.equal(equal, c.epochs.length, `${c.name}: ${equal}/${c.epochs.length} epochs identical`);
  }
});

t.test('CLI train sampler --json equals the golden (exp7_toy, linspace_toy)', needsShared(GOLDEN), async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-sampler-'));
  for (const c of golden().cases) {
    const file = path.join(dir, `${c.name}.json`);
    fs.writeFileSync(file, JSON.stringify({ labels: c.labels }));
    const cap = capture();
    const args = ['train', 'sampler', '--labels', file, '--batch-size', String(c.batch_size), '--seed', String(c.seed),
      '--num-sched-epochs', String(c.meta.num_sched_epochs), '--num-epochs', String(c.meta.num_epochs),
      '--start-ratio', String(c.meta.start_ratio), '--end-ratio', String(c.meta.end_ratio), '--json'];
    if (c.meta.one_pos_mode) args.push('--one-pos-mode');
    t.equal(await main(args, cap.io), 0, cap.err());
    t.same(JSON.parse(cap.out()).epochs, c.epochs.map((e) => e.indices), `${c.name}: CLI output`);
  }
});

t.test('--labels-csv reads the cancer column of each CSV in order', needsShared(GOLDEN), async (t) => {
  const c = golden().cases[1];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-sampler-'));
  const a = path.join(dir, 'a.csv');
  const b = path.join(dir, 'b.csv');
  const rows = (ls: number[]) => ls.map((v, i) => `${i},"x, y",${v}`).join('\n');
  fs.writeFileSync(a, `image_id,note,cancer\n${rows(c.labels.slice(0, 50))}\n`);
  fs.writeFileSync(b, `cancer,image_id\n${c.labels.slice(50).map((v, i) => `${v},${i}`).join('\n')}\n`);
  const cap = capture();
  const args = ['train', 'sampler', '--labels-csv', `${a},${b}`, '--batch-size', '8', '--seed', '42', '--num-sched-epochs', '6', '--num-epochs', '8',
    '--start-ratio', String(c.meta.start_ratio), '--end-ratio', String(c.meta.end_ratio), '--one-pos-mode', '--json'];
  t.equal(await main(args, cap.io), 0, cap.err());
  t.same(JSON.parse(cap.out()).epochs, c.epochs.map((e) => e.indices), 'linspace_toy from two CSVs');
});

t.test('bad labels and options give typed errors', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-sampler-'));
  const bad = path.join(dir, 'bad.json');
  fs.writeFileSync(bad, '[0, 1, "x"]');
  const cap = capture();
  t.equal(await main(['train', 'sampler', '--labels', bad, '--json'], cap.io), 1);
  t.match(cap.err(), /bad\.json: label 2 is "x"/);
  t.throws(() => balanceSamplerEpochs([0, 0, 0], { batchSize: 8, seed: 42, numSchedEpochs: 1, numEpochs: 1, startRatio: 0.5, endRatio: 0.5, onePosMode: true }), { code: 'ERR_SAMPLER' });
  t.throws(() => balanceSamplerEpochs(new Array(20).fill(0), { batchSize: 8, seed: 42, numSchedEpochs: 1, numEpochs: 1, startRatio: 0.5, endRatio: 0.5, onePosMode: true }), /no positive|none/);
});
