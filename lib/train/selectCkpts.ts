/**
 * ConvNeXt checkpoint selection (docs/ALGORITHMS.md §11.1–11.3): every combination of the hard-coded
 * candidate epochs (itertools.product order), OOF metrics of the 4 concatenated validation folds,
 * stable ranking by gbmean_best_pfbeta, copies of the chosen checkpoints.
 *
 * Speed: each pred file is parsed once and reduced to per-breast means (a breast belongs to one fold,
 * so the OOF breast table of a combination is the union of its folds' tables) and to confusion counts
 * per threshold (which add up across folds); a combination then costs 4 × 100 additions.
 */
import fs from 'fs';
import path from 'path';
import zlib from 'zlib';
import { readCsvColumns } from '../data/csv';
import { RsnaMammoError } from '../errors';
import { prAuc, rocAuc } from '../metrics/rankCurves';
import { pfbeta } from '../metrics/pfbeta';
import { BreastKey, compareBreasts, meanPerBreast, PredictionRow } from '../metrics/reducers';
import { DEFAULT_THRESHOLDS, sweepFromCounts, thresholdCounts, ThresholdCounts } from '../metrics/thresholdSweep';
import { experimentDir, experimentPrefix, ReproduceMode } from './plan';

/** The original's hard-coded candidates per validation fold 0..3 (§11.1). */
export const CANDIDATE_EPOCHS: readonly (readonly number[])[] = Object.freeze([
  [11, 12, 13],
  [8, 9, 10, 11, 12],
  [20, 21, 22, 26, 28, 29, 30],
  [18, 19, 20, 21, 22],
]);

/** The OOF size the original asserts (all RSNA training images). */
export const OOF_ROWS = 54706;

/** Experiment folders of validation folds 0..3: stage-2 runs for folds 0/1, single-stage for 2/3. */
export function foldCheckpointDirs(mode: ReproduceMode, checkpointDir: string): string[] {
  const p = experimentPrefix(mode);
  return [`stage2_${p}_fold_0`, `stage2_${p}_fold_1`, `${p}_fold_2`, `${p}_fold_3`].map((e) => experimentDir(checkpointDir, e));
}

/** The label of epoch `e` in file names (`pred_9.5.csv`, `checkpoint-11.pth.tar`). */
function epochLabel(e: number): string {
  return String(e);
}

/** One validation pred file reduced to what the selection needs. */
export interface FoldEpochTable {
  fold: number;
  epoch: number;
  file: string;
  rows: number;
  keys: BreastKey[];
  /** Per-breast mean target and prediction, breasts in pandas group order. */
  gts: Float64Array;
  preds: Float64Array;
  counts: ThresholdCounts;
}

const COLUMNS = ['site_id', 'patient_id', 'laterality', 'preds', 'targets'] as const;

/** Reads the rows of `results/pred_{e}.csv` (or, when only that exists, `pred_{e}.csv.gz`) by column name. */
export function readPredRows(dir: string, fold: number, epoch: number): { file: string; rows: PredictionRow[] } {
  const file = path.join(dir, 'results', `pred_${epochLabel(epoch)}.csv`);
  let text: string;
  if (fs.existsSync(file)) text = fs.readFileSync(file, 'utf8');
  else if (fs.existsSync(`${file}.gz`)) text = zlib.gunzipSync(fs.readFileSync(`${file}.gz`)).toString('utf8');
  else throw new RsnaMammoError('ERR_SELECT_MISSING', `validation predictions of fold ${fold} epoch ${epoch} not found`, { file });
  const { rows, columns } = readCsvColumns(file, COLUMNS, text);
  const num = (col: string, i: number): number => {
    const s = columns[col][i];
    const v = Number(s);
    if (s.trim() === '' || Number.isNaN(v)) throw new RsnaMammoError('ERR_CSV_VALUE', `row ${i + 2}: ${col} "${s}" is not a number`, { file });
    return v;
  };
  const out: PredictionRow[] = new Array(rows);
  for (let i = 0; i < rows; i++) {
    out[i] = { siteId: num('site_id', i), patientId: columns.patient_id[i], laterality: columns.laterality[i], target: num('targets', i), pred: num('preds', i) };
  }
  return { file, rows: out };
}

/** One pred file reduced to its breasts and threshold counts. */
export function readFoldEpoch(dir: string, fold: number, epoch: number): FoldEpochTable {
  const { file, rows } = readPredRows(dir, fold, epoch);
  const { gts, preds, keys } = meanPerBreast(rows);
  return { fold, epoch, file, rows: rows.length, keys, gts, preds, counts: thresholdCounts(gts, preds, DEFAULT_THRESHOLDS) };
}

/** The gbmean metrics of one combination (§6.4 keys). */
export interface CombinationMetrics {
  gbmean_best_thres: number;
  gbmean_best_acc: number;
  gbmean_best_precision: number;
  gbmean_best_recall: number;
  gbmean_best_fbeta: number;
  gbmean_best_pfbeta: number;
  /** Probability pF1, ROC AUC and PR-AUC of the breast means (only with `curves`). */
  gbmean_pfbeta?: number;
  gbmean_auc?: number;
  gbmean_prauc?: number;
}

export interface RankedCombination {
  /** Position in itertools.product order. */
  productIndex: number;
  epochs: number[];
  metrics: CombinationMetrics;
}

export interface SelectionResult {
  dirs: string[];
  candidates: number[][];
  /** All combinations, best first (stable: product order among equal scores). */
  ranking: RankedCombination[];
  best: RankedCombination;
}

export interface SelectOptions {
  mode: ReproduceMode;
  checkpointDir: string;
  /** Candidates per fold (default: the original's). */
  epochs?: readonly (readonly number[])[];
  /** Total rows the 4 folds must have (default 54,706; 0 = no check). */
  expectedRows?: number;
  /** Also compute the probability pF1 / AUC / PR-AUC of every combination (slower). */
  curves?: boolean;
}

/** itertools.product of the candidate lists (last list varies fastest). */
export function product(lists: readonly (readonly number[])[]): number[][] {
  let out: number[][] = [[]];
  for (const list of lists) out = out.flatMap((prefix) => list.map((v) => [...prefix, v]));
  return out;
}

/** Reads every candidate's predictions once, scores every combination and ranks them (§11.2). */
export function rankCombinations(o: SelectOptions): SelectionResult {
  const candidates = (o.epochs ?? CANDIDATE_EPOCHS).map((l) => [...l]);
  if (candidates.length !== 4 || candidates.some((l) => l.length === 0)) {
    throw new RsnaMammoError('ERR_INVALID_ARGUMENT', 'epochs: expected 4 non-empty candidate lists (folds 0..3)');
  }
  const dirs = foldCheckpointDirs(o.mode, o.checkpointDir);
  const tables = candidates.map((list, fold) => list.map((e) => readFoldEpoch(dirs[fold], fold, e)));
  // Every file of a fold must describe the same breasts, and no breast may be in two folds.
  const owner = new Map<string, number>();
  tables.forEach((list, fold) => {
    const ref = list[0];
    for (const t of list.slice(1)) {
      if (t.keys.length !== ref.keys.length || t.keys.some((k, i) => compareBreasts(k, ref.keys[i]) !== 0) || t.gts.some((g, i) => g !== ref.gts[i])) {
        throw new RsnaMammoError('ERR_SELECT_ROWS', `breasts or targets differ from ${ref.file}`, { file: t.file });
      }
    }
    for (const k of ref.keys) {
      const key = `${k.patientId}\u0000${k.laterality}`;
      if (owner.has(key)) throw new RsnaMammoError('ERR_SELECT_ROWS', `patient ${k.patientId} ${k.laterality} is also in fold ${owner.get(key)}`, { file: ref.file });
      owner.set(key, fold);
    }
  });
  const expected = o.expectedRows ?? OOF_ROWS;
  const combos = product(candidates);
  const lists = combos.map((epochs, productIndex) => {
    const parts = epochs.map((e, fold) => tables[fold][candidates[fold].indexOf(e)]);
    const rows = parts.reduce((s, p) => s + p.rows, 0);
    if (expected > 0 && rows !== expected) {
      throw new RsnaMammoError('ERR_SELECT_ROWS', `combination (${epochs.join(', ')}) has ${rows} rows, expected the full OOF of ${expected}`, { file: parts[0].file });
    }
    return { productIndex, epochs, parts };
  });
  const order = o.curves ? breastOrder(tables.map((l) => l[0])) : undefined;
  const scored: RankedCombination[] = lists.map(({ productIndex, epochs, parts }) => ({ productIndex, epochs, metrics: scoreCombination(parts, order) }));
  // Python's list.sort(key=..., reverse=True) is stable; so is Array.prototype.sort.
  const ranking = [...scored].sort((a, b) => (a.metrics.gbmean_best_pfbeta > b.metrics.gbmean_best_pfbeta ? -1 : a.metrics.gbmean_best_pfbeta < b.metrics.gbmean_best_pfbeta ? 1 : 0));
  return { dirs, candidates, ranking, best: ranking[0] };
}

/** Global pandas group order of the OOF breasts: (fold, index in that fold's table) per position. */
function breastOrder(firsts: readonly FoldEpochTable[]): Array<[number, number]> {
  const all: Array<[number, number]> = [];
  firsts.forEach((t, f) => t.keys.forEach((_, i) => all.push([f, i])));
  return all.sort((a, b) => compareBreasts(firsts[a[0]].keys[a[1]], firsts[b[0]].keys[b[1]]));
}

function scoreCombination(parts: readonly FoldEpochTable[], order?: Array<[number, number]>): CombinationMetrics {
  const nT = DEFAULT_THRESHOLDS.length;
  const sum: ThresholdCounts = { tp: new Float64Array(nT), fp: new Float64Array(nT), positives: 0, negatives: 0 };
  for (const p of parts) {
    for (let j = 0; j < nT; j++) {
      sum.tp[j] += p.counts.tp[j];
      sum.fp[j] += p.counts.fp[j];
    }
    sum.positives += p.counts.positives;
    sum.negatives += p.counts.negatives;
  }
  const { best } = sweepFromCounts(sum, DEFAULT_THRESHOLDS);
  const m: CombinationMetrics = {
    gbmean_best_thres: best.threshold,
    gbmean_best_acc: best.acc,
    gbmean_best_precision: best.precision,
    gbmean_best_recall: best.recall,
    gbmean_best_fbeta: best.fbeta,
    gbmean_best_pfbeta: best.pfbeta,
  };
  if (order) {
    const gts = new Float64Array(order.length);
    const preds = new Float64Array(order.length);
    order.forEach(([f, i], k) => {
      gts[k] = parts[f].gts[i];
      preds[k] = parts[f].preds[i];
    });
    m.gbmean_pfbeta = pfbeta(gts, preds);
    m.gbmean_auc = rocAuc(gts, preds);
    m.gbmean_prauc = prAuc(gts, preds);
  }
  return m;
}

export interface CopiedCheckpoint {
  fold: number;
  epoch: number;
  from: string;
  to: string;
}

/**
 * Copies `checkpoint-{e}.pth.tar` of each fold to `{finalDir}/best_convnext_fold_{i}.pth.tar` (§11.3),
 * each through a temp file + rename, keeping the source's times as shutil.copy2 does. Every source is
 * checked before anything is written.
 */
export function copySelected(dirs: readonly string[], epochs: readonly number[], finalDir: string): CopiedCheckpoint[] {
  const plan = epochs.map((epoch, fold) => ({
    fold,
    epoch,
    from: path.join(dirs[fold], `checkpoint-${epochLabel(epoch)}.pth.tar`),
    to: path.join(finalDir, `best_convnext_fold_${fold}.pth.tar`),
  }));
  for (const p of plan) {
    if (!fs.existsSync(p.from) || !fs.statSync(p.from).isFile()) throw new RsnaMammoError('ERR_SELECT_MISSING', `checkpoint of fold ${p.fold} epoch ${p.epoch} not found`, { file: p.from });
  }
  fs.mkdirSync(finalDir, { recursive: true });
  for (const p of plan) {
    const tmp = `${p.to}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    try {
      fs.copyFileSync(p.from, tmp);
      const st = fs.statSync(p.from);
      fs.utimesSync(tmp, st.atime, st.mtime);
      fs.renameSync(tmp, p.to);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw new RsnaMammoError('ERR_SELECT_COPY', `cannot copy ${p.from}: ${(err as Error).message}`, { file: p.to, cause: err });
    }
  }
  return plan;
}
