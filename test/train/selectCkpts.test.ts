/**
 * Checkpoint selection (ALGORITHMS.md §11.1–11.3) against ../shared/golden/select: the unmodified original
 * select_classification_best_ckpts.py run on a synthetic checkpoint tree (expected.json, all_metrics.json,
 * original_stdout.txt). The pred files are read gzipped in place (the .gz fallback); copies go to a temp dir.
 */
import t from 'tap';
import crypto from 'crypto';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { main } from '../../lib/cli/main';
import { evaluatePredictions, REDUCER_NAMES } from '../../lib/metrics';
import { foldCheckpointDirs, rankCombinations, readPredRows } from '../../lib/train/selectCkpts';
import { needsShared, sharedPath } from '../helpers/shared';
import { capture } from '../helpers/models';

const DIR = 'golden/select';
const TOL = 1e-12;


/** SETTINGS.json reading the golden tree's checkpoints in place and writing the selection to a temp dir. */
function settingsFile(checkpoints: string): { file: string; finalDir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-select-'));
  const finalDir = path.join(dir, 'assets', 'reproduce');
  fs.writeFileSync(path.join(dir, 'SETTINGS.json'), JSON.stringify({ MODEL_CHECKPOINT_DIR: checkpoints, MODEL_FINAL_SELECTION_DIR: finalDir }));
  return { file: path.join(dir, 'SETTINGS.json'), finalDir };
}

const sha = (f: string): string => crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex');
const load = (f: string) => JSON.parse(fs.readFileSync(path.join(sharedPath(DIR)!, f), 'utf8'));

t.test('select-ckpts --json: selection, metrics, full ranking and copies equal the original', needsShared(`${DIR}/expected.json`), async (t) => {
  const exp = load('expected.json');
  const all = load('all_metrics.json');
  const tree = path.join(sharedPath(DIR)!, 'tree');
  const { file, finalDir } = settingsFile(path.join(tree, 'checkpoints'));
  const cap = capture();
  const t0 = Date.now();
  t.equal(await main(['select-ckpts', '--mode', 'fully_reproduce', '--settings', file, '--json'], cap.io), 0, cap.err());
  t.comment(`select-ckpts over ${exp.n_combinations} combinations: ${Date.now() - t0} ms`);
  const got = JSON.parse(cap.out());
  t.same(got.best, { fold_0: 11, fold_1: 10, fold_2: 26, fold_3: 20 });
  t.same(Object.values(got.best), exp.selected.epochs, 'same epochs as the original (tie with fold-3 epoch 21 resolved by product order)');
  t.equal(got.gbmean_best_pfbeta, exp.selected.gbmean_best_pfbeta, 'gbmean_best_pfbeta bit-equal');
  t.equal(got.best_threshold, exp.selected.gbmean_best_thres);
  t.equal(got.ranking.length, 525);
  const orderDiffs = got.ranking.filter((r: { product_index: number }, i: number) => r.product_index !== exp.ranking[i].product_index).length;
  t.equal(orderDiffs, 0, 'the 525 ranks in the original order (incl. the multi-step pF1 float near-ties)');
  let exact = 0;
  let maxDiff = 0;
  let epochDiffs = 0;
  for (const r of got.ranking) {
    const g = all.combos[r.product_index];
    if (g.epochs.join() !== r.epochs.join()) epochDiffs++;
    if (r.gbmean_best_pfbeta === g.metrics.gbmean_best_pfbeta && r.gbmean_best_thres === g.metrics.gbmean_best_thres) exact++;
    for (const k of ['acc', 'precision', 'recall', 'fbeta']) maxDiff = Math.max(maxDiff, Math.abs(r[`gbmean_best_${k}`] - g.metrics[`gbmean_best_${k}`]));
  }
  t.equal(epochDiffs, 0, 'product index ↔ epochs as itertools.product');
  t.equal(exact, 525, 'gbmean_best_pfbeta and best threshold bit-equal for all 525');
  t.ok(maxDiff <= TOL, `other gbmean_best_* max |diff| ${maxDiff}`);
  // Copies: byte-identical to the chosen checkpoints, exactly 4 files, never last/model_best.
  t.same(fs.readdirSync(finalDir).sort(), exp.final_selection_listing ?? [0, 1, 2, 3].map((i) => `best_convnext_fold_${i}.pth.tar`));
  for (const c of exp.copies) {
    const dst = path.join(finalDir, path.basename(c.dst));
    t.equal(sha(dst), c.dst_sha256, `${path.basename(c.dst)} = ${c.src}`);
    t.equal(sha(path.join(tree, c.src)), c.src_sha256);
  }
});

t.test('select-ckpts text output: ranking lines equal the original stdout', needsShared(`${DIR}/original_stdout.txt`), async (t) => {
  const stdout = fs.readFileSync(path.join(sharedPath(DIR)!, 'original_stdout.txt'), 'utf8');
  const want = stdout.split('\n').filter((l) => l.includes('--> pf1 = '));
  const { file, finalDir } = settingsFile(path.join(sharedPath(DIR)!, 'tree', 'checkpoints'));
  const cap = capture();
  t.equal(await main(['select-ckpts', '--settings', file, '--no-copy'], cap.io), 0, cap.err());
  const lines = cap.out().split('\n');
  t.same(lines.filter((l) => l.includes('--> pf1 = ')), want, '525 "(e0, e1, e2, e3) --> pf1 = …, thres = …" lines identical');
  t.ok(lines.includes('SELECTED BEST COMBINATION: (11, 10, 26, 20)'));
  t.notOk(fs.existsSync(finalDir), '--no-copy writes nothing');
});

t.test('probability pF1, AUC, PR-AUC (--curves) and all 45 metrics of the best combination', needsShared(`${DIR}/all_metrics.json`), async (t) => {
  const all = load('all_metrics.json');
  const ckpt = path.join(sharedPath(DIR)!, 'tree', 'checkpoints');
  const epochs = [[11, 13], [10], [26], [20, 21]];
  const res = rankCombinations({ mode: 'fully_reproduce', checkpointDir: ckpt, epochs, curves: true });
  let maxDiff = 0;
  for (const r of res.ranking) {
    const g = all.combos.find((c: { epochs: number[] }) => c.epochs.join() === r.epochs.join()).metrics;
    for (const [k, v] of Object.entries(r.metrics)) maxDiff = Math.max(maxDiff, Math.abs((v as number) - g[k]));
  }
  t.ok(maxDiff <= TOL, `gbmean metrics of 4 combinations incl. --curves: max |diff| ${maxDiff}`);
  // evaluatePredictions (lib/metrics) over the concatenated OOF rows = the original compute_metrics.
  const dirs = foldCheckpointDirs('fully_reproduce', ckpt);
  const rows = [11, 10, 26, 20].flatMap((e, fold) => readPredRows(dirs[fold], fold, e).rows);
  t.equal(rows.length, 54706);
  const m = evaluatePredictions(rows, REDUCER_NAMES);
  const g = all.combos[87].metrics;
  let maxAll = 0;
  for (const k of all.keys) {
    if (g[k] === null) t.ok(Number.isNaN(m[k]), `${k} NaN`);
    else maxAll = Math.max(maxAll, Math.abs(m[k] - g[k]));
  }
  t.ok(maxAll <= TOL, `all ${all.keys.length} metrics of (11, 10, 26, 20): max |diff| ${maxAll}`);
});

t.test('bad input: missing predictions, non-candidate epochs, bad --epochs', needsShared(`${DIR}/tree`), async (t) => {
  const ckpt = path.join(sharedPath(DIR)!, 'tree', 'checkpoints');
  t.throws(() => rankCombinations({ mode: 'fully_reproduce', checkpointDir: ckpt, epochs: [[11], [10], [26], [25]] }), { code: 'ERR_SELECT_MISSING', message: /pred_25\.csv/ });
  t.throws(() => rankCombinations({ mode: 'reproduce', checkpointDir: ckpt }), { code: 'ERR_SELECT_MISSING', message: /stage2_reproduce_train_fold_0/ });
  t.throws(() => rankCombinations({ mode: 'fully_reproduce', checkpointDir: ckpt, epochs: [[11], [10], [26]] }), { code: 'ERR_INVALID_ARGUMENT' });
  const { file } = settingsFile(ckpt);
  const cap = capture();
  t.equal(await main(['select-ckpts', '--settings', file, '--epochs', '11/10/26'], cap.io), 2); // a usage error (README exit codes)
  t.match(cap.err(), /--epochs/);
  // A partial OOF (one epoch per fold, only 3 folds' worth of rows checked) is refused.
  t.throws(() => rankCombinations({ mode: 'fully_reproduce', checkpointDir: ckpt, epochs: [[11], [10], [26], [20]], expectedRows: 1000 }), { code: 'ERR_SELECT_ROWS' });
});
