/**
 * The ConvNeXt epoch loop end to end on a tiny synthetic stage-2 set (CPU, depths 1,1,1,1, 64x32
 * images, 2 epochs): pred CSVs in the original's columns, summary.csv with the §6 metrics,
 * CheckpointSaver checkpoints; unreadable PNGs (corrupt, missing) are logged, counted and skipped; kill -9 during an
 * epoch then --resume gives the same final weights as an uninterrupted run without redoing a
 * finished epoch; bad CSVs and init checkpoints of the wrong size fail with typed errors naming the file.
 */
import t from 'tap';
import fs from 'fs';
import path from 'path';
import { spawnSync } from 'child_process';
import { trainClassifier, ClassifierTrainOptions } from '../../lib/train/classifierTrain';
import { readTorchCheckpoint } from '../../lib/models/torch/checkpoint_reader';
import { makeRandomConvnextCheckpoint } from '../../lib/models';
import { TorchTensor } from '../../lib/models/torch/pickle_values';
import { readCsv } from '../../lib/data/csv';
import { writeGrayPng } from '../../lib/data/imageFiles';
import { loadSettings } from '../../lib/settings';
import { TrainEvent } from '../../lib/train/executable';
import { needsShared, sharedPath } from '../helpers/shared';
import { pythonTorch, tmpDir } from '../helpers/models';
import { needsTrainer } from '../helpers/train';
import { freePort } from '../../lib/train/distLaunch';

const skip = needsTrainer().skip;
const root = tmpDir('trainloop');
const N_TRAIN = 72;
const N_VAL = 10;

/** A synthetic stage-2 layout: cv/v2 fold 0 CSVs and PNGs (a bright blob on positives). */
function makeDataset(dir: string): string {
  const cls = path.join(dir, 'processed', 'classification', 'rsna-breast-cancer-detection');
  const images = path.join(cls, 'cleaned_images');
  fs.mkdirSync(path.join(cls, 'cv', 'v2'), { recursive: true });
  fs.mkdirSync(images, { recursive: true });
  const header = 'site_id,patient_id,image_id,laterality,view,cancer';
  const rows = (n: number, first: number, posEvery: number) => Array.from({ length: n }, (_, i) => {
    const id = first + i;
    const cancer = i % posEvery === 0 ? 1 : 0;
    const w = 40 + (id % 7) * 3;
    const h = 80 + (id % 5) * 4;
    const data = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const blob = cancer && Math.hypot(x - w / 2, y - h / 2) < 8 ? 120 : 0;
      data[y * w + x] = Math.min(255, ((x * 7 + y * 3 + id * 11) % 97) + blob);
    }
    const pid = 1000 + Math.floor(id / 2);
    writeGrayPng(path.join(images, `${pid}@${id}.png`), { width: w, height: h, data });
    return `${1 + (id % 2)},${pid},${id},${id % 2 ? 'L' : 'R'},CC,${cancer}`;
  });
  fs.writeFileSync(path.join(cls, 'cv', 'v2', 'train_fold_0.csv'), [header, ...rows(N_TRAIN, 0, 6)].join('\n') + '\n');
  fs.writeFileSync(path.join(cls, 'cv', 'v2', 'val_fold_0.csv'), [header, ...rows(N_VAL, N_TRAIN, 3)].join('\n') + '\n');
  // Two training images unreadable: corrupt bytes, and a missing file.
  fs.writeFileSync(path.join(images, `${1000 + 2}@5.png`), Buffer.from('not a png'));
  fs.rmSync(path.join(images, `${1000 + 3}@7.png`));
  const settings = path.join(dir, 'SETTINGS.json');
  fs.writeFileSync(settings, JSON.stringify({ PROCESSED_DATA_DIR: path.join(dir, 'processed'), MODEL_CHECKPOINT_DIR: path.join(dir, 'ckpt'), ASSETS_DIR: path.join(dir, 'assets') }));
  return settings;
}

function options(settings: string, out: string, extra: Partial<ClassifierTrainOptions> = {}): ClassifierTrainOptions {
  return {
    step: 1, fold: 0, settings: loadSettings(settings), out, epochs: 2, device: 'cpu', depths: [1, 1, 1, 1], dims: [8, 16, 24, 32],
    imageSize: [64, 32], batchSize: 4, valBatchSize: 4, threads: 1, loaderThreads: 2, external: false, logEvery: 1, ...extra,
  };
}

async function stateOf(file: string): Promise<Map<string, Map<string, TorchTensor>>> {
  const c = (await readTorchCheckpoint(file)) as Map<string, unknown>;
  const opt = c.get('optimizer') as Map<string, Map<number, Map<string, TorchTensor>>>;
  const mom = new Map<string, TorchTensor>([...opt.get('state')!].map(([i, s]) => [String(i), s.get('momentum_buffer')!]));
  return new Map([['state_dict', c.get('state_dict') as Map<string, TorchTensor>], ['state_dict_ema', c.get('state_dict_ema') as Map<string, TorchTensor>], ['momentum', mom]]);
}

t.test('tiny CPU training run', { skip }, async (t) => {
  const settings = makeDataset(root);
  const outA = path.join(root, 'runA');
  const events: TrainEvent[] = [];
  const res = await trainClassifier(options(settings, outA, { onEvent: (e) => events.push(e) }));
  t.same(res.labels, ['0', '1'], 'validated at the end of epochs 0 and 1');
  for (const f of ['checkpoint-0.pth.tar', 'checkpoint-1.pth.tar', 'last.pth.tar', 'model_best.pth.tar', 'summary.csv', 'train.log', 'results/pred_0.csv', 'results/pred_1.csv']) {
    t.ok(fs.existsSync(path.join(outA, f)), `${f} written`);
  }
  const skipped = events.filter((e) => e.event === 'skipped');
  t.ok(skipped.some((e) => /@5\.png/.test(String(e.reason))) && skipped.some((e) => /@7\.png/.test(String(e.reason))), 'the corrupt and the missing PNG are logged and skipped');
  t.ok(skipped.every((e) => /@[57]\.png/.test(String(e.reason))), `nothing else is skipped (${skipped.length} skip events in 2 epochs)`);
  const log = fs.readFileSync(path.join(outA, 'train.log'), 'utf8');
  t.ok(/@7\.png/.test(log), 'train.log names the missing file');

  const pred = readCsv(path.join(outA, 'results', 'pred_1.csv'));
  t.same(pred.header, ['site_id', 'patient_id', 'image_id', 'laterality', 'view', 'cancer', 'preds', 'targets', 'sample_weights'], 'pred CSV: validation columns + preds, targets, sample_weights');
  t.equal(pred.rows.length, N_VAL);
  const p = pred.rows.map((r) => Number(r[6]));
  const y = pred.rows.map((r) => Number(r[5]));
  t.ok(p.every((v) => v > 0 && v < 1), 'probabilities in (0, 1)');
  // Independent pF1 on raw probabilities (§6.1) from the CSV vs the summary's eval_single_pfbeta.
  const ctp = p.reduce((a, v, i) => a + (y[i] ? v : 0), 0);
  const cfp = p.reduce((a, v, i) => a + (y[i] ? 0 : v), 0);
  const prec = ctp / (ctp + cfp);
  const rec = ctp / y.reduce((a, v) => a + v, 0);
  const pf1 = (2 * prec * rec) / (prec + rec);
  const summary = readCsv(path.join(outA, 'summary.csv'));
  t.same(summary.rows.map((r) => r[0]), ['0', '1'], 'one summary row per validation');
  const col = (name: string) => summary.header.indexOf(name);
  t.ok(col('eval_gbmean_best_pfbeta') > 0 && col('train_loss') > 0 && col('lr') > 0, 'summary has train_loss, eval_* metrics and lr');
  t.ok(Math.abs(Number(summary.rows[1][col('eval_single_pfbeta')]) - pf1) < 1e-6, `eval_single_pfbeta ${summary.rows[1][col('eval_single_pfbeta')]} = pF1 of pred_1.csv ${pf1}`);
  const lr0 = Number(summary.rows[0][col('lr')]);
  t.equal(lr0, 3e-5, 'epoch 0 trained with the warmup lr of step 1 (§9.8)');

  const ckpt = (await readTorchCheckpoint(path.join(outA, 'checkpoint-1.pth.tar'))) as Map<string, unknown>;
  t.same([...ckpt.keys()], ['epoch', 'arch', 'state_dict', 'optimizer', 'version', 'args', 'state_dict_ema', 'metric']);
  t.equal(ckpt.get('epoch'), 1);
  const py = pythonTorch();
  if (py) {
    const r = spawnSync(py, ['-c', 'import sys,torch; c=torch.load(sys.argv[1], map_location="cpu"); print(c["epoch"], len(c["state_dict"]), c["args"].eval_metric)', path.join(outA, 'model_best.pth.tar')], { encoding: 'utf8' });
    t.equal(r.stdout.trim().split(' ').slice(1).join(' '), `${[...(ckpt.get('state_dict') as Map<string, unknown>).keys()].length} gbmean_best_pfbeta`, `torch.load reads model_best.pth.tar ${r.stderr}`);
  } else {
    t.comment('python3-torch absent: torch.load check skipped');
  }

  t.test('kill -9 during epoch 1, --resume: same final weights, epoch 0 not redone', async (t) => {
    const outB = path.join(root, 'runB');
    const ac = new AbortController();
    await t.rejects(trainClassifier(options(settings, outB, {
      signal: ac.signal, killSignal: 'SIGKILL',
      onEvent: (e) => { if (e.event === 'progress' && e.epoch === 1 && e.iter === 1) ac.abort(); },
    })), 'the killed run fails');
    t.ok(fs.existsSync(path.join(outB, 'checkpoint-0.pth.tar')), 'epoch 0 was checkpointed before the kill');
    t.notOk(fs.existsSync(path.join(outB, 'checkpoint-1.pth.tar')), 'epoch 1 was not finished');
    const resumed: TrainEvent[] = [];
    const r = await trainClassifier(options(settings, outB, { resume: true, onEvent: (e) => resumed.push(e) }));
    t.same(r.labels, ['1'], 'only epoch 1 is trained and validated after --resume');
    t.same(resumed.filter((e) => e.event === 'resumed').map((e) => e.epoch), [1], 'resumed at epoch 1');
    const a = await stateOf(path.join(outA, 'checkpoint-1.pth.tar'));
    const b = await stateOf(path.join(outB, 'checkpoint-1.pth.tar'));
    for (const [k, m] of a) {
      let diff = 0;
      for (const [n, ta] of m) {
        const tb = b.get(k)!.get(n)!;
        for (let i = 0; i < ta.data.length; i++) diff = Math.max(diff, Math.abs(Number(ta.data[i]) - Number(tb.data[i])));
      }
      t.equal(diff, 0, `${k}: resumed run equals the uninterrupted run (max |diff| ${diff})`);
    }
    t.same(readCsv(path.join(outB, 'summary.csv')).rows.map((x) => x[0]), ['0', '1'], 'summary keeps epoch 0 and adds epoch 1');
  });

  t.test('dense mid-epoch validation (§9.10.2): label round(e - 1 + updates/N, 2)', async (t) => {
    const outC = path.join(root, 'runC');
    const r = await trainClassifier(options(settings, outC, { denseEpochs: [1] }));
    // 72 samples, 12 positive: n_pos = int(0.1429 * 60) = 8, N = (8 + 60) // 4 = 17 updates, interval 17 // 2 + 1 = 9
    // -> one extra validation after 9 updates of epoch 1, labelled round(1 - 1 + 9/17, 2) = 0.53.
    t.same(r.labels, ['0', '0.53', '1']);
    for (const f of ['checkpoint-0.53.pth.tar', 'results/pred_0.53.csv']) t.ok(fs.existsSync(path.join(outC, f)), `${f} written`);
    t.same(readCsv(path.join(outC, 'summary.csv')).rows.map((x) => x[0]), ['0', '0.53', '1'], 'summary rows in label order');
    const c = (await readTorchCheckpoint(path.join(outC, 'checkpoint-0.53.pth.tar'))) as Map<string, unknown>;
    t.equal(c.get('epoch'), 0.53, 'checkpoint epoch = the label value');
  });

  t.test('pretrained init with a many-class head: head.fc initialised fresh, the rest loaded', async (t) => {
    const init = path.join(root, 'pretrained.pth.tar');
    await makeRandomConvnextCheckpoint(init, { depths: [1, 1, 1, 1], dims: [8, 16, 24, 32], seed: 5, numClasses: 7, globalPool: 'avg' });
    const logs: string[] = [];
    const outD = path.join(root, 'runD');
    await trainClassifier(options(settings, outD, { init, epochs: 1, maxItersPerEpoch: 2, depths: undefined, dims: undefined, onLog: (s) => logs.push(s) }));
    t.ok(logs.some((l) => /7-class head: head\.fc is initialised fresh/.test(l)), 'the dropped head is reported');
    const src = (await readTorchCheckpoint(init)) as Map<string, Map<string, TorchTensor>>;
    const got = (await readTorchCheckpoint(path.join(outD, 'checkpoint-0.pth.tar'))) as Map<string, Map<string, TorchTensor>>;
    t.same(got.get('state_dict')!.get('head.fc.weight')!.shape, [1, 32], 'a 1-class head');
    const a = src.get('state_dict_ema')!.get('stem.0.weight')!.data;
    const b = got.get('state_dict')!.get('stem.0.weight')!.data;
    let d = 0;
    for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(Number(a[i]) - Number(b[i])));
    t.ok(d < 1e-3, `stem weights start from the checkpoint (2 updates at lr 3e-5 move them ${d.toExponential(2)})`);
  });

  t.test('data parallelism (§9.11): 2 Gloo ranks, and 2 "machines", equal one process; --resume with 2 ranks', async (t) => {
    // Dropout and drop-path off (their masks come from per-rank streams, as in the original); the
    // augmentations stay on (each sample's stream is keyed by its position in the epoch's list).
    const det = { drop: 0, dropPath: 0 };
    const one = path.join(root, 'dist1');
    await trainClassifier(options(settings, one, det));
    const ranksOut = path.join(root, 'dist2');
    const events: TrainEvent[] = [];
    const ranks = await trainClassifier(options(settings, ranksOut, { ...det, dist: { nproc: 2, nnodes: 1, nodeRank: 0, masterAddr: '127.0.0.1' }, onEvent: (e) => events.push(e) }));
    t.same(ranks.labels, ['0', '1'], '2 ranks: validated at the end of epochs 0 and 1');
    const skippedRows = events.filter((e) => e.event === 'skipped' && e.phase === 'train');
    t.same([...new Set(skippedRows.map((e) => String(e.reason).match(/@(\d+)\.png/)?.[1]))].sort(), ['5', '7'],
      `the unreadable images are skipped by the rank that holds them (ranks ${[...new Set(skippedRows.map((e) => e.rank))].sort()}), without a deadlock`);
    const port = await freePort();
    const nodeOut = (r: number) => path.join(root, `distnode${r}`);
    const [node0, node1] = await Promise.all([0, 1].map((nodeRank) =>
      trainClassifier(options(settings, nodeOut(nodeRank), { ...det, dist: { nproc: 1, nnodes: 2, nodeRank, masterAddr: '127.0.0.1', masterPort: port } }))));
    t.same(node0.labels, ['0', '1'], 'machine 0 writes the outputs');
    t.same(node1.labels, [], 'machine 1 writes nothing');
    t.notOk(fs.existsSync(nodeOut(1)), 'machine 1 left no output folder');

    const diffOf = async (a: string, b: string) => {
      const sa = await stateOf(path.join(a, 'checkpoint-1.pth.tar'));
      const sb = await stateOf(path.join(b, 'checkpoint-1.pth.tar'));
      const out: Record<string, number> = {};
      for (const [k, m] of sa) {
        let d = 0;
        for (const [n, ta] of m) {
          const tb = sb.get(k)!.get(n)!;
          for (let i = 0; i < ta.data.length; i++) d = Math.max(d, Math.abs(Number(ta.data[i]) - Number(tb.data[i])));
        }
        out[k] = d;
      }
      return out;
    };
    for (const [name, dir] of [['2 local ranks', ranksOut], ['2 machines', nodeOut(0)]] as const) {
      const d = await diffOf(one, dir);
      // 2 epochs x 17 updates at lr <= 7.7e-4; the only difference is float32 summation order
      // (each rank's partial gradient sum, then the all-reduce).
      for (const [k, v] of Object.entries(d)) t.ok(v <= 1e-5, `${name}: ${k} after 2 epochs vs one process max |diff| ${v.toExponential(2)}`);
      const pa = readCsv(path.join(one, 'results', 'pred_1.csv')).rows.map((r) => Number(r[6]));
      const pb = readCsv(path.join(dir, 'results', 'pred_1.csv')).rows.map((r) => Number(r[6]));
      t.equal(pb.length, pa.length, `${name}: the gathered validation has every row (${pa.length})`);
      const dp = Math.max(...pa.map((v, i) => Math.abs(v - pb[i])));
      t.ok(dp <= 1e-5, `${name}: validation probabilities max |diff| ${dp.toExponential(2)}`);
    }

    // Global batch 2 on 2 ranks: one row each, so an unreadable image leaves its rank with no row for
    // that update; it joins the all-reduce with zero gradients and the result still equals one process.
    const b2 = { ...det, epochs: 1, batchSize: 2 };
    await trainClassifier(options(settings, path.join(root, 'b2one'), b2));
    const b2events: TrainEvent[] = [];
    await trainClassifier(options(settings, path.join(root, 'b2ranks'), { ...b2, dist: { nproc: 2, nnodes: 1, nodeRank: 0, masterAddr: '127.0.0.1' }, onEvent: (e) => b2events.push(e) }));
    const emptyRank = b2events.filter((e) => e.event === 'skipped' && e.phase === 'train').length;
    t.ok(emptyRank >= 1, `${emptyRank} updates where one rank had no readable row`);
    const sa = await stateOf(path.join(root, 'b2one', 'checkpoint-0.pth.tar'));
    const sb = await stateOf(path.join(root, 'b2ranks', 'checkpoint-0.pth.tar'));
    let d2 = 0;
    for (const [n, ta] of sa.get('state_dict')!) {
      const tb = sb.get('state_dict')!.get(n)!;
      for (let i = 0; i < ta.data.length; i++) d2 = Math.max(d2, Math.abs(Number(ta.data[i]) - Number(tb.data[i])));
    }
    t.ok(d2 <= 1e-5, `batch 2 on 2 ranks = one process after 1 epoch: state_dict max |diff| ${d2.toExponential(2)}`);

    const killed = path.join(root, 'dist2kill');
    const ac = new AbortController();
    const dist = { nproc: 2, nnodes: 1, nodeRank: 0, masterAddr: '127.0.0.1' };
    await t.rejects(trainClassifier(options(settings, killed, {
      ...det, dist, signal: ac.signal, killSignal: 'SIGKILL',
      onEvent: (e) => { if (e.event === 'progress' && e.epoch === 1 && e.iter === 2) ac.abort(); },
    })), 'kill -9 of both ranks during epoch 1');
    t.notOk(fs.existsSync(path.join(killed, 'checkpoint-1.pth.tar')), 'epoch 1 unfinished');
    const killedCopy = path.join(root, 'dist2kill-1proc');
    fs.cpSync(killed, killedCopy, { recursive: true });
    const resumedEvents: TrainEvent[] = [];
    const resumed = await trainClassifier(options(settings, killed, { ...det, dist, resume: true, onEvent: (e) => resumedEvents.push(e) }));
    t.same(resumed.labels, ['1'], '--resume --nproc 2 trains only epoch 1');
    t.same(resumedEvents.filter((e) => e.event === 'resumed').map((e) => e.epoch), [1]);
    const dr = await diffOf(ranksOut, killed);
    for (const [k, v] of Object.entries(dr)) t.equal(v, 0, `resumed 2-rank run = uninterrupted 2-rank run: ${k} max |diff| ${v}`);
    // The same killed 2-rank run continued by one process (rank 0's state and generator): = one process.
    const one2 = await trainClassifier(options(settings, killedCopy, { ...det, resume: true }));
    t.same(one2.labels, ['1'], 'a 2-rank run resumed by one process trains only epoch 1');
    for (const [k, v] of Object.entries(await diffOf(one, killedCopy))) t.ok(v <= 1e-5, `... and equals the 1-process run: ${k} max |diff| ${v.toExponential(2)}`);
  });

  t.test('bad input: typed errors naming the file', async (t) => {
    await t.rejects(trainClassifier(options(settings, outA)), { code: 'ERR_OUTPUT_EXISTS' }, 'an existing run folder is not overwritten');
    const badDir = path.join(root, 'bad');
    const badSettings = makeDataset(badDir);
    const valCsv = path.join(badDir, 'processed', 'classification', 'rsna-breast-cancer-detection', 'cv', 'v2', 'val_fold_0.csv');
    fs.writeFileSync(valCsv, 'patient_id,image_id,cancer\n1,2,0\n');
    await t.rejects(trainClassifier(options(badSettings, path.join(badDir, 'o1'))), { code: 'ERR_CSV_COLUMN', message: /val_fold_0\.csv.*site_id/ });
    t.test('init checkpoint of another size', needsShared('golden/train/convnext/init.pth.tar'), async (t) => {
      const init = sharedPath('golden/train/convnext/init.pth.tar')!;
      await t.rejects(trainClassifier(options(settings, path.join(badDir, 'o2'), { init })), { code: 'ERR_SHAPE_MISMATCH', message: /init\.pth\.tar.*depths 2,2,2,2/ });
    });
  });
});
